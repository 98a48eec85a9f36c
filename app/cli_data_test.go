package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
