package files

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// fileWriter is a run's output file, buffered in a local temporary file
// until Prepare uploads it.
type fileWriter struct {
	opts  options // the flow's write options it was made with
	name  string
	tmp   *os.File
	out   *bufferWriter // writes into tmp, the encoder's output
	enc   codec.Encoder
	count int
}

// bufferWriter keeps the first error of writing a buffered file: after
// it, the file is broken whatever the encoder says.
type bufferWriter struct {
	w   io.Writer
	err error
}

func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.w.Write(p)
	if err != nil {
		b.err = err
	}
	return n, err
}

func (w *fileWriter) discard() {
	_ = w.tmp.Close()
	_ = os.Remove(w.tmp.Name())
}

// Write implements [connectors.Writer]. In per-run mode the record joins
// the run's file, uploaded on Prepare; in per-record mode it is uploaded as
// a file of its own at once, under a temporary name. Either is visible
// only once published. A per-record write given the target id of an
// earlier per-record write ([recordTargetID]) replaces that file; any
// other target id (a run's file, a name from an earlier version) is not
// the record's own file, and the record gets a file of its own. Where and how it is written are the flow's options.
func (c *Conn) Write(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	o, err := c.options(req.Options, connectors.UseWrite)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	if o.perRecord {
		return c.writeOne(ctx, req, o)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.w != nil && !reflect.DeepEqual(c.w.opts, o) {
		// another flow's file: each keeps to its own; one that cannot be
		// finished fails the next Prepare, not this record
		_ = c.endFile()
	}
	if c.w == nil {
		w, err := c.newFileWriter(req, o)
		if err != nil {
			return connectors.WriteResult{}, err
		}
		c.w = w
	}
	if err := c.w.encode(req.Data); err != nil {
		if c.w.out.err != nil {
			_ = c.endFile() // broken: the next write starts a new file
		}
		return connectors.WriteResult{}, err
	}
	return connectors.WriteResult{TargetID: c.w.name,
		Response: map[string]any{"file": outPath(o, c.w.name), "record": c.w.count}}, nil
}

// encode adds a record to the file. A record the encoder refuses (a name
// or character the format cannot hold) fails alone: the encoders write a
// record whole or not at all, so the file goes on without it. A failure
// to write the buffer is transient: the file is then broken, and so is
// the Prepare that takes it, which has the engine write its records
// again.
func (w *fileWriter) encode(rec map[string]any) error {
	err := w.enc.Encode(rec)
	switch {
	case w.out.err != nil:
		return connectors.Transient(fmt.Errorf("files: buffering the output file %s: %w", w.name, w.out.err))
	case err != nil:
		return connectors.Permanent(fmt.Errorf("files: %w", err))
	}
	w.count++
	return nil
}

// newFileWriter starts the run's next file; c.mu is held. Its {number} is
// the file's sequence number in the connection, so that files flushed
// within the same second get names of their own, and its {run} is new:
// the connection outlives a run, and the next run's file must not
// replace this one.
func (c *Conn) newFileWriter(req connectors.WriteRequest, o options) (*fileWriter, error) {
	c.seq++
	name, err := c.fileName(req, o, c.seq, runID())
	if err != nil {
		return nil, err
	}
	if c.buffer != "" {
		if err := os.MkdirAll(c.buffer, 0o700); err != nil {
			return nil, fmt.Errorf("files: buffering the output file: %w", err)
		}
	}
	tmp, err := os.CreateTemp(c.buffer, c.owner.String()+"-*.buf")
	if err != nil {
		return nil, fmt.Errorf("files: buffering the output file: %w", err)
	}
	out := &bufferWriter{w: tmp}
	enc, err := o.encoder(out, codec.OrderOf(req.FieldOrder))
	if err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return nil, err
	}
	return &fileWriter{opts: o, name: name, tmp: tmp, out: out, enc: enc}, nil
}

// takeFiles closes the file being written and takes the files waiting
// for upload. When a file with writes could not be finished, it returns
// the error with the files: the Prepare fails and drops them all, and the
// engine writes their records again.
func (c *Conn) takeFiles() ([]*fileWriter, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.endFile() // kept in c.lost
	files, err := c.ready, c.lost
	c.ready, c.lost = nil, nil
	return files, err
}

// endFile closes the file being written, if any, and queues it for
// upload; c.mu is held. A file without records (its every record failed)
// is dropped. A file that cannot be finished (its buffer could not be
// written) is dropped and its error kept for the next Prepare: the next
// write starts a file of its own instead of meeting the broken one.
func (c *Conn) endFile() error {
	w := c.w
	if w == nil {
		return nil
	}
	c.w = nil
	if w.count == 0 {
		w.discard()
		return nil
	}
	err := w.enc.Close()
	if err == nil {
		err = w.out.err
	}
	if err != nil {
		w.discard()
		err = connectors.Transient(fmt.Errorf("files: finishing %s: %w", w.name, err))
		if c.lost == nil {
			c.lost = err
		}
		return err
	}
	c.ready = append(c.ready, w)
	return nil
}

