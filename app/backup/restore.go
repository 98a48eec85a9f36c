package backup

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/instance"
	"github.com/switchboard-app/switchboard/app/schema"
)

// Restored says what Restore did.
type Restored struct {
	Manifest Manifest
	// Aside is where the data folder that was replaced now is; "" when
	// there was none.
	Aside string
}

// Restore puts the archive read from r in place of dataDir. It refuses
// while an appliance serves dataDir. The archive is unpacked and checked
// beside the folder first; only then is the current folder moved aside
// (kept, named in the result) and the restored one moved in.
func Restore(r io.Reader, dataDir string) (Restored, error) {
	dataDir = instance.Abs(dataDir)
	if err := os.MkdirAll(filepath.Dir(dataDir), 0o700); err != nil {
		return Restored{}, fmt.Errorf("making the data folder's parent: %w", err)
	}
	if _, err := os.Stat(dataDir); err == nil {
		unlock, err := instance.Lock(dataDir)
		if err != nil {
			if errors.Is(err, instance.ErrInUse) {
				return Restored{}, fmt.Errorf("%w: stop it first (systemctl stop switchboard), then restore", err)
			}
			return Restored{}, err
		}
		defer unlock()
		removeStaleStaging(dataDir)
	}
	stamp := time.Now().UTC().Format("20060102T150405Z")
	staging := dataDir + stagingInfix + stamp
	m, err := unpack(r, staging)
	if err == nil {
		err = checkDatabases(staging)
	}
	if err != nil {
		_ = os.RemoveAll(staging)
		return Restored{}, err
	}
	return swapIn(staging, dataDir, stamp, m)
}

// stagingInfix follows the data folder's name in the folder beside it
// where a restore unpacks and checks an archive.
const stagingInfix = ".restore-"

// removeStaleStaging removes the folders restores of dataDir unpacked
// into and never moved in (killed, or the machine stopped). The data
// folder's lock is held: no other restore of it runs.
func removeStaleStaging(dataDir string) {
	for _, dir := range foldersNamed(filepath.Dir(dataDir), filepath.Base(dataDir)+stagingInfix) {
		_ = os.RemoveAll(dir)
	}
}

func swapIn(staging, dataDir, stamp string, m Manifest) (Restored, error) {
	res := Restored{Manifest: m}
	if _, err := os.Stat(dataDir); err == nil {
		res.Aside = dataDir + ".before-restore-" + stamp
		if err := os.Rename(dataDir, res.Aside); err != nil {
			_ = os.RemoveAll(staging)
			return Restored{}, fmt.Errorf("moving the current data folder aside: %w", err)
		}
	}
	if err := os.Rename(staging, dataDir); err != nil {
		return res, fmt.Errorf("moving the restored folder %s into place: %w", staging, err)
	}
	return res, nil
}

// unpack extracts the archive into dir, which it creates, and returns its
// manifest. Only files and folders inside dir are taken.
func unpack(r io.Reader, dir string) (Manifest, error) {
	var m Manifest
	zr, err := gzip.NewReader(r)
	if err != nil {
		return m, fmt.Errorf("not a Switchboard backup (not gzip): %w", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return m, fmt.Errorf("making %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return m, err
	}
	defer root.Close()
	tr := tar.NewReader(zr)
	for first := true; ; first = false {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, fmt.Errorf("reading the backup: %w", err)
		}
		if first && hdr.Name != ManifestName {
			return m, fmt.Errorf("not a Switchboard backup: it does not begin with %s", ManifestName)
		}
		if err := extract(root, hdr, tr, &m); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return m, fmt.Errorf("reading the backup: it ends early (truncated or damaged): %w", err)
			}
			return m, err
		}
	}
	if m.Format != format {
		return m, fmt.Errorf("backup format %d: this Switchboard reads format %d", m.Format, format)
	}
	return m, nil
}

func extract(root *os.Root, hdr *tar.Header, r io.Reader, m *Manifest) error {
	name := path.Clean(hdr.Name)
	if !fs.ValidPath(name) {
		return fmt.Errorf("the backup's entry %q is outside the data folder", hdr.Name)
	}
	if name == ManifestName {
		if err := json.NewDecoder(io.LimitReader(r, 1<<20)).Decode(m); err != nil {
			return fmt.Errorf("reading the backup's manifest: %w", err)
		}
		return nil
	}
	if hdr.Typeflag != tar.TypeReg {
		return fmt.Errorf("the backup's entry %q is not a regular file", hdr.Name)
	}
	if dir := path.Dir(name); dir != "." {
		if err := root.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("restoring %s: %w", name, err)
		}
	}
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, entryMode(name, fs.FileMode(hdr.Mode))|0o600)
	if err != nil {
		return fmt.Errorf("restoring %s: %w", name, err)
	}
	defer f.Close()
	if _, err := io.CopyN(f, r, hdr.Size); err != nil {
		return fmt.Errorf("restoring %s: %w", name, err)
	}
	return f.Close()
}

// checkDatabases runs SQLite's quick check on each restored database, and
// refuses a backup of a data folder that a newer build has migrated: this
// build would refuse to serve it.
func checkDatabases(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, Databases[0])); err != nil {
		return fmt.Errorf("the backup holds no data.db: %w", err)
	}
	for _, name := range Databases {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		if err := checkDatabase(path, name == Databases[0]); err != nil {
			return fmt.Errorf("the backup's %s: %w", name, err)
		}
	}
	return nil
}

// checkDatabase runs SQLite's quick check on a restored database and, for
// data.db (withSchema), checks that this build knows its migrations.
func checkDatabase(path string, withSchema bool) error {
	db, err := core.DefaultDBConnect(path)
	if err != nil {
		return fmt.Errorf("opening it: %w", err)
	}
	defer db.Close()
	var result string
	if err := db.NewQuery("PRAGMA quick_check").Row(&result); err != nil {
		return fmt.Errorf("checking it: %w", err)
	}
	if result != "ok" {
		return fmt.Errorf("it is damaged: %s", result)
	}
	if withSchema {
		return schema.Check(db, "")
	}
	return nil
}
