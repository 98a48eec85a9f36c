package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"path"
	"runtime/debug"
	"slices"
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
	info    transport.FileInfo // as listed
	settle  bool               // to be seen unchanged over the settle time first
	marker  string             // the sender's marker that says it is complete, if any
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
	listedAt time.Time // when the folders were listed
	file     *openFile
}

// openFile is the file being read.
type openFile struct {
	candidate
	at      string             // its claimed path
	claim   transport.FileInfo // as it was right after the claim
	rc      io.ReadCloser
	read    int64 // bytes read of it
	tee     io.Reader
	sum     hash.Hash // of the bytes read
	dec     codec.Decoder
	emitted int
	pending *item
	// version tells this version of the file from others of its name in
	// its records' ids: the modification second, or see coarseVersion.
	version string
	// keyLine is the line the last record began on, and onKeyLine how
	// many records began on it (keyAt).
	keyLine, onKeyLine int
}

// keyAt returns the key of the file's next record, which begins on line:
// the file's name and the line, and when earlier records began on that
// line too (a JSON or XML file written on one line), the record's number
// on it, so that no two records of a file share a key.
func (f *openFile) keyAt(line int) string {
	if line == f.keyLine {
		f.onKeyLine++
	} else {
		f.keyLine, f.onKeyLine = line, 1
	}
	if f.onKeyLine == 1 {
		return fmt.Sprintf("%s:%d", f.orig, line)
	}
	return fmt.Sprintf("%s:%d#%d", f.orig, line, f.onKeyLine)
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
		if err := s.settleQueue(ctx); err != nil {
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
	return s.fill(ctx)
}

// Close implements [connectors.PageStream].
func (s *stream) Close() error {
	if s.file != nil {
		err := s.file.rc.Close()
		reading.remove(path.Base(s.file.at))
		s.file = nil
		return err
	}
	return nil
}

// list finds the files to read: first those a stopped run left in the
// processing folder, then the folder's files matching the pattern. Files
// whose fingerprint the cursor holds were committed already and are only
// moved on. Files that are not complete yet by the sender's convention
// are left alone.
func (s *stream) list(ctx context.Context) error {
	o := s.opts
	if err := s.tr.Mkdir(ctx, o.processing); err != nil {
		return err
	}
	s.listedAt = time.Now()
	left, err := s.tr.List(ctx, o.processing, "*"+claimMark+"*")
	if err != nil {
		return err
	}
	for _, info := range left {
		s.recover(ctx, info)
	}
	skips := unlisted{}
	files, err := s.tr.List(transport.WithSkips(ctx, s.skipper(skips)), ".", o.pattern)
	if err != nil {
		return err
	}
	s.c.tellSkipped(o, skips)
	markers, err := s.markers(ctx)
	if err != nil {
		return err
	}
	for _, info := range files {
		if !s.opts.incoming(info.Name) {
			continue
		}
		fp := fingerprintOf(info.Name, info)
		if done, ok := s.seenBefore(ctx, info.Name, fp); ok {
			s.c.logger.Info("file already imported; moving it on", slog.String("file", info.Name))
			s.settle(ctx, info.Name, info.Name, done.Error, "")
			continue
		}
		f := candidate{orig: info.Name, from: info.Name, fp: fp, info: info}
		if !s.ready(&f, markers) {
			continue
		}
		s.queue = append(s.queue, f)
	}
	return nil
}

// seenBefore reports whether the file at name, whose fingerprint is fp, is
// one the cursor remembers as imported: its name, size and modification
// second, and, when the cursor kept its checksum, its content. A sender
// that keeps times (rsync -t, cp -p) or an FTP server that lists them to
// the minute gives a new file of the same size the time of the last one;
// only its content tells them apart. A file whose content cannot be read
// now is taken as new: reading it says why.
func (s *stream) seenBefore(ctx context.Context, name string, fp fingerprint) (fingerprint, bool) {
	like := s.cur.seenLike(fp)
	for _, done := range like {
		if done.Sum == "" || done.Error && done.Read == 0 {
			return done, true // remembered without its content's checksum
		}
	}
	if len(like) == 0 {
		return fingerprint{}, false
	}
	for _, done := range like {
		upTo := int64(-1) // the whole file
		if done.Error {
			upTo = done.Read // a failed file: what was read of it
		}
		if sum, err := s.checksum(ctx, name, upTo); err == nil && sum == done.Sum {
			return done, true
		}
	}
	s.c.logger.Info("a file has the name, size and time of one already imported but other content; it is read",
		slog.String("file", fp.Name))
	return fingerprint{}, false
}

// checksum is the cursor's checksum of a file's content (fingerprint.Sum),
// or of its first upTo bytes when upTo is not negative.
func (s *stream) checksum(ctx context.Context, name string, upTo int64) (string, error) {
	rc, err := s.tr.Open(ctx, name)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	var r io.Reader = rc
	if upTo >= 0 {
		r = io.LimitReader(rc, upTo)
	}
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// recover handles a file left in the processing folder. A file that does
// not match the flow's pattern is another flow's. A claim this flow's
// cursor knows, or one left by a process of this Switchboard that is gone
// or by a run of this process that has ended, is taken up at once; one
// made by another Switchboard only after the claim timeout.
func (s *stream) recover(ctx context.Context, info transport.FileInfo) {
	base, suffix, at, by, ok := parseClaim(info.Name)
	if !ok {
		return
	}
	orig := s.origName(base, suffix)
	if mine, _ := transport.Match(s.opts.pattern, orig); !mine {
		return
	}
	from := path.Join(s.opts.processing, info.Name)
	fp := fingerprintOf(orig, info)
	if done, ok := s.seenBefore(ctx, from, fp); ok {
		s.settle(ctx, from, orig, done.Error, "")
		return
	}
	if !s.cur.resumes(fp, true) && !s.takeUp(info.Name, orig, at, by) {
		return
	}
	s.queue = append(s.queue, candidate{orig: orig, from: from, claimed: true, fp: fp, info: info,
		settle: s.needsSettle(info)})
}

// takeUp decides whether a claim the cursor does not know is taken up:
// it is when its owner is gone or its claim has timed out.
func (s *stream) takeUp(name, orig string, at time.Time, by *owner) bool {
	me := s.c.owner
	switch {
	case by != nil && me.gone(*by):
		s.c.logger.Info("taking up a file that a stopped Switchboard process had claimed", slog.String("file", orig),
			slog.Time("claimed", at))
		return true
	case by != nil && *by == me && !reading.has(name):
		s.c.logger.Info("taking up a file that an ended run had claimed", slog.String("file", orig), slog.Time("claimed", at))
		return true
	case by != nil && *by == me:
		return false // a run of this process is reading it
	case time.Since(at) < s.opts.claimTimeout:
		s.c.logger.Info("a file is claimed by another Switchboard or an earlier version; it is taken up when the claim times out",
			slog.String("file", orig), slog.Time("claimed", at), slog.Time("taken_up_after", at.Add(s.opts.claimTimeout)))
		return false
	}
	return true
}

// claimName is the name a file is claimed under: its own name (shortened
// when the suffix would make it too long, see fitName), the claim mark,
// the claim time and the claim's owner.
func claimName(orig string, at time.Time, by owner) string {
	suffix := claimMark + strconv.FormatInt(at.UnixNano(), 10) + "-" + by.String()
	return fitName(orig, len(suffix)) + suffix
}

// parseClaim returns the name a claimed file was claimed under, without
// its suffix, the suffix's length, the claim time and, when the claim
// names one, its owner (claims of earlier versions name none).
func parseClaim(name string) (string, int, time.Time, *owner, bool) {
	i := strings.LastIndex(name, claimMark)
	if i <= 0 {
		return "", 0, time.Time{}, nil, false
	}
	stamp, rest, named := strings.Cut(name[i+len(claimMark):], "-")
	ns, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return "", 0, time.Time{}, nil, false
	}
	var by *owner
	if named {
		o, ok := parseOwner(rest)
		if !ok {
			return "", 0, time.Time{}, nil, false
		}
		by = &o
	}
	return name[:i], len(name) - i, time.Unix(0, ns), by, true
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
	at := path.Join(s.opts.processing, claimName(f.orig, time.Now(), s.c.owner))
	if err := s.tr.Rename(ctx, f.from, at); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return connectors.Page{}, false, nil
		}
		return connectors.Page{}, false, err
	}
	reading.add(path.Base(at))
	s.file = &openFile{candidate: f, at: at, sum: sha256.New()}
	s.dropMarker(ctx, f)
	if err := s.open(ctx); err != nil {
		return s.failStart(ctx, err)
	}
	dec, err := s.newDecoder(s.file.tee)
	if err != nil {
		page, err := s.finish(ctx, connectors.Page{}, err)
		return page, err == nil, err
	}
	s.file.dec = dec
	s.skipCommitted()
	return connectors.Page{}, false, nil
}

