package transport_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// confineLayout is a machine's folders for the path checks:
//
//	top/            a folder outside everything
//	top/outside/    a folder the files root must not reach
//	top/data/       the data folder, with its secret key
//	top/data/files/ the default files root
//	top/data/files/in/, top/data/files/shared -> ../../outside (a link out),
//	top/data/files/inner -> in (a link that stays inside),
//	top/data/files/key -> .. (a link into the data folder),
//	top/data/files/gone -> nowhere (a link to nothing)
func confineLayout(t *testing.T) (top string) {
	t.Helper()
	top = t.TempDir()
	for _, dir := range []string{"outside", "data/files/in/archive"} {
		mkdir(t, filepath.Join(top, dir))
	}
	if err := os.WriteFile(filepath.Join(top, "data", "secret.key"), []byte("k"), 0o600); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{"shared": "../../outside", "inner": "in", "key": "..", "gone": "nowhere",
		"in/up": "../../../outside"}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(top, "data", "files", filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	return top
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestCheckLocal(t *testing.T) {
	top := confineLayout(t)
	data := filepath.Join(top, "data")
	roots := map[string]connectors.FilesRoot{
		"default": {Dir: filepath.Join(data, "files"), DataDir: data},
		"data":    {Dir: data, DataDir: data},
		"parent":  {Dir: top, DataDir: data},
		"none":    {DataDir: data},
	}
	tests := []struct {
		root, folder string
		want         string // "" when accepted, else a part of the error
	}{
		{"default", ".", ""},
		{"default", "in", ""},
		{"default", "in/archive", ""},
		{"default", "inner", ""},
		{"default", "not/yet/made", ""},
		{"default", "/etc", "not absolute"},
		{"default", filepath.Join(data, "files", "in"), "not absolute"},
		{"default", "..", "no .. or backslash"},
		{"default", "in/../..", "no .."},
		{"default", `in\..\..`, "no .."},
		{"default", "shared", "leads out of the files root"},
		{"default", "shared/sub", "leads out of the files root"},
		{"default", "in/up", "leads out of the files root"},
		{"default", "key", "leads out of the files root"},
		{"default", "gone", "leads nowhere"},
		{"data", ".", "is the data folder"},
		{"data", "files", ""},
		{"data", "files/in", ""},
		{"data", "backups", "inside the data folder"},
		{"data", "files/key", "is the data folder"},
		{"parent", ".", "holds the data folder"},
		{"parent", "data", "is the data folder"},
		{"parent", "data/pb_data_x", "inside the data folder"},
		{"parent", "data/files/in", ""},
		{"parent", "outside", ""},
		{"none", ".", "no files root is configured"},
	}
	for _, tt := range tests {
		t.Run(tt.root+" "+tt.folder, func(t *testing.T) {
			_, err := transport.CheckLocal(roots[tt.root], tt.folder)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckLocal = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, transport.ErrOutsideFilesRoot) {
				t.Fatalf("CheckLocal = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestCheckLocalSub(t *testing.T) {
	top := confineLayout(t)
	data := filepath.Join(top, "data")
	root := connectors.FilesRoot{Dir: filepath.Join(data, "files"), DataDir: data}
	mkdir(t, filepath.Join(root.Dir, "in", "nested"))
	mkdir(t, filepath.Join(root.Dir, "other"))
	if err := os.Symlink("../other", filepath.Join(root.Dir, "in", "sideways")); err != nil {
		t.Fatal(err)
	}
	real, err := transport.CheckLocal(root, "in")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		sub  string
		want string
	}{
		{"archive", ""},
		{".", ""},
		{"nested/deeper", ""},
		{"../../etc", "without .. or a leading /"},
		{"/tmp", "without .. or a leading /"},
		{"up", "leads out of the files root"},
		{"sideways", "leads out of the folder"},
	}
	for _, tt := range tests {
		t.Run(tt.sub, func(t *testing.T) {
			err := transport.CheckLocalSub(root, "in", real, tt.sub)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckLocalSub = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("CheckLocalSub = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// TestOpenLocalRefusesAFolderSwappedForALinkOut: a folder that was fine
// when it was saved is refused when it has become a link out of the files
// root.
func TestOpenLocalRefusesAFolderSwappedForALinkOut(t *testing.T) {
	top := confineLayout(t)
	data := filepath.Join(top, "data")
	root := connectors.FilesRoot{Dir: filepath.Join(data, "files"), DataDir: data}
	tr, err := transport.OpenLocal(root, "inner")
	if err != nil {
		t.Fatalf("OpenLocal(inner) = %v", err)
	}
	_ = tr.Close()
	link := filepath.Join(root.Dir, "inner")
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(top, "outside"), link); err != nil {
		t.Fatal(err)
	}
	_, err = transport.OpenLocal(root, "inner")
	if err == nil || !errors.Is(err, transport.ErrOutsideFilesRoot) {
		t.Fatalf("OpenLocal after the swap = %v, want it refused", err)
	}
	if class, _ := connectors.Classify(err); class != connectors.ClassPermanent {
		t.Fatalf("class %s, want permanent", class)
	}
}
