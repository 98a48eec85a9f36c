package demo

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/switchboard-app/switchboard/app"
)

// samples are the supplier's product feeds the demo starts with.
//
//go:embed samples/*.csv
var samples embed.FS

// Folders under the demo folder.
const (
	SamplesDir = "samples"        // a copy of the feeds, to replay the demo
	InboxDir   = "supplier/inbox" // where the supplier's feeds arrive
	OutboxDir  = "shop/outbox"    // where the shop's XML files are written
	dirMode    = 0o755
	fileMode   = 0o644
	samplesPat = "samples/*.csv"
)

// createFilesDir returns the files root of dataDir, made when missing.
func createFilesDir(dataDir string) (string, error) { return app.CreateFilesDir(dataDir) }

// inFiles is a connection's folder as an absolute path: relative folders
// are in the files root of dataDir; an absolute one (from a demo installed
// before the files root) is left as it is.
func inFiles(dataDir, folder string) string {
	if filepath.IsAbs(folder) {
		return folder
	}
	return filepath.Join(app.FilesDir(dataDir), filepath.FromSlash(folder))
}

// SampleNames lists the embedded feed files, sorted.
func SampleNames() []string {
	names, _ := fs.Glob(samples, samplesPat)
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

// layout creates the demo's folders under root and puts the feeds in the
// supplier's inbox and in the samples folder. Existing files are kept.
func layout(root string) error {
	for _, dir := range []string{SamplesDir, InboxDir, OutboxDir} {
		if err := os.MkdirAll(filepath.Join(root, dir), dirMode); err != nil {
			return fmt.Errorf("demo: creating folder: %w", err)
		}
	}
	for _, name := range SampleNames() {
		data, err := samples.ReadFile("samples/" + name)
		if err != nil {
			return fmt.Errorf("demo: reading embedded %s: %w", name, err)
		}
		for _, dir := range []string{SamplesDir, InboxDir} {
			if err := writeNew(filepath.Join(root, dir, name), data); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeNew writes a file unless it exists already.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo: writing %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("demo: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("demo: writing %s: %w", path, err)
	}
	return nil
}
