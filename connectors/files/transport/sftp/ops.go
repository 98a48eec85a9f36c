package sftp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/pkg/sftp"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// List implements [transport.Transport.List].
func (t *Transport) List(ctx context.Context, dir, pattern string) ([]transport.FileInfo, error) {
	defer t.guard(ctx)()
	p, err := t.full(dir)
	if err != nil {
		return nil, err
	}
	entries, err := t.client.ReadDir(p)
	if err != nil {
		return nil, t.fail("listing "+dir, err)
	}
	var out []transport.FileInfo
	for _, e := range entries {
		ok, err := transport.Match(pattern, e.Name())
		if err != nil {
			return nil, connectors.Permanent(err)
		}
		if !ok || transport.Unlisted(ctx, e.Name(), e.Mode()) != "" {
			continue
		}
		out = append(out, transport.FileInfo{Name: e.Name(), Size: e.Size(), ModTime: e.ModTime()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Open implements [transport.Transport.Open].
func (t *Transport) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	defer t.guard(ctx)()
	p, err := t.full(name)
	if err != nil {
		return nil, err
	}
	f, err := t.client.Open(p)
	if err != nil {
		return nil, t.fail("opening "+name, err)
	}
	return &reader{t: t, f: f, br: buffered(f), name: name}, nil
}

type reader struct {
	t    *Transport
	f    *sftp.File
	br   *bufio.Reader
	name string
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.br.Read(p)
	if err != nil && err != io.EOF {
		return n, r.t.fail("reading "+r.name, err)
	}
	return n, err
}

func (r *reader) Close() error { return r.f.Close() }

// Create implements [transport.Transport.Create].
func (t *Transport) Create(ctx context.Context, name string) (io.WriteCloser, error) {
	defer t.guard(ctx)()
	p, err := t.full(name)
	if err != nil {
		return nil, err
	}
	f, err := t.client.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return nil, t.fail("creating "+name, err)
	}
	return &writer{t: t, f: f, name: name}, nil
}

type writer struct {
	t    *Transport
	f    *sftp.File
	name string
}

func (w *writer) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		return n, w.t.fail("writing "+w.name, err)
	}
	return n, nil
}

func (w *writer) Close() error {
	if err := w.f.Close(); err != nil {
		return w.t.fail("writing "+w.name, err)
	}
	return nil
}

// Rename implements [transport.Transport.Rename], replacing the target
// (OpenSSH's posix-rename, or remove and rename where it is missing).
func (t *Transport) Rename(ctx context.Context, from, to string) error {
	defer t.guard(ctx)()
	f, err := t.full(from)
	if err != nil {
		return err
	}
	p, err := t.full(to)
	if err != nil {
		return err
	}
	err = t.client.PosixRename(f, p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) {
		if _, statErr := t.client.Stat(p); statErr == nil {
			_ = t.client.Remove(p)
		}
		err = t.client.Rename(f, p)
	}
	if err != nil {
		return t.fail("renaming "+from+" to "+to, err)
	}
	return nil
}

// Remove implements [transport.Transport.Remove].
func (t *Transport) Remove(ctx context.Context, name string) error {
	defer t.guard(ctx)()
	p, err := t.full(name)
	if err != nil {
		return err
	}
	if err := t.client.Remove(p); err != nil {
		return t.fail("removing "+name, err)
	}
	return nil
}

// Mkdir implements [transport.Transport.Mkdir].
func (t *Transport) Mkdir(ctx context.Context, dir string) error {
	defer t.guard(ctx)()
	p, err := t.full(dir)
	if err != nil {
		return err
	}
	if err := t.client.MkdirAll(p); err != nil {
		return t.fail("making folder "+dir, err)
	}
	return nil
}

// Stat implements [transport.Transport.Stat].
func (t *Transport) Stat(ctx context.Context, name string) (transport.FileInfo, error) {
	defer t.guard(ctx)()
	p, err := t.full(name)
	if err != nil {
		return transport.FileInfo{}, err
	}
	info, err := t.client.Stat(p)
	if err != nil {
		return transport.FileInfo{}, t.fail("stat "+name, err)
	}
	return transport.FileInfo{Name: info.Name(), Size: info.Size(), ModTime: info.ModTime(), Dir: info.IsDir()}, nil
}

// fail classifies: missing files and refused access are permanent, a
// broken connection transient, anything else the server refused permanent.
func (t *Transport) fail(op string, err error) error {
	wrapped := fmt.Errorf("sftp: %s: %w", op, err)
	var status *sftp.StatusError
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return connectors.Permanent(wrapped)
	case errors.As(err, &status):
		// 14 and 15 are SFTP v5+ "no space" and "quota exceeded"
		if status.Code == 14 || status.Code == 15 || strings.Contains(strings.ToLower(status.Error()), "space") {
			return connectors.Transient(fmt.Errorf("sftp: %s: the server's disk is full: %w", op, err))
		}
		return connectors.Permanent(wrapped)
	}
	return connectors.Transient(wrapped)
}

// guard closes the connection if ctx ends while an operation waits on the
// server, so a cancelled or timed-out run never hangs on a silent server.
// The returned function ends the guard.
func (t *Transport) guard(ctx context.Context) func() bool {
	return context.AfterFunc(ctx, func() { _ = t.ssh.Close() })
}
