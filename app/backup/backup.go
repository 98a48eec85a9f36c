// Package backup copies an appliance's data folder into one archive while
// the appliance runs, and puts such an archive back.
//
// The databases are copied with SQLite's VACUUM INTO, which reads one
// transaction's view of a database while the appliance goes on writing:
// every record committed (a webhook answered 200) before the copy began is
// in it, whatever its write-ahead log held. The key file and the folder's
// other files are copied as they are.
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
	"path/filepath"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/instance"
)

// ManifestName is the archive's first entry, which describes it.
const ManifestName = "switchboard-backup.json"

// BackupsDir is the data folder's sub-folder for backups, which a backup
// leaves out.
const BackupsDir = "backups"

// Databases are the SQLite files of a data folder.
var Databases = []string{"data.db", "auxiliary.db"}

// Manifest describes a backup.
type Manifest struct {
	Format  int       `json:"format"`
	Version string    `json:"version"`
	Created time.Time `json:"created"`
	DataDir string    `json:"data_dir"`
	// EnvFile is the environment file the appliance was configured by; it
	// is named, not copied: it may hold the secret key.
	EnvFile string `json:"env_file,omitempty"`
	// KeyFile tells whether the archive holds the key file; KeyFromEnv
	// whether the key came from SWITCHBOARD_SECRET_KEY instead.
	KeyFile    bool `json:"key_file"`
	KeyFromEnv bool `json:"key_from_environment"`
	// Files lists the archive's files besides the manifest, as the backup
	// found them when it began.
	Files []string `json:"files"`
	// LeftOut lists those of Files that were moved or removed before the
	// backup came to read them (a flow moved a file of the files root):
	// they are not in the archive. Create sets it; it is not archived.
	LeftOut []string `json:"-"`
}

// format is the Manifest.Format this package writes and reads.
const format = 1

// Create writes a gzipped tar of dataDir to w: a snapshot of each database
// and every other file of the folder but the databases' own logs, the
// lock, the backups folder and the file skip describes (the archive being
// written, when it is in the folder; nil for none). The manifest m is
// completed and returned.
func Create(w io.Writer, dataDir string, m Manifest, skip fs.FileInfo) (Manifest, error) {
	tmp, err := os.MkdirTemp(dataDir, snapshotsPrefix)
	if err != nil {
		return m, fmt.Errorf("making a folder for the snapshots: %w", err)
	}
	defer os.RemoveAll(tmp)
	unlock, err := instance.Lock(tmp) // in use until this backup ends, however it ends
	if err != nil {
		return m, fmt.Errorf("marking the snapshots' folder in use: %w", err)
	}
	defer unlock()
	removeStaleSnapshots(dataDir)
	snapshots, err := snapshotAll(dataDir, tmp)
	if err != nil {
		return m, err
	}
	others, err := otherFiles(dataDir, filepath.Base(tmp), skip)
	if err != nil {
		return m, err
	}
	m.Format, m.Created, m.DataDir = format, time.Now().UTC(), instance.Abs(dataDir)
	m.Files = append(append([]string{}, snapshots...), others...)
	for _, f := range others {
		m.KeyFile = m.KeyFile || f == keyFileName
	}
	m.LeftOut, err = writeArchive(w, m, func(name string) string {
		if isSnapshot(name, snapshots) {
			return filepath.Join(tmp, name)
		}
		return filepath.Join(dataDir, filepath.FromSlash(name))
	})
	return m, err
}

// snapshotsPrefix begins the name of the folder in the data folder where
// a backup keeps its databases' snapshots while it runs.
const snapshotsPrefix = ".backup-"

// removeStaleSnapshots removes the snapshots' folders of backups that
// ended without removing them (killed, or the machine stopped): each a
// copy of the databases. A folder whose lock another backup holds is in
// use; one without its lock file yet is just being made.
func removeStaleSnapshots(dataDir string) {
	if !instance.Locking {
		return
	}
	for _, dir := range foldersNamed(dataDir, snapshotsPrefix) {
		if _, err := os.Stat(filepath.Join(dir, instance.LockFileName)); err != nil {
			continue
		}
		unlock, err := instance.Lock(dir)
		if err != nil {
			continue
		}
		unlock()
		_ = os.RemoveAll(dir)
	}
}

// foldersNamed lists the folders in parent whose names begin with prefix.
func foldersNamed(parent, prefix string) []string {
	entries, _ := os.ReadDir(parent)
	var out []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), prefix) {
			out = append(out, filepath.Join(parent, e.Name()))
		}
	}
	return out
}