// failStart ends a file that could not be opened: a file that changed
// before what was read of it gives a page with its error, any other error
// ends the run, the claim left for the next one.
func (s *stream) failStart(ctx context.Context, err error) (connectors.Page, bool, error) {
	if errors.Is(err, errRewritten) {
		page, err := s.finish(ctx, connectors.Page{}, err)
		return page, err == nil, err
	}
	s.release()
	return connectors.Page{}, false, err
}

// release forgets the open file, leaving its claim to the next run.
func (s *stream) release() {
	if f := s.file; f != nil {
		if f.rc != nil {
			_ = f.rc.Close()
		}
		reading.remove(path.Base(f.at))
		s.file = nil
	}
}

// open reads the claimed file's size and time and opens it, counting and
// summing the bytes read. A file that changed while an earlier run read it
// must still start with the bytes that run read.
func (s *stream) open(ctx context.Context) error {
	f := s.file
	info, err := s.tr.Stat(ctx, f.at)
	if err != nil {
		return err
	}
	f.claim, f.fp = info, fingerprintOf(f.orig, info)
	f.version = strconv.FormatInt(f.fp.Mod, 10)
	if err := s.checkPrefix(ctx); err != nil {
		return err
	}
	if info.CoarseTime {
		if f.version, err = s.coarseVersion(ctx, f.at, f.fp); err != nil {
			return err
		}
	}
	rc, err := s.tr.Open(ctx, f.at)
	if err != nil {
		return err
	}
	f.rc = rc
	f.tee = io.TeeReader(&counter{r: rc, n: &f.read}, f.sum)
	return nil
}

