package files

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// A file that changes after it was claimed (an upload that paused longer
// than the settle time and went on, a file cut short while it was read) is
// never archived as complete. The records read before its last one are
// committed; the last one, which may be a row cut off, is not; the file
// stays in the processing folder, and a later run reads on from there once
// the file has stopped changing, provided it still starts with the bytes
// read so far. A file that no longer does was rewritten or cut short: it
// goes to the error folder, saying so.

// errRewritten is the error of a file that no longer starts with what an
// earlier run read of it.
var errRewritten = errors.New("the file changed while it was read and no longer starts with the part read before")

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n *int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

// changed reports whether a file is not as it was when it was claimed:
// another size or modification time now, or, when it was read to its end,
// another number of bytes read than it had.
func changed(f *openFile, now transport.FileInfo, whole bool) bool {
	if now.Size != f.claim.Size || !now.ModTime.Equal(f.claim.ModTime) {
		return true
	}
	return whole && f.read != f.claim.Size
}

// keepChanged ends reading a file that changed while it was read: the
// page goes without its last record, the cursor records how far the file
// was read, and the file is left in the processing folder.
func (s *stream) keepChanged(page connectors.Page, now transport.FileInfo) connectors.Page {
	f := s.file
	if n := len(page.Records); n > 0 {
		page.Records = page.Records[:n-1]
		f.emitted--
	}
	s.cur = s.cur.withChange(f.fp, f.emitted, f.read, hex.EncodeToString(f.sum.Sum(nil)))
	page.Cursor = s.cur.String()
	s.c.logger.Warn("file changed while it was read; it stays in processing and is read on once it has stopped changing",
		slog.String("file", f.orig), slog.Int64("size_at_claim", f.claim.Size), slog.Int64("size_now", now.Size),
		slog.Int64("bytes_read", f.read), slog.Int("records_taken", f.emitted))
	return page
}

// checkPrefix makes sure that a file an earlier run read part of before it
// changed still starts with the bytes read then; it returns errRewritten,
// with the detail, when it does not.
func (s *stream) checkPrefix(ctx context.Context) error {
	f := s.file
	p := s.cur.Current
	if p == nil || p.Read == 0 || !f.claimed || p.File.Name != f.orig {
		return nil
	}
	rc, err := s.tr.Open(ctx, f.at)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.CopyN(h, rc, p.Read)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	want, _ := hex.DecodeString(p.Prefix)
	if n < p.Read || !bytes.Equal(h.Sum(nil), want) {
		return fmt.Errorf("%w: %d records were taken from its first %d bytes, and it is now %d bytes without them (cut short or written anew); check those records, and send what is missing in a new file",
			errRewritten, p.Records, p.Read, f.claim.Size)
	}
	return nil
}