func isSnapshot(name string, snapshots []string) bool {
	for _, s := range snapshots {
		if s == name {
			return true
		}
	}
	return false
}

// snapshotAll copies each database of dataDir into tmp.
func snapshotAll(dataDir, tmp string) ([]string, error) {
	var names []string
	for _, name := range Databases {
		src := filepath.Join(dataDir, name)
		if _, err := os.Stat(src); err != nil {
			if name == "data.db" {
				return nil, fmt.Errorf("no database to back up in %s: %w", dataDir, err)
			}
			continue
		}
		if err := snapshot(src, filepath.Join(tmp, name)); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}

// snapshot copies the database at src into dst with VACUUM INTO.
func snapshot(src, dst string) error {
	db, err := core.DefaultDBConnect(src)
	if err != nil {
		return fmt.Errorf("opening %s: %w", src, err)
	}
	defer db.Close()
	if _, err := db.NewQuery("VACUUM INTO {:dst}").Bind(dbx.Params{"dst": dst}).Execute(); err != nil {
		return fmt.Errorf("copying %s: %w", src, err)
	}
	return nil
}

// otherFiles lists dataDir's files to copy as they are, as slash paths,
// but skipDir's and the file skip describes.
func otherFiles(dataDir, skipDir string, skip fs.FileInfo) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dataDir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path != dataDir {
			return nil // moved or removed by a flow while listed
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dataDir, path)
		rel = filepath.ToSlash(rel)
		switch {
		case rel == ".":
			return nil
		case d.IsDir() && (rel == BackupsDir || rel == skipDir || strings.HasPrefix(rel, snapshotsPrefix)):
			return fs.SkipDir
		case !d.Type().IsRegular() || isDatabaseFile(rel) || rel == instance.LockFileName || isFile(d, skip):
			return nil
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dataDir, err)
	}
	return out, nil
}

// isFile tells whether the entry is the file that info describes.
func isFile(d fs.DirEntry, info fs.FileInfo) bool {
	if info == nil {
		return false
	}
	own, err := d.Info()
	return err == nil && os.SameFile(own, info)
}

// isDatabaseFile is true for a database of the folder and its logs.
func isDatabaseFile(rel string) bool {
	for _, db := range Databases {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			if rel == db+suffix {
				return true
			}
		}
	}
	return false
}

// writeArchive writes the manifest and then each file, read from the path
// source gives for its name, and returns the files left out: those that
// were gone when they came to be read, which the appliance's flows moved
// or removed meanwhile.
func writeArchive(w io.Writer, m Manifest, source func(string) string) ([]string, error) {
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	hdr := &tar.Header{Name: ManifestName, Mode: 0o600, Size: int64(len(data)), ModTime: m.Created, Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, fmt.Errorf("writing the archive: %w", err)
	}
	if _, err := tw.Write(data); err != nil {
		return nil, fmt.Errorf("writing the archive: %w", err)
	}
	var leftOut []string
	for _, name := range m.Files {
		err := addFile(tw, name, source(name))
		if errors.Is(err, errGone) && !isDatabaseFile(name) && name != keyFileName {
			leftOut = append(leftOut, name)
			continue
		}
		if err != nil {
			return leftOut, err
		}
	}
	if err := tw.Close(); err != nil {
		return leftOut, fmt.Errorf("writing the archive: %w", err)
	}
	return leftOut, zw.Close()
}

// keyFileName is the key file's name in the data folder, which a backup
// must hold when it found it.
const keyFileName = "secret.key"

// errGone is addFile's error for a file that is no longer there.
var errGone = errors.New("gone since the backup began")

// entryMode is the permissions a file is archived and restored with: its
// own, but 0600 for a database, whose snapshot SQLite makes with the
// process's umask (0644), readable by every user of the machine once
// restored, where the appliance keeps its databases 0600.
func entryMode(name string, mode fs.FileMode) fs.FileMode {
	if isDatabaseFile(name) {
		return 0o600
	}
	return mode.Perm()
}

func addFile(tw *tar.Writer, name, path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", path, errGone)
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	hdr := &tar.Header{Name: name, Mode: int64(entryMode(name, info.Mode())), Size: info.Size(), ModTime: info.ModTime(),
		Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("writing %s to the archive: %w", name, err)
	}
	if _, err := io.CopyN(tw, f, info.Size()); err != nil {
		return fmt.Errorf("writing %s to the archive (did it change while copied?): %w", name, err)
	}
	return nil
}
