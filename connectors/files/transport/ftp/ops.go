package ftp

import (
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/jlaffaye/ftp"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// List implements [transport.Transport.List].
func (t *Transport) List(_ context.Context, dir, pattern string) ([]transport.FileInfo, error) {
	p, err := t.full(dir)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.ctl.ChangeDir(p); err != nil {
		return nil, t.fail("listing "+dir, err)
	}
	entries, err := t.ctl.List(p)
	if err != nil {
		return nil, t.fail("listing "+dir, err)
	}
	var out []transport.FileInfo
	for _, e := range entries {
		ok, err := transport.Match(pattern, e.Name)
		if err != nil {
			return nil, connectors.Permanent(err)
		}
		if e.Type != ftp.EntryTypeFile || !ok || transport.CheckName(e.Name) != nil {
			continue
		}
		info := transport.FileInfo{Name: e.Name, Size: int64(e.Size), ModTime: e.Time}
		if !t.ctl.IsTimePreciseInList() && t.ctl.IsGetTimeSupported() {
			if mt, err := t.ctl.GetTime(path.Join(p, e.Name)); err == nil {
				info.ModTime = mt
			}
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Open implements [transport.Transport.Open] on the transfer connection.
func (t *Transport) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	p, err := t.full(name)
	if err != nil {
		return nil, err
	}
	data, err := t.transfer(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := data.Retr(p)
	if err != nil {
		t.release()
		return nil, t.fail("opening "+name, err)
	}
	return &reader{t: t, resp: resp, name: name}, nil
}

// transfer returns the transfer connection, dialling it on first use.
func (t *Transport) transfer(ctx context.Context) (*ftp.ServerConn, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.busy {
		return nil, errBusy
	}
	if t.data == nil {
		c, err := t.login(ctx)
		if err != nil {
			return nil, err
		}
		t.data = c
	}
	t.busy = true
	return t.data, nil
}

func (t *Transport) release() {
	t.mu.Lock()
	t.busy = false
	t.mu.Unlock()
}

type reader struct {
	t    *Transport
	resp *ftp.Response
	name string
	done bool
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.resp.Read(p)
	if err != nil && err != io.EOF {
		return n, r.t.fail("reading "+r.name, err)
	}
	return n, err
}

func (r *reader) Close() error {
	if r.done {
		return nil
	}
	r.done = true
	err := r.resp.Close()
	if err != nil {
		// the transfer connection may be out of step: drop it
		r.t.mu.Lock()
		_ = r.t.data.Quit()
		r.t.data = nil
		r.t.mu.Unlock()
	}
	r.t.release()
	return nil
}

// Create implements [transport.Transport.Create]: the data streams to the
// server through a pipe while the caller writes.
func (t *Transport) Create(ctx context.Context, name string) (io.WriteCloser, error) {
	p, err := t.full(name)
	if err != nil {
		return nil, err
	}
	data, err := t.transfer(ctx)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	w := &writer{pw: pw, done: make(chan error, 1)}
	go func() {
		err := data.Stor(p, pr)
		_ = pr.CloseWithError(err)
		t.release()
		if err != nil {
			err = t.fail("uploading "+name, err)
		}
		w.done <- err
	}()
	return w, nil
}

type writer struct {
	pw   *io.PipeWriter
	done chan error
}

func (w *writer) Write(p []byte) (int, error) { return w.pw.Write(p) }

func (w *writer) Close() error {
	_ = w.pw.Close()
	return <-w.done
}

// Rename implements [transport.Transport.Rename].
func (t *Transport) Rename(_ context.Context, from, to string) error {
	f, err := t.full(from)
	if err != nil {
		return err
	}
	p, err := t.full(to)
	if err != nil {
		return err
	}
	return t.command("renaming "+from+" to "+to, func(c *ftp.ServerConn) error { return c.Rename(f, p) })
}

// Remove implements [transport.Transport.Remove].
func (t *Transport) Remove(_ context.Context, name string) error {
	p, err := t.full(name)
	if err != nil {
		return err
	}
	return t.command("removing "+name, func(c *ftp.ServerConn) error { return c.Delete(p) })
}

// Mkdir implements [transport.Transport.Mkdir], one level at a time.
func (t *Transport) Mkdir(_ context.Context, dir string) error {
	p, err := transport.Clean(dir)
	if err != nil {
		return connectors.Permanent(fmt.Errorf("ftp: %w", err))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := t.base
	for _, part := range strings.Split(p, "/") {
		if part == "." {
			continue
		}
		cur = path.Join(cur, part)
		if t.ctl.ChangeDir(cur) == nil {
			continue
		}
		if err := t.ctl.MakeDir(cur); err != nil {
			return t.fail("making folder "+dir, err)
		}
	}
	return nil
}

// Stat implements [transport.Transport.Stat] with SIZE and MDTM for files
// and CWD for folders.
func (t *Transport) Stat(_ context.Context, name string) (transport.FileInfo, error) {
	p, err := t.full(name)
	if err != nil {
		return transport.FileInfo{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	size, err := t.ctl.FileSize(p)
	if err == nil {
		info := transport.FileInfo{Name: path.Base(p), Size: size}
		info.ModTime, _ = t.ctl.GetTime(p)
		return info, nil
	}
	if t.ctl.ChangeDir(p) == nil {
		return transport.FileInfo{Name: path.Base(p), Dir: true}, nil
	}
	return transport.FileInfo{}, t.fail("stat "+name, err)
}

func (t *Transport) command(op string, fn func(c *ftp.ServerConn) error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := fn(t.ctl); err != nil {
		return t.fail(op, err)
	}
	return nil
}
