package transport_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
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

// TestSub runs the transport checks on a sub-folder of a local folder,
// and checks that its files land in the sub-folder.
func TestSub(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transport.Transport {
		dir := t.TempDir()
		tr, err := transport.OpenLocal(connectors.FilesRoot{Dir: dir}, ".")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tr.Close() })
		if err := tr.Mkdir(context.Background(), "flows/orders"); err != nil {
			t.Fatal(err)
		}
		sub, err := transport.Sub(tr, "flows/orders")
		if err != nil {
			t.Fatal(err)
		}
		if err := transport.Put(context.Background(), sub, "probe.txt", strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "flows", "orders", "probe.txt")); err != nil {
			t.Fatalf("a file put through the sub-folder is not in it: %v", err)
		}
		if err := sub.Remove(context.Background(), "probe.txt"); err != nil {
			t.Fatal(err)
		}
		return sub
	})
	for _, dir := range []string{"../x", "/etc", `a\b`} {
		if _, err := transport.Sub(nil, dir); !errors.Is(err, transport.ErrUnsafePath) {
			t.Errorf("Sub(%q) = %v, want ErrUnsafePath", dir, err)
		}
	}
}
