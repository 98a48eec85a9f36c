package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// defaultPageSize is used when the engine asks for none.
const defaultPageSize = 500

// claimMark separates a claimed file's name from its claim time.
const claimMark = ".claimed-"

// candidate is a file to read: in the folder, or already in processing.
type candidate struct {
	orig    string // the file's own name
	from    string // where it is now
	claimed bool   // from is in the processing folder already
	fp      fingerprint
}

// stream reads the connection's files one after another as pages.
type stream struct {
	c        *Conn
	opts     options             // the flow's read options
	tr       transport.Transport // on the flow's sub-folder
	pageSize int
	cur      cursor
	queue    []candidate
	listed   bool
	file     *openFile
}

// openFile is the file being read.
type openFile struct {
	candidate
	at      string // its claimed path
	rc      io.ReadCloser
	tee     io.Reader
	sum     hash.Hash
	dec     codec.Decoder
	emitted int
	pending *item
}

// item is one decoded record, a bad record, the end or a fatal error.
type item struct {
	rec   map[string]any
	line  int
	err   error // a *codec.RecordError
	fatal error
	eof   bool
}

// Read implements [connectors.Reader]: see the package doc for the
// lifecycle. The cursor holds the committed files' fingerprints.
func (c *Conn) Read(ctx context.Context, req connectors.ReadRequest) (connectors.PageStream, error) {
	cur, err := parseCursor(req.Cursor)
	if err != nil {
		return nil, connectors.Permanent(err)
	}
	o, err := c.options(req.Options, connectors.UseRead)
	if err != nil {
		return nil, err
	}
	tr, err := c.flowFolder(ctx, o, connectors.UseRead)
	if err != nil {
		return nil, err
	}
	size := req.PageSize
	if size <= 0 {
		size = defaultPageSize
	}
	return &stream{c: c, opts: o, tr: tr, pageSize: size, cur: cur}, nil
}

// Next implements [connectors.PageStream].
func (s *stream) Next(ctx context.Context) (connectors.Page, error) {
	if !s.listed {
		if err := s.list(ctx); err != nil {
			return connectors.Page{}, err
		}
		s.listed = true
	}
	for s.file == nil {
		if len(s.queue) == 0 {
			return connectors.Page{}, connectors.ErrEndOfInput
		}
		f := s.queue[0]
		s.queue = s.queue[1:]
		page, ok, err := s.start(ctx, f)
		if err != nil {
			return connectors.Page{}, err
		}
		if ok {
			return page, nil
		}
	}
	return s.fill(), nil
}

// Close implements [connectors.PageStream].
func (s *stream) Close() error {
	if s.file != nil {
		err := s.file.rc.Close()
		s.file = nil
		return err
	}
	return nil
}

// list finds the files to read: first those a stopped run left in the
// processing folder, then the folder's files matching the pattern. Files
// whose fingerprint the cursor holds were committed already and are only
// moved on.
func (s *stream) list(ctx context.Context) error {
	o := s.opts
	if err := s.tr.Mkdir(ctx, o.processing); err != nil {
		return err
	}
	left, err := s.tr.List(ctx, o.processing, "*"+claimMark+"*")
	if err != nil {
		return err
	}
	for _, info := range left {
		s.recover(ctx, info)
	}
	files, err := s.tr.List(ctx, ".", o.pattern)
	if err != nil {
		return err
	}
	for _, info := range files {
		if strings.HasPrefix(info.Name, ".") {
			continue // hidden: a partial upload by convention
		}
		fp := fingerprintOf(info.Name, info)
		if done, ok := s.cur.seen(fp); ok {
			s.c.logger.Info("file already imported; moving it on", slog.String("file", info.Name))
			s.settle(ctx, info.Name, info.Name, done.Error, "")
			continue
		}
		s.queue = append(s.queue, candidate{orig: info.Name, from: info.Name, fp: fp})
	}
	return nil
}

// recover handles a file left in the processing folder. A file that does
// not match the flow's pattern is another flow's.
func (s *stream) recover(ctx context.Context, info transport.FileInfo) {
	base, suffix, at, ok := parseClaim(info.Name)
	if !ok {
		return
	}
	orig := s.origName(base, suffix)
	if mine, _ := transport.Match(s.opts.pattern, orig); !mine {
		return
	}
	from := path.Join(s.opts.processing, info.Name)
	fp := fingerprintOf(orig, info)
	if done, ok := s.cur.seen(fp); ok {
		s.settle(ctx, from, orig, done.Error, "")
		return
	}
	ours := s.cur.Current != nil && s.cur.Current.File.same(fp)
	if !ours && time.Since(at) < s.opts.claimTimeout {
		return // another run is reading it
	}
	s.queue = append(s.queue, candidate{orig: orig, from: from, claimed: true, fp: fp})
}

