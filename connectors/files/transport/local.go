package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"syscall"

	"github.com/switchboard-app/switchboard/connectors"
)

// Local is a [Transport] on a folder of the machine Switchboard runs on,
// inside the files root. It goes through os.Root, so even a symbolic link
// cannot lead out of the folder.
type Local struct {
	root *os.Root
	dir  string
}

// OpenLocal opens folder, given relative to the files root, which must
// exist. The folder is checked with [CheckLocal] and opened through the
// files root's os.Root, and what was opened must be what was checked: a
// symbolic link swapped in meanwhile cannot lead it elsewhere.
func OpenLocal(files connectors.FilesRoot, folder string) (*Local, error) {
	real, err := CheckLocal(files, folder)
	if err != nil {
		return nil, connectors.Permanent(err)
	}
	base, err := os.OpenRoot(files.Dir)
	if err != nil {
		return nil, classify(connectors.FilesRootError(files.Dir, err))
	}
	defer base.Close()
	clean, _ := Clean(folder) // CheckLocal accepted it
	root, err := base.OpenRoot(clean)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, connectors.Permanent(fmt.Errorf("folder %s does not exist in the files root %s", folder, files.Dir))
		}
		return nil, classify(fmt.Errorf("opening folder %s in the files root %s: %w", folder, files.Dir, err))
	}
	if err := sameFolder(root, real); err != nil {
		_ = root.Close()
		return nil, connectors.Permanent(fmt.Errorf("folder %s: %w", folder, err))
	}
	return &Local{root: root, dir: real}, nil
}

// sameFolder checks that the opened root is the folder at path real.
func sameFolder(root *os.Root, real string) error {
	opened, err := root.Stat(".")
	if err != nil {
		return err
	}
	checked, err := os.Stat(real)
	if err != nil || !os.SameFile(opened, checked) {
		return fmt.Errorf("changed while it was opened: %w", ErrOutsideFilesRoot)
	}
	return nil
}

// List implements [Transport.List].
func (l *Local) List(ctx context.Context, dir, pattern string) ([]FileInfo, error) {
	p, err := Clean(dir)
	if err != nil {
		return nil, connectors.Permanent(err)
	}
	f, err := l.root.Open(p)
	if err != nil {
		return nil, l.fail("listing", dir, err)
	}
	defer f.Close()
	entries, err := f.ReadDir(-1)
	if err != nil {
		return nil, l.fail("listing", dir, err)
	}
	var out []FileInfo
	for _, e := range entries {
		if ok, err := Match(pattern, e.Name()); err != nil {
			return nil, connectors.Permanent(err)
		} else if !ok || Unlisted(ctx, e.Name(), e.Type()) != "" {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		out = append(out, FileInfo{Name: e.Name(), Size: info.Size(), ModTime: info.ModTime()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Open implements [Transport.Open].
func (l *Local) Open(_ context.Context, name string) (io.ReadCloser, error) {
	p, err := Clean(name)
	if err != nil {
		return nil, connectors.Permanent(err)
	}
	f, err := l.root.Open(p)
	if err != nil {
		return nil, l.fail("opening", name, err)
	}
	return f, nil
}

// Create implements [Transport.Create].
func (l *Local) Create(_ context.Context, name string) (io.WriteCloser, error) {
	p, err := Clean(name)
	if err != nil {
		return nil, connectors.Permanent(err)
	}
	f, err := l.root.Create(p)
	if err != nil {
		return nil, l.fail("creating", name, err)
	}
	return &localWriter{f: f, l: l, name: name}, nil
}

type localWriter struct {
	f    *os.File
	l    *Local
	name string
}

func (w *localWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		return n, w.l.fail("writing", w.name, err)
	}
	return n, nil
}

func (w *localWriter) Close() error {
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return w.l.fail("writing", w.name, err)
	}
	return nil
}

// Rename implements [Transport.Rename].
func (l *Local) Rename(_ context.Context, from, to string) error {
	f, err := Clean(from)
	if err != nil {
		return connectors.Permanent(err)
	}
	t, err := Clean(to)
	if err != nil {
		return connectors.Permanent(err)
	}
	if err := l.root.Rename(f, t); err != nil {
		return l.fail("renaming", from+" to "+to, err)
	}
	return nil
}

// Remove implements [Transport.Remove].
func (l *Local) Remove(_ context.Context, name string) error {
	p, err := Clean(name)
	if err != nil {
		return connectors.Permanent(err)
	}
	if err := l.root.Remove(p); err != nil {
		return l.fail("removing", name, err)
	}
	return nil
}

// Mkdir implements [Transport.Mkdir].
func (l *Local) Mkdir(_ context.Context, dir string) error {
	p, err := Clean(dir)
	if err != nil {
		return connectors.Permanent(err)
	}
	if err := l.root.MkdirAll(p, 0o755); err != nil {
		return l.fail("making folder", dir, err)
	}
	return nil
}

// Stat implements [Transport.Stat].
func (l *Local) Stat(_ context.Context, name string) (FileInfo, error) {
	p, err := Clean(name)
	if err != nil {
		return FileInfo{}, connectors.Permanent(err)
	}
	info, err := l.root.Stat(p)
	if err != nil {
		return FileInfo{}, l.fail("stat", name, err)
	}
	return FileInfo{Name: info.Name(), Size: info.Size(), ModTime: info.ModTime(), Dir: info.IsDir()}, nil
}

// Close implements [Transport.Close].
func (l *Local) Close() error { return l.root.Close() }

// Moved reports whether the folder at the checked path is no longer the
// one opened (renamed, deleted or replaced since), so that a transport
// kept from one run to the next is opened again on the folder the
// connection names instead of writing into the old one.
func (l *Local) Moved() bool { return sameFolder(l.root, l.dir) != nil }

func (l *Local) fail(op, name string, err error) error {
	return classify(fmt.Errorf("%s %s in %s: %w", op, name, l.dir, err))
}

// classify marks a full disk as transient and with a clear message,
// missing files and refused access as permanent, and leaves the rest to
// [connectors.Classify].
func classify(err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return connectors.Transient(fmt.Errorf("disk full: %w", err))
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return connectors.Permanent(err)
	}
	return err
}

var _ Transport = (*Local)(nil)