// coarseVersion returns what tells a version of a file from others of
// its name in its records' ids (NAME@VERSION#N) when its modification time
// is known only to the minute or the day (an FTP server without MDTM): the
// time, the size and the first 64 bits of the content's SHA-256, which
// costs reading the file once more. The time alone, as other files' ids
// have it to the second, would give two versions sent within the minute
// the same ids: the second file's rows would update the records the first
// one's made, or be passed over as unchanged.
func (s *stream) coarseVersion(ctx context.Context, at string, fp fingerprint) (string, error) {
	sum, err := s.checksum(ctx, at, -1)
	if err != nil {
		return "", fmt.Errorf("reading the file for its checksum: %w", err)
	}
	return fmt.Sprintf("%d.%d.%s", fp.Mod, fp.Size, sum[:16]), nil
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
	n := s.cur.skip(s.file.fp, s.file.claimed)
	for s.file.emitted < n {
		it := s.next()
		if it.eof || it.fatal != nil {
			s.file.pending = &it
			return
		}
		s.file.keyAt(it.line)
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
func (s *stream) fill(ctx context.Context) (connectors.Page, error) {
	f := s.file
	var page connectors.Page
	for {
		it := s.next()
		if it.eof || it.fatal != nil {
			return s.finish(ctx, page, it.fatal)
		}
		if len(page.Records) == s.pageSize {
			f.pending = &it
			s.cur = s.cur.withProgress(f.fp, f.emitted)
			page.Cursor = s.cur.String()
			return page, nil
		}
		page.Records = append(page.Records, s.record(it))
		f.emitted++
	}
}

// record turns a decoded item into a connector record.
func (s *stream) record(it item) connectors.Record {
	f := s.file
	n := f.emitted + 1
	r := connectors.Record{ID: fmt.Sprintf("%s@%s#%d", f.orig, f.version, n), Key: f.keyAt(it.line)}
	if it.err != nil {
		r.Err = connectors.Permanent(fmt.Errorf("%s %w", f.orig, it.err))
		r.Raw = rawText(it.err)
		return r
	}
	if s.opts.keyField == "" {
		r.Data = it.rec
		return r
	}
	k := keyOf(it.rec, s.opts.keyField)
	if k == "" {
		err := &codec.RecordError{Line: it.line, Err: noKey(it.rec, s.opts.keyField)}
		r.Err = connectors.Permanent(fmt.Errorf("%s %w", f.orig, err))
		r.Raw = recordText(it.rec)
		return r
	}
	r.Data, r.ID, r.Key = it.rec, k, k
	return r
}

// noKey says why a record has no value for the key field: a record keyed
// by its file's name and line instead would be a new record in every file,
// created again in the target where the key field was set to update it.
func noKey(rec map[string]any, field string) error {
	v, ok := rec[field]
	switch v.(type) {
	case map[string]any:
		return fmt.Errorf("the key field %q holds an object, not a value", field)
	case []any:
		return fmt.Errorf("the key field %q holds a list, not a value", field)
	}
	if ok {
		return fmt.Errorf("the key field %q is empty", field)
	}
	names := slices.Sorted(maps.Keys(rec))
	more := ""
	if len(names) > maxNamed {
		names, more = names[:maxNamed], fmt.Sprintf(" and %d more", len(names)-maxNamed)
	}
	return fmt.Errorf("the key field %q is not in the record (its fields: %s%s)", field, strings.Join(names, ", "), more)
}

// maxNamed is how many of a record's fields an error names.
const maxNamed = 20

// recordText is a record as JSON, for a person to see the record that
// failed.
func recordText(rec map[string]any) string {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Sprint(rec)
	}
	return string(b)
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
// it to the error folder when fatal is set. A file that changed since it
// was claimed is neither: see keepChanged.
func (s *stream) finish(ctx context.Context, page connectors.Page, fatal error) (connectors.Page, error) {
	f := s.file
	if fatal == nil {
		_, _ = io.Copy(io.Discard, f.tee) // the checksum covers the whole file
	}
	if f.rc != nil && !errors.Is(fatal, errRewritten) {
		now, err := s.tr.Stat(ctx, f.at)
		if err != nil {
			s.release()
			return connectors.Page{}, err
		}
		if changed(f, now, fatal == nil) {
			page = s.keepChanged(page, now)
			s.release()
			return page, nil
		}
	}
	s.release()
	s.logSkipped(f)
	fp := f.fp
	fp.Sum = hex.EncodeToString(f.sum.Sum(nil))[:32]
	fp.Error = fatal != nil
	if fp.Error {
		fp.Read = f.read // the checksum covers what was read before the error
	}
	report := ""
	if fatal != nil {
		err := connectors.Permanent(fmt.Errorf("%s cannot be read: %w", f.orig, fatal))
		page.Records = append(page.Records, connectors.Record{ID: fmt.Sprintf("%s@%s", f.orig, f.version), Key: f.orig, Err: err})
		report = errorReport(f, fatal)
	}
	s.cur = s.cur.withSeen(fp)
	page.Cursor = s.cur.String()
	page.Ack = func(ctx context.Context) error {
		return s.settle(ctx, f.at, f.orig, fatal != nil, report)
	}
	return page, nil
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
