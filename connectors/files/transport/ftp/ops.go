package ftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/textproto"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// List implements [transport.Transport.List].
func (t *Transport) List(ctx context.Context, dir, pattern string) ([]transport.FileInfo, error) {
	p, err := t.full(dir)
	if err != nil {
		return nil, err
	}
	if _, err := transport.Match(pattern, "x"); err != nil {
		return nil, connectors.Permanent(err)
	}
	var out []transport.FileInfo
	err = t.control(ctx, "listing "+dir, func(c *ftp.ServerConn) error {
		if err := c.ChangeDir(p); err != nil {
			return err
		}
		entries, err := c.List(p)
		if err != nil {
			return err
		}
		out = listed(ctx, c, p, pattern, entries)
		return nil
	})
	return out, err
}

// listed keeps the regular files of a listing that match pattern, with
// their precise times where the listing has none; ctx is told of the
// matching entries left out (transport.WithSkips).
func listed(ctx context.Context, c *ftp.ServerConn, dir, pattern string, entries []*ftp.Entry) []transport.FileInfo {
	var out []transport.FileInfo
	for _, e := range entries {
		ok, _ := transport.Match(pattern, e.Name)
		if !ok || transport.Unlisted(ctx, e.Name, entryMode(e.Type)) != "" {
			continue
		}
		info := transport.FileInfo{Name: e.Name, Size: int64(e.Size), ModTime: e.Time}
		if !c.IsTimePreciseInList() {
			info.ModTime, info.CoarseTime = preciseTime(c, path.Join(dir, e.Name), e.Time)
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// preciseTime returns a file's time from MDTM, to the second, or, on a
// server that does not answer it (not offered, or refused: vsftpd with
// cmds_denied=MDTM), listed, the time its listing gave, which is coarse:
// to the minute, or the day for older files.
func preciseTime(c *ftp.ServerConn, p string, listed time.Time) (time.Time, bool) {
	if c.IsGetTimeSupported() {
		if mt, err := c.GetTime(p); err == nil {
			return mt, false
		}
	}
	return listed, true
}

// entryMode is the file mode of an FTP listing's entry type.
func entryMode(t ftp.EntryType) fs.FileMode {
	switch t {
	case ftp.EntryTypeFile:
		return 0
	case ftp.EntryTypeFolder:
		return fs.ModeDir
	case ftp.EntryTypeLink:
		return fs.ModeSymlink
	default:
		return fs.ModeIrregular
	}
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
		t.data.put(data, !isReply(err))
		return nil, t.fail("opening "+name, err)
	}
	return &reader{t: t, conn: data, resp: resp, name: name}, nil
}

// transfer returns a connection for one transfer, waiting while the
// transport has as many transfers under way as its sessions allow.
func (t *Transport) transfer(ctx context.Context) (*ftp.ServerConn, error) {
	return t.data.get(ctx, func() (*ftp.ServerConn, error) { return t.login(ctx) })
}

type reader struct {
	t    *Transport
	conn *ftp.ServerConn
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
	// after an error the connection may be out of step: it is dropped
	r.t.data.put(r.conn, err != nil)
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
		t.data.put(data, err != nil)
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

// Rename implements [transport.Transport.Rename], replacing the target.
// vsftpd and most servers rename onto an existing file; several refuse
// (RNTO answers 550 or 553 when the target exists): then, when both files
// are there, the target is removed and the rename tried again, as the
// SFTP transport does on a server without posix-rename. Between the two a
// reader finds no file; a process stopped there leaves the source, which
// the next publish renames into place.
func (t *Transport) Rename(ctx context.Context, from, to string) error {
	f, err := t.full(from)
	if err != nil {
		return err
	}
	p, err := t.full(to)
	if err != nil {
		return err
	}
	return t.control(ctx, "renaming "+from+" to "+to, func(c *ftp.ServerConn) error {
		err := c.Rename(f, p)
		if err == nil || !refusedOntoFile(c, err, f, p) {
			return err
		}
		if err := c.Delete(p); err != nil {
			return fmt.Errorf("removing the file the server would not rename onto: %w", err)
		}
		return c.Rename(f, p)
	})
}

// refusedOntoFile reports whether a rename from f to p was refused because
// p exists: the server answered 550 or 553, and both files are there.
func refusedOntoFile(c *ftp.ServerConn, err error, f, p string) bool {
	var perr *textproto.Error
	if !errors.As(err, &perr) || (perr.Code != ftp.StatusFileUnavailable && perr.Code != ftp.StatusBadFileName) {
		return false
	}
	_, ferr := c.FileSize(f)
	_, terr := c.FileSize(p)
	return ferr == nil && terr == nil
}

// Remove implements [transport.Transport.Remove].
func (t *Transport) Remove(ctx context.Context, name string) error {
	p, err := t.full(name)
	if err != nil {
		return err
	}
	return t.control(ctx, "removing "+name, func(c *ftp.ServerConn) error { return c.Delete(p) })
}

// Mkdir implements [transport.Transport.Mkdir], one level at a time.
func (t *Transport) Mkdir(ctx context.Context, dir string) error {
	p, err := transport.Clean(dir)
	if err != nil {
		return connectors.Permanent(fmt.Errorf("ftp: %w", err))
	}
	return t.control(ctx, "making folder "+dir, func(c *ftp.ServerConn) error { return makeDirs(c, t.base, p) })
}

// makeDirs makes the folders of rel under base that are missing.
func makeDirs(c *ftp.ServerConn, base, rel string) error {
	cur := base
	for _, part := range strings.Split(rel, "/") {
		if part == "." || part == "" {
			continue
		}
		cur = path.Join(cur, part)
		if c.ChangeDir(cur) == nil {
			continue
		}
		if err := c.MakeDir(cur); err != nil {
			return err
		}
	}
	return nil
}

// Stat implements [transport.Transport.Stat] with SIZE and MDTM for files
// and CWD for folders.
func (t *Transport) Stat(ctx context.Context, name string) (transport.FileInfo, error) {
	p, err := t.full(name)
	if err != nil {
		return transport.FileInfo{}, err
	}
	var info transport.FileInfo
	err = t.control(ctx, "stat "+name, func(c *ftp.ServerConn) error {
		size, err := c.FileSize(p)
		if err == nil {
			info = transport.FileInfo{Name: path.Base(p), Size: size}
			info.ModTime, info.CoarseTime, err = statTime(c, p)
			return err
		}
		if c.ChangeDir(p) == nil {
			info = transport.FileInfo{Name: path.Base(p), Dir: true}
			return nil
		}
		return err
	})
	return info, err
}

// statTime returns a file's time from MDTM or, on a server that does not
// answer it, from a listing of its folder (coarse, see preciseTime): a time
// left zero would make every version of a file look the same. A file the
// listing leaves out (a hidden name: an upload's temporary) exists all the
// same, SIZE found it: it gets no time.
func statTime(c *ftp.ServerConn, p string) (time.Time, bool, error) {
	if c.IsGetTimeSupported() {
		if mt, err := c.GetTime(p); err == nil {
			return mt, false, nil
		}
	}
	entries, err := c.List(path.Dir(p))
	if err != nil {
		return time.Time{}, true, fmt.Errorf("listing the folder for the file's time (the server does not answer MDTM): %w", err)
	}
	for _, e := range entries {
		if e.Name == path.Base(p) {
			return e.Time, !c.IsTimePreciseInList(), nil
		}
	}
	return time.Time{}, true, nil
}

// control runs fn on the command connection, one command at a time,
// logging in again first when the connection broke: a server closes idle
// sessions, and one connection is kept for many runs. An error that is
// not the server's answer leaves the connection to be dialled again.
func (t *Transport) control(ctx context.Context, op string, fn func(c *ftp.ServerConn) error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return connectors.Permanent(fmt.Errorf("ftp: %s: the connection is closed", op))
	}
	if t.ctl == nil {
		c, err := t.login(ctx)
		if err != nil {
			return err
		}
		t.ctl = c
	}
	if err := fn(t.ctl); err != nil {
		if !isReply(err) {
			_ = t.ctl.Quit()
			t.ctl = nil
		}
		return t.fail(op, err)
	}
	return nil
}

// isReply reports whether err is the server's answer to a command, after
// which the connection is still in step.
func isReply(err error) bool {
	var perr *textproto.Error
	return errors.As(err, &perr)
}