// claimName is the name a file is claimed under: its own name (shortened
// when the suffix would make it too long, see fitName), the claim mark and
// the claim time.
func claimName(orig string, at time.Time) string {
	suffix := claimMark + strconv.FormatInt(at.UnixNano(), 10)
	return fitName(orig, len(suffix)) + suffix
}

// parseClaim returns the name a claimed file was claimed under, without
// its suffix, the suffix's length and the claim time.
func parseClaim(name string) (string, int, time.Time, bool) {
	i := strings.LastIndex(name, claimMark)
	if i <= 0 {
		return "", 0, time.Time{}, false
	}
	ns, err := strconv.ParseInt(name[i+len(claimMark):], 10, 64)
	if err != nil {
		return "", 0, time.Time{}, false
	}
	return name[:i], len(name) - i, time.Unix(0, ns), true
}

// origName returns the file name a claim's base stands for: the name in the
// cursor that shortens to it, or the base itself when none does (a long
// name claimed by a run that committed nothing of it).
func (s *stream) origName(base string, suffix int) string {
	if c := s.cur.Current; c != nil && fitName(c.File.Name, suffix) == base {
		return c.File.Name
	}
	for _, f := range s.cur.Seen {
		if fitName(f.Name, suffix) == base {
			return f.Name
		}
	}
	return base
}

// The longest file name, in bytes, that file systems and servers commonly
// take, and the room to leave for the "." and ".part" of an upload.
const (
	maxNameBytes = 255
	partRoom     = 6
)

// fitName returns name, shortened when name plus extra more bytes would be
// too long: the end of the name before its extension is replaced by "~" and
// eight hex digits of the name's SHA-256, so shortened names stay apart.
func fitName(name string, extra int) string {
	room := maxNameBytes - partRoom - extra
	if len(name) <= room {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	tag := "~" + hex.EncodeToString(sum[:4])
	ext := path.Ext(name)
	if len(ext) > 16 {
		ext = ""
	}
	keep := max(room-len(tag)-len(ext), 0)
	for keep > 0 && !utf8.RuneStart(name[keep]) {
		keep--
	}
	return name[:keep] + tag + ext
}

// start claims a file and opens it. ok is true when it returns a page: the
// file could not be parsed at all. A file another run claimed first is
// skipped.
func (s *stream) start(ctx context.Context, f candidate) (connectors.Page, bool, error) {
	at := path.Join(s.opts.processing, claimName(f.orig, time.Now()))
	if err := s.tr.Rename(ctx, f.from, at); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return connectors.Page{}, false, nil
		}
		return connectors.Page{}, false, err
	}
	rc, err := s.tr.Open(ctx, at)
	if err != nil {
		return connectors.Page{}, false, err
	}
	file := &openFile{candidate: f, at: at, rc: rc, sum: sha256.New()}
	file.tee = io.TeeReader(rc, file.sum)
	s.file = file
	dec, err := s.newDecoder(file.tee)
	if err != nil {
		return s.finish(connectors.Page{}, err), true, nil
	}
	file.dec = dec
	s.skipCommitted()
	return connectors.Page{}, false, nil
}

// newDecoder starts the configured decoder on a file; a panic in it fails
// the file alone.
func (s *stream) newDecoder(r io.Reader) (dec codec.Decoder, err error) {
	defer s.contain(&err)
	return s.opts.decoder(r)
}

// contain turns a panic in a decoder into an error for the file being read,
// so that one file never stops the run, and logs it with its stack.
func (s *stream) contain(err *error) {
	r := recover()
	if r == nil {
		return
	}
	*err = fmt.Errorf("the reader failed on this file: %v", r)
	s.c.logger.Error("a file reader panicked", slog.String("file", s.file.orig), slog.Any("panic", r),
		slog.String("stack", string(debug.Stack())))
}

// skipCommitted passes over the records earlier pages of this file
// committed before a run stopped.
func (s *stream) skipCommitted() {
	n := s.cur.skip(s.file.fp)
	for s.file.emitted < n {
		it := s.next()
		if it.eof || it.fatal != nil {
			s.file.pending = &it
			return
		}
		s.file.emitted++
	}
}

