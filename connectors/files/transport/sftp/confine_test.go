package sftp

import (
	"context"
	"errors"
	"io"
	"path"
	"slices"
	"testing"

	"github.com/pkg/sftp"

	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// TestSymlinksCannotLeadOut plays a sender with write access to the folder
// who puts symbolic links to a folder beside it, where the connection must
// never read or write: every operation through such a link is refused,
// while a link that stays inside the folder works.
func TestSymlinksCannotLeadOut(t *testing.T) {
	cfg, _ := server(t)
	tr := fresh(t, cfg).(*Transport)
	defer tr.Close()
	c := tr.client
	outside := tr.base + "-outside"
	mustDo(t, c.Mkdir(outside))
	put(t, c, path.Join(outside, "secret.csv"), "secret")
	mustDo(t, c.Mkdir(path.Join(tr.base, "in")))
	put(t, c, path.Join(tr.base, "in", "a.csv"), "a")
	mustDo(t, c.Symlink(path.Join(outside, "secret.csv"), path.Join(tr.base, "secret.csv")))
	mustDo(t, c.Symlink(outside, path.Join(tr.base, "out")))
	mustDo(t, c.Symlink("in", path.Join(tr.base, "ok")))

	ops := []struct {
		name string
		op   func() error
	}{
		{"open a file link", func() error { return open(tr, "secret.csv") }},
		{"stat a file link", func() error { _, err := tr.Stat(ctx(t), "secret.csv"); return err }},
		{"open through a folder link", func() error { return open(tr, "out/secret.csv") }},
		{"stat a folder link", func() error { _, err := tr.Stat(ctx(t), "out"); return err }},
		{"list a folder link", func() error { _, err := tr.List(ctx(t), "out", ""); return err }},
		{"create through a folder link", func() error {
			w, err := tr.Create(ctx(t), "out/new.csv")
			if err == nil {
				_ = w.Close()
			}
			return err
		}},
		{"rename into a folder link", func() error { return tr.Rename(ctx(t), "in/a.csv", "out/a.csv") }},
		{"rename out of a folder link", func() error { return tr.Rename(ctx(t), "out/secret.csv", "taken.csv") }},
		{"make a folder in a folder link", func() error { return tr.Mkdir(ctx(t), "out/archive/2026") }},
		{"remove through a folder link", func() error { return tr.Remove(ctx(t), "out/secret.csv") }},
	}
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			if err := o.op(); !errors.Is(err, transport.ErrUnsafePath) {
				t.Fatalf("err = %v, want %v", err, transport.ErrUnsafePath)
			}
		})
	}

	entries, err := c.ReadDir(outside)
	mustDo(t, err)
	if len(entries) != 1 || entries[0].Name() != "secret.csv" {
		t.Fatalf("the folder outside was changed: %v", entries)
	}
	if err := open(tr, "ok/a.csv"); err != nil {
		t.Fatalf("a link inside the folder: %v", err)
	}
	list, err := tr.List(ctx(t), "ok", "")
	if err != nil || !slices.ContainsFunc(list, func(f transport.FileInfo) bool { return f.Name == "a.csv" }) {
		t.Fatalf("listing a link inside the folder: %v %v", list, err)
	}
}

func open(tr *Transport, name string) error {
	rc, err := tr.Open(context.Background(), name)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	return err
}

func put(t *testing.T, c *sftp.Client, p, content string) {
	t.Helper()
	f, err := c.Create(p)
	mustDo(t, err)
	_, err = f.Write([]byte(content))
	mustDo(t, err)
	mustDo(t, f.Close())
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