// uploadFile uploads a buffered file under a temporary name.
func (c *Conn) uploadFile(ctx context.Context, w *fileWriter) (staged, error) {
	if _, err := w.tmp.Seek(0, io.SeekStart); err != nil {
		return staged{}, fmt.Errorf("files: rereading the buffered file: %w", err)
	}
	st, err := c.stage(ctx, w.opts, w.name, w.tmp)
	if err != nil {
		return staged{}, err
	}
	w.discard()
	return st, nil
}

func (c *Conn) writeOne(ctx context.Context, req connectors.WriteRequest, o options) (connectors.WriteResult, error) {
	c.mu.Lock()
	c.seq++
	n := c.seq
	c.mu.Unlock()
	name, own := strings.CutPrefix(req.TargetID, recordIDPrefix)
	if !own {
		var err error
		if name, err = c.fileName(req, o, n, c.run); err != nil {
			return connectors.WriteResult{}, err
		}
	} else if err := checkOutName(name); err != nil {
		return connectors.WriteResult{}, err
	}
	var buf bytes.Buffer
	enc, err := o.encoder(&buf, codec.OrderOf(req.FieldOrder))
	if err != nil {
		return connectors.WriteResult{}, err
	}
	if err := enc.Encode(req.Data); err != nil {
		return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("files: %w", err))
	}
	if err := enc.Close(); err != nil {
		return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("files: %w", err))
	}
	c.stageMu.RLock() // a Prepare takes every file staged before it
	defer c.stageMu.RUnlock()
	st, err := c.stage(ctx, o, name, &buf)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	c.mu.Lock()
	c.staged = append(c.staged, st)
	c.mu.Unlock()
	return connectors.WriteResult{TargetID: recordTargetID(name), Response: map[string]any{"file": outPath(o, name)}}, nil
}

// recordIDPrefix marks the target id of a per-record write. A file name
// never holds a slash, so no other target id (a per-run write's, which is
// its file's name, or a per-record write's of an earlier version) carries
// it.
const recordIDPrefix = "record/"

// recordTargetID is the target id a per-record write gives back for its
// file name: only a write given it replaces that file, so a record never
// replaces a file it was not written to alone (the file of a whole run,
// when the flow went from per_run to per_record).
func recordTargetID(name string) string { return recordIDPrefix + name }

// outPath is where a written file lands, from the connection's folder.
func outPath(o options, name string) string { return path.Join(o.dir, o.output, name) }

// defaultPerRecordName is the file name of a per-record write when the flow
// keeps the default template: named by the transaction, so that writing a
// record again replaces its file instead of adding one.
const defaultPerRecordName = "{entity}-{id}.{ext}"

var placeholder = regexp.MustCompile(`\{([^{}]+)\}`)

// fileName renders the file name template for a record, the file's
// number n and run.
func (c *Conn) fileName(req connectors.WriteRequest, o options, n int, run string) (string, error) {
	now := time.Now().UTC()
	var missing string
	name := placeholder.ReplaceAllStringFunc(o.fileName, func(m string) string {
		key := m[1 : len(m)-1]
		switch key {
		case "date":
			return now.Format("20060102")
		case "time":
			return now.Format("150405")
		case "run":
			return run
		case "number":
			return strconv.Itoa(n)
		case "id":
			if req.IdempotencyKey == "" {
				return strconv.Itoa(n)
			}
			return safePart(req.IdempotencyKey)
		case "key":
			if req.Key == "" && missing == "" {
				missing = key
			}
			return safePart(req.Key)
		case "entity":
			return safePart(string(req.Entity))
		case "ext":
			return o.ext()
		}
		v := keyOf(req.Data, key)
		if v == "" && missing == "" {
			missing = key
		}
		return safePart(v)
	})
	if missing != "" {
		return "", connectors.Permanent(fmt.Errorf("files: file name %q: the record has no value for {%s}", o.fileName, missing))
	}
	name = fitName(name, 0) // a long key makes a name the file system refuses
	return name, checkOutName(name)
}

// safePart keeps a value from changing the folder of a file name, and
// makes control characters (which servers refuse or mangle) visible.
func safePart(v string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, v)
}

func checkOutName(name string) error {
	if err := transport.CheckName(name); err != nil {
		return connectors.Permanent(fmt.Errorf("files: output file name: %w", err))
	}
	if strings.HasPrefix(name, ".") {
		return connectors.Permanent(fmt.Errorf("files: output file name %q: must not start with a dot", name))
	}
	return nil
}
