package files

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// A written file becomes visible in two steps: Prepare uploads it under a
// hidden temporary name (noted first in the journal), the engine records
// the writes it holds, and Publish renames it into place. A start's
// Recover renames what the engine recorded and removes the rest.

// staged is a file uploaded under a temporary name, both paths from the
// connection's folder.
type staged struct {
	Temp string `json:"t"`
	Name string `json:"n"`
}

// preparedFiles is what Prepare hands the engine: the files and the
// journal batch that lists their temporaries.
type preparedFiles struct {
	Batch string   `json:"b,omitempty"`
	Files []staged `json:"f"`
}

// tempSeq keeps the temporary names of one process apart.
var tempSeq atomic.Int64

// tempName is the hidden name a file is uploaded under in its folder: its
// name, its owner and a number of the process's own.
func tempName(name string, by owner) string {
	dir, base := path.Split(name)
	suffix := "." + by.String() + "." + strconv.FormatInt(tempSeq.Add(1), 10) + ".part"
	return dir + "." + fitName(base, len(suffix)-partRoom+1) + suffix
}

// stage uploads r as the file name of the flow's output folder, under a
// temporary name noted in the journal first.
func (c *Conn) stage(ctx context.Context, o options, name string, r io.Reader) (st staged, err error) {
	root, err := c.transport(ctx, o.mkdirBase)
	if err != nil {
		return staged{}, err
	}
	defer func() { c.broke(root, err) }()
	tr, err := c.flowFolder(ctx, o, connectors.UseWrite)
	if err != nil {
		return staged{}, err
	}
	if err := tr.Mkdir(ctx, o.output); err != nil {
		return staged{}, err
	}
	rel := path.Join(o.output, name)
	temp := tempName(rel, c.owner)
	st = staged{Temp: path.Join(o.dir, temp), Name: path.Join(o.dir, rel)}
	if err := c.journal.note(st.Temp); err != nil {
		return staged{}, err
	}
	if err := upload(ctx, tr, temp, r); err != nil {
		return staged{}, fmt.Errorf("uploading %s: %w", rel, err)
	}
	return st, nil
}

// upload writes r to name, removing what was written when it fails.
func upload(ctx context.Context, tr transport.Transport, name string, r io.Reader) error {
	w, err := tr.Create(ctx, name)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = tr.Remove(context.WithoutCancel(ctx), name)
	}
	return err
}

// Prepare implements [connectors.Publisher]: it ends the file being
// written and uploads every buffered file under a temporary name; with
// the files per-record writes uploaded, they are what it returns. When an
// upload fails, every one of those writes is dropped: their temporaries
// are removed and the engine writes the records again.
func (c *Conn) Prepare(ctx context.Context) (connectors.Prepared, error) {
	c.stageMu.Lock()
	defer c.stageMu.Unlock()
	files, err := c.takeFiles()
	c.mu.Lock()
	list := c.staged
	c.staged = nil
	c.mu.Unlock()
	for i := 0; err == nil && i < len(files); i++ {
		var st staged
		if st, err = c.uploadFile(ctx, files[i]); err == nil {
			list = append(list, st)
			files[i] = nil
		}
	}
	if err != nil {
		c.drop(ctx, files, list)
		return "", err
	}
	if len(list) == 0 {
		return "", nil
	}
	b, err := json.Marshal(preparedFiles{Batch: c.journal.seal(), Files: list})
	if err != nil {
		return "", fmt.Errorf("files: %w", err)
	}
	return connectors.Prepared(b), nil
}

// drop discards buffered files and removes uploaded temporaries after a
// failed Prepare; a temporary that cannot be removed now is removed at the
// next start, from the journal.
func (c *Conn) drop(ctx context.Context, files []*fileWriter, list []staged) {
	for _, w := range files {
		if w != nil {
			w.discard()
		}
	}
	batch := c.journal.seal()
	if len(list) == 0 {
		c.journal.done(batch)
		return
	}
	tr, err := c.transport(ctx, false)
	if err != nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, st := range list {
		if err := tr.Remove(ctx, st.Temp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return
		}
	}
	c.journal.done(batch)
}

