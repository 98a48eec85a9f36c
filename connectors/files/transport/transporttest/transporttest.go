package transporttest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// Open returns a transport on an empty folder, closed by the suite.
type Open func(t *testing.T) transport.Transport

// Run runs the checks, each on a fresh transport.
func Run(t *testing.T, open Open) {
	checks := []struct {
		name string
		fn   func(t *testing.T, ctx context.Context, tr transport.Transport)
	}{
		{"put, list, open, stat", checkPutListOpen},
		{"put replaces atomically", checkReplace},
		{"rename into a sub-folder and remove", checkRenameRemove},
		{"missing files and folders", checkMissing},
		{"unsafe paths are refused", checkUnsafe},
		{"a large file streams intact", checkLarge},
		{"names with spaces, dashes and other characters", checkAwkwardNames},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			tr := open(t)
			t.Cleanup(func() { _ = tr.Close() })
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			c.fn(t, ctx, tr)
		})
	}
}

func put(t *testing.T, ctx context.Context, tr transport.Transport, name, body string) {
	t.Helper()
	if err := transport.Put(ctx, tr, name, strings.NewReader(body)); err != nil {
		t.Fatalf("Put %s: %v", name, err)
	}
}

func read(t *testing.T, ctx context.Context, tr transport.Transport, name string) string {
	t.Helper()
	rc, err := tr.Open(ctx, name)
	if err != nil {
		t.Fatalf("Open %s: %v", name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	return string(b)
}

func names(list []transport.FileInfo) string {
	var out []string
	for _, f := range list {
		out = append(out, f.Name)
	}
	return strings.Join(out, ",")
}

func checkPutListOpen(t *testing.T, ctx context.Context, tr transport.Transport) {
	if err := tr.Mkdir(ctx, "in/sub"); err != nil {
		t.Fatalf("Mkdir: %v", err)
	}
	if err := tr.Mkdir(ctx, "in"); err != nil {
		t.Fatalf("Mkdir of an existing folder: %v", err)
	}
	put(t, ctx, tr, "in/b.csv", "sku\nB\n")
	put(t, ctx, tr, "in/a.csv", "sku\nA\n")
	put(t, ctx, tr, "in/c.txt", "x")
	list, err := tr.List(ctx, "in", "*.csv")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if names(list) != "a.csv,b.csv" || list[0].Size != 6 || list[0].ModTime.IsZero() {
		t.Fatalf("List = %+v, want a.csv and b.csv of 6 bytes with times", list)
	}
	var told []string
	tell := transport.WithSkips(ctx, func(name, why string) { told = append(told, name+": "+why) })
	if all, _ := tr.List(tell, "in", ""); names(all) != "a.csv,b.csv,c.txt" {
		t.Fatalf("List without pattern = %s (folders must be left out)", names(all))
	}
	if strings.Join(told, "|") != "sub: "+transport.WhyFolder {
		t.Fatalf("the listing told of %q left out, want the folder sub", told)
	}
	if got := read(t, ctx, tr, "in/a.csv"); got != "sku\nA\n" {
		t.Fatalf("read %q", got)
	}
	info, err := tr.Stat(ctx, "in/a.csv")
	if err != nil || info.Size != 6 || info.Dir || info.ModTime.IsZero() {
		t.Fatalf("Stat = %+v, %v", info, err)
	}
	if info, err := tr.Stat(ctx, "in/sub"); err != nil || !info.Dir {
		t.Fatalf("Stat folder = %+v, %v", info, err)
	}
	// A hidden file (an upload's temporary), which FTP listings leave out,
	// is there for Stat: a publish takes a temporary Stat did not find as
	// one renamed already.
	w, err := tr.Create(ctx, "in/.a.csv.part")
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := io.WriteString(w, "sku\n"); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if info, err := tr.Stat(ctx, "in/.a.csv.part"); err != nil || info.Size != 4 {
		t.Fatalf("Stat of a hidden file = %+v, %v", info, err)
	}
	if err := tr.Remove(ctx, "in/.a.csv.part"); err != nil {
		t.Fatalf("Remove: %v", err)
	}
}

func checkReplace(t *testing.T, ctx context.Context, tr transport.Transport) {
	put(t, ctx, tr, "f.xml", "<old/>")
	put(t, ctx, tr, "f.xml", "<new/>")
	if got := read(t, ctx, tr, "f.xml"); got != "<new/>" {
		t.Fatalf("read %q after replacing", got)
	}
	if all, _ := tr.List(ctx, ".", ""); names(all) != "f.xml" {
		t.Fatalf("left behind: %s", names(all))
	}
}

func checkRenameRemove(t *testing.T, ctx context.Context, tr transport.Transport) {
	put(t, ctx, tr, "a.csv", "1")
	if err := tr.Mkdir(ctx, "archive"); err != nil {
		t.Fatal(err)
	}
	if err := tr.Rename(ctx, "a.csv", "archive/a.csv"); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	if ok, _ := transport.Exists(ctx, tr, "a.csv"); ok {
		t.Fatal("a.csv still there after the move")
	}
	if err := tr.Rename(ctx, "a.csv", "archive/b.csv"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("renaming a missing file: %v, want fs.ErrNotExist (a claim race)", err)
	}
	if err := tr.Remove(ctx, "archive/a.csv"); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if ok, err := transport.Exists(ctx, tr, "archive/a.csv"); ok || err != nil {
		t.Fatalf("after Remove: exists=%v err=%v", ok, err)
	}
}

func checkMissing(t *testing.T, ctx context.Context, tr transport.Transport) {
	if _, err := tr.Open(ctx, "nope.csv"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open missing: %v, want fs.ErrNotExist", err)
	}
	if _, err := tr.Stat(ctx, "nope.csv"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat missing: %v, want fs.ErrNotExist", err)
	}
	_, err := tr.List(ctx, "no-such-folder", "*")
	if err == nil {
		t.Fatal("List of a missing folder: no error")
	}
	if class, _ := connectors.Classify(err); class != connectors.ClassPermanent {
		t.Fatalf("List of a missing folder: %v classified %s, want permanent", err, class)
	}
}

func checkUnsafe(t *testing.T, ctx context.Context, tr transport.Transport) {
	for _, p := range []string{"../x.csv", "/etc/passwd", "a/../../x", "..", "a\\..\\b"} {
		if _, err := tr.Open(ctx, p); !errors.Is(err, transport.ErrUnsafePath) {
			t.Errorf("Open %q: %v, want ErrUnsafePath", p, err)
		}
		if _, err := tr.Create(ctx, p); !errors.Is(err, transport.ErrUnsafePath) {
			t.Errorf("Create %q: %v, want ErrUnsafePath", p, err)
		}
		if err := tr.Rename(ctx, "x", p); !errors.Is(err, transport.ErrUnsafePath) {
			t.Errorf("Rename to %q: %v, want ErrUnsafePath", p, err)
		}
		if _, err := tr.List(ctx, p, "*"); !errors.Is(err, transport.ErrUnsafePath) {
			t.Errorf("List %q: %v, want ErrUnsafePath", p, err)
		}
	}
}

func checkLarge(t *testing.T, ctx context.Context, tr transport.Transport) {
	body := bytes.Repeat([]byte("0123456789abcdef\n"), 300_000) // ~5 MB
	if err := transport.Put(ctx, tr, "big.csv", bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	if got := read(t, ctx, tr, "big.csv"); got != string(body) {
		t.Fatalf("read %d bytes, want %d identical", len(got), len(body))
	}
}

// awkwardNames are file names senders use that a listing, a path or a
// command line may mangle: spaces (doubled, leading, trailing), a leading
// dash, characters outside ASCII, quotes and brackets.
var awkwardNames = []string{
	"order 1.csv", "order  2.csv", " lead.csv", "trail .csv", "-dash.csv", "Müller.csv", "漢字.csv",
	"it's.csv", "[1] (a) #2 %3.csv", "a;b,c.csv",
}

func checkAwkwardNames(t *testing.T, ctx context.Context, tr transport.Transport) {
	if err := tr.Mkdir(ctx, "in dir/archive"); err != nil {
		t.Fatalf("Mkdir: %v", err)
	}
	for _, name := range awkwardNames {
		put(t, ctx, tr, "in dir/"+name, name)
	}
	list, err := tr.List(ctx, "in dir", "*.csv")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	listed := map[string]bool{}
	for _, f := range list {
		listed[f.Name] = true
	}
	for _, name := range awkwardNames {
		p := "in dir/" + name
		if !listed[name] {
			t.Errorf("List: %q missing from %q", name, names(list))
			continue
		}
		if got := read(t, ctx, tr, p); got != name {
			t.Errorf("read %q: %q", p, got)
		}
		if info, err := tr.Stat(ctx, p); err != nil || info.Size != int64(len(name)) || info.ModTime.IsZero() {
			t.Errorf("Stat %q = %+v, %v", p, info, err)
		}
		if err := tr.Rename(ctx, p, "in dir/archive/"+name); err != nil {
			t.Errorf("Rename %q: %v", p, err)
		}
		if err := tr.Remove(ctx, "in dir/archive/"+name); err != nil {
			t.Errorf("Remove %q: %v", name, err)
		}
	}
}