// next returns the open file's lookahead item or decodes one.
func (s *stream) next() item {
	f := s.file
	if f.pending != nil {
		it := *f.pending
		f.pending = nil
		return it
	}
	rec, line, err := s.decode()
	switch {
	case err == io.EOF:
		return item{eof: true}
	case codec.IsRecordError(err):
		return item{err: err, line: line}
	case err != nil:
		return item{fatal: err, line: line}
	}
	return item{rec: rec, line: line}
}

// decode reads the open file's next record; a panic in the decoder ends
// the file with an error.
func (s *stream) decode() (rec map[string]any, line int, err error) {
	defer s.contain(&err)
	return s.file.dec.Next()
}

// fill reads up to a page of records from the open file, looking one
// record ahead so the file's last page is known as such.
func (s *stream) fill() connectors.Page {
	f := s.file
	var page connectors.Page
	for {
		it := s.next()
		if it.eof || it.fatal != nil {
			return s.finish(page, it.fatal)
		}
		if len(page.Records) == s.pageSize {
			f.pending = &it
			s.cur = s.cur.withProgress(f.fp, f.emitted)
			page.Cursor = s.cur.String()
			return page
		}
		page.Records = append(page.Records, s.record(it))
		f.emitted++
	}
}

// record turns a decoded item into a connector record.
func (s *stream) record(it item) connectors.Record {
	f := s.file
	n := f.emitted + 1
	r := connectors.Record{ID: fmt.Sprintf("%s@%d#%d", f.orig, f.fp.Mod, n), Key: fmt.Sprintf("%s:%d", f.orig, it.line)}
	if it.err != nil {
		r.Err = connectors.Permanent(fmt.Errorf("%s %w", f.orig, it.err))
		r.Raw = rawText(it.err)
		return r
	}
	r.Data = it.rec
	if k := keyOf(it.rec, s.opts.keyField); k != "" {
		r.ID, r.Key = k, k
	}
	return r
}

// rawText is the text the decoder kept of a record it could not read.
func rawText(err error) string {
	var re *codec.RecordError
	if errors.As(err, &re) {
		return re.Raw
	}
	return ""
}

func keyOf(rec map[string]any, field string) string {
	if field == "" {
		return ""
	}
	switch v := rec[field].(type) {
	case string:
		return strings.TrimSpace(v)
	case nil, map[string]any, []any:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// finish ends the open file: its last page carries the file's fingerprint
// in the cursor and an Ack that archives (or deletes) the file, or moves
// it to the error folder when fatal is set.
func (s *stream) finish(page connectors.Page, fatal error) connectors.Page {
	f := s.file
	s.file = nil
	if fatal == nil {
		_, _ = io.Copy(io.Discard, f.tee) // the checksum covers the whole file
	}
	_ = f.rc.Close()
	s.logSkipped(f)
	fp := f.fp
	fp.Sum = hex.EncodeToString(f.sum.Sum(nil))[:32]
	fp.Error = fatal != nil
	report := ""
	if fatal != nil {
		err := connectors.Permanent(fmt.Errorf("%s cannot be read: %w", f.orig, fatal))
		page.Records = append(page.Records, connectors.Record{ID: fmt.Sprintf("%s@%d", f.orig, fp.Mod), Key: f.orig, Err: err})
		report = errorReport(f, fatal)
	}
	s.cur = s.cur.withSeen(fp)
	page.Cursor = s.cur.String()
	page.Ack = func(ctx context.Context) error {
		return s.settle(ctx, f.at, f.orig, fatal != nil, report)
	}
	return page
}

func errorReport(f *openFile, fatal error) string {
	return fmt.Sprintf("File: %s\nSize: %d bytes\nModified: %s\nRead at: %s\nRecords imported before the error: %d\nRows without data skipped: %d\nError: %v\n",
		f.orig, f.fp.Size, time.Unix(f.fp.Mod, 0).UTC().Format(time.RFC3339), time.Now().UTC().Format(time.RFC3339),
		f.emitted, skipped(f), fatal)
}

// skipped returns how many rows without data the file's decoder passed
// over.
func skipped(f *openFile) int {
	if sk, ok := f.dec.(codec.Skipper); ok {
		return sk.Skipped()
	}
	return 0
}

// logSkipped says how many rows without data a file had, if any.
func (s *stream) logSkipped(f *openFile) {
	if n := skipped(f); n > 0 {
		s.c.logger.Info("rows without data skipped", slog.String("file", f.orig), slog.Int("rows", n))
	}
}
