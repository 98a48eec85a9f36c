package app

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// TestADataFolderThatCannotBeWrittenIsNamed: a data folder the process
// cannot write is refused before SQLite's bare "unable to open database
// file", with the folder and the user named; a missing one is left to be
// made.
// (Run by root, a folder that is not root's is written as its owner: the
// binary's test TestADataFolderItsOwnerCannotWriteIsRefused.)
func TestADataFolderThatCannotBeWrittenIsNamed(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, says string
	}{
		{"a file", file, "is not a folder"},
		{"a folder it can write", dir, ""},
		{"a folder not made yet", filepath.Join(dir, "new"), ""},
	}
	if os.Geteuid() != 0 { // root writes any folder
		readOnly := filepath.Join(dir, "read-only")
		if err := os.Mkdir(readOnly, 0o500); err != nil {
			t.Fatal(err)
		}
		tests = append(tests, struct{ name, dir, says string }{"a folder it cannot write", readOnly, "cannot be written by user"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkWritable(tt.dir, -1)
			if tt.says == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.says) || !strings.Contains(err.Error(), tt.dir) {
				t.Fatalf("= %v, want an error naming %s", err, tt.dir)
			}
		})
	}
}

// TestABackupOfNoDataFolderMakesNothing: a backup of a folder that holds
// no Switchboard data (a --dir mistyped, a service never started) made the
// folder and its backups/ folder before it found no database; it now says
// so, naming the folder, and makes nothing.
func TestABackupOfNoDataFolderMakesNothing(t *testing.T) {
	for _, name := range []string{"missing", "empty"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sb_data")
			if name == "empty" {
				if err := os.Mkdir(dir, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			s := &Switchboard{app: core.NewBaseApp(core.BaseAppConfig{DataDir: dir})}
			var out strings.Builder
			err := s.backup(&out, &out, nil)
			if _, statErr := os.Stat(filepath.Join(dir, "backups")); !errors.Is(statErr, fs.ErrNotExist) {
				t.Fatalf("the backup made %s/backups: %v", dir, statErr)
			}
			if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "no Switchboard data") {
				t.Fatalf("backup = %v, want an error naming %s", err, dir)
			}
		})
	}
}

// TestABackupIntoTheDataFolderLeavesItselfOut: an archive written into
// the data folder itself (not its backups/ folder) held a partial copy of
// itself, nearly doubling its size and restoring a damaged archive; it is
// left out.
func TestABackupIntoTheDataFolderLeavesItselfOut(t *testing.T) {
	env := newTestEnv(t)
	target := filepath.Join(env.app.DataDir(), "today.tar.gz")
	var out strings.Builder
	if err := env.sb.backup(&out, &out, []string{target}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(target)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	for hdr, err := tr.Next(); err == nil; hdr, err = tr.Next() {
		names = append(names, hdr.Name)
	}
	if slices.Contains(names, "today.tar.gz") || !slices.Contains(names, "data.db") {
		t.Fatalf("the archive holds %v: want data.db, and not itself", names)
	}
}