// Publish implements [connectors.Publisher]: it renames prepared files into
// place. A temporary that is gone was renamed already (a publish cut off,
// then repeated), or taken away since: either way there is nothing left to
// do for it.
func (c *Conn) Publish(ctx context.Context, p connectors.Prepared) error {
	if p == "" {
		return nil
	}
	var pf preparedFiles
	if err := json.Unmarshal([]byte(p), &pf); err != nil {
		return connectors.Permanent(fmt.Errorf("files: reading prepared files: %w", err))
	}
	tr, err := c.transport(ctx, false)
	if err != nil {
		return err
	}
	var failed []error
	for _, st := range pf.Files {
		if err := publish(ctx, tr, st); err != nil {
			failed = append(failed, err)
			if ctx.Err() != nil {
				break
			}
		}
	}
	if len(failed) > 0 {
		err := failed[0]
		if len(failed) > 1 {
			err = fmt.Errorf("%w (and %d more files)", err, len(failed)-1)
		}
		c.broke(tr, err)
		return err
	}
	c.journal.done(pf.Batch)
	return nil
}

func publish(ctx context.Context, tr transport.Transport, st staged) error {
	err := tr.Rename(ctx, st.Temp, st.Name)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if there, serr := transport.Exists(ctx, tr, st.Temp); serr != nil || there {
		return err
	}
	return nil
}

// Flush implements [connectors.Flusher]: Prepare, then Publish at once.
func (c *Conn) Flush(ctx context.Context) error {
	p, err := c.Prepare(ctx)
	if err != nil {
		return err
	}
	return c.Publish(ctx, p)
}

// Recover implements [connectors.Publisher]: it publishes what the engine
// committed, then removes the temporaries and local buffers that processes
// which are gone left.
func (c *Conn) Recover(ctx context.Context, committed []connectors.Prepared) error {
	for _, p := range committed {
		if err := c.Publish(ctx, p); err != nil {
			return fmt.Errorf("files: publishing files a stopped process prepared: %w", err)
		}
	}
	left, err := c.journal.leftovers()
	if err != nil {
		return err
	}
	if len(left) > 0 {
		if err := c.removeLeftovers(ctx, left); err != nil {
			return err
		}
	}
	c.removeBuffers()
	return nil
}

// removeLeftovers removes the temporaries of batches that were never
// committed, then their lists.
func (c *Conn) removeLeftovers(ctx context.Context, left map[string][]string) error {
	tr, err := c.transport(ctx, false)
	if err != nil {
		return err
	}
	for batch, temps := range left {
		for _, temp := range temps {
			if err := tr.Remove(ctx, temp); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("files: removing a temporary file a stopped process left: %w", err)
			}
		}
		c.logger.Info("removed the temporary files of an upload a stopped process did not finish", slog.Int("files", len(temps)))
		c.journal.done(batch)
	}
	return nil
}

// bufferDir is where output files are buffered, in the connection's private
// folder; "" (the system's temporary folder) without one.
func bufferDir(dataDir string) string {
	if dataDir == "" {
		return ""
	}
	return filepath.Join(dataDir, "buffers")
}

// removeBuffers removes the local buffers that processes which are gone
// left.
func (c *Conn) removeBuffers() {
	if c.buffer == "" {
		return
	}
	entries, _ := os.ReadDir(c.buffer)
	for _, e := range entries {
		if by, ok := ownerPrefix(e.Name()); ok && c.owner.gone(by) && strings.HasSuffix(e.Name(), ".buf") {
			_ = os.Remove(filepath.Join(c.buffer, e.Name()))
		}
	}
}

// dropStaged removes the temporaries of per-record writes that were never
// prepared, when the connection closes.
func (c *Conn) dropStaged() {
	c.mu.Lock()
	list := c.staged
	c.staged = nil
	c.mu.Unlock()
	if len(list) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c.drop(ctx, nil, list)
}

var _ connectors.Publisher = (*Conn)(nil)
