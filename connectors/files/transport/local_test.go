package transport_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
	"github.com/switchboard-app/switchboard/connectors/files/transport/transporttest"
)

func TestLocal(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transport.Transport {
		tr, err := transport.OpenLocal(connectors.FilesRoot{Dir: t.TempDir()}, ".")
		if err != nil {
			t.Fatal(err)
		}
		return tr
	})
}

func TestOpenLocalMissing(t *testing.T) {
	if _, err := transport.OpenLocal(connectors.FilesRoot{Dir: t.TempDir()}, "missing"); err == nil {
		t.Fatal("want an error for a missing folder")
	}
}

func TestCleanAndCheckName(t *testing.T) {
	tests := []struct {
		in       string
		cleanOK  bool
		nameOK   bool
		wantPath string
	}{
		{"a.csv", true, true, "a.csv"},
		{"in/a.csv", true, false, "in/a.csv"},
		{"", true, false, "."},
		{"./x/./y", true, false, "x/y"},
		{"../a", false, false, ""},
		{"/abs", false, false, ""},
		{"a/..", false, false, ""},
		{"..", false, false, ""},
		{"a\\b", false, false, ""},
		{"bad\nname", true, false, "bad\nname"},
	}
	for _, tt := range tests {
		got, err := transport.Clean(tt.in)
		if (err == nil) != tt.cleanOK || got != tt.wantPath {
			t.Errorf("Clean(%q) = %q, %v", tt.in, got, err)
		}
		if err := transport.CheckName(tt.in); (err == nil) != tt.nameOK {
			t.Errorf("CheckName(%q) = %v", tt.in, err)
		}
	}
}

func TestLocalListLeavesOutUnsafeNames(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"ok.csv", "bad\nname.csv", "tab\tname.csv"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "link.csv")); err != nil {
		t.Fatal(err)
	}
	tr, err := transport.OpenLocal(connectors.FilesRoot{Dir: dir}, ".")
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	list, err := tr.List(context.Background(), ".", "*.csv")
	if err != nil || len(list) != 1 || list[0].Name != "ok.csv" {
		t.Fatalf("List = %+v, %v; want only ok.csv", list, err)
	}
	if _, err := tr.Open(context.Background(), "link.csv"); err == nil {
		t.Fatal("a symlink out of the folder was followed")
	}
}
