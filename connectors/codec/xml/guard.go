package xml

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/charset"
)

// guard sits between the text and encoding/xml, which would otherwise stop
// at the first bad character and keep any text, however long, in memory.
// It passes the text on, except that:
//
//   - text (character data or CDATA) longer than the element limit is cut:
//     the rest of it is dropped and an event notes its line and size;
//   - a character XML does not allow in text or an attribute value (invalid
//     UTF-8, what the encoding could not decode, NUL and other control
//     characters) or a character reference to one (&#xD800;, &#0;) becomes
//     U+FFFD and an event notes it;
//   - markup (a tag, comment, processing instruction or declaration) larger
//     than the record limit ends the input with an error.
//
// Events carry the offset in the guard's output where they happened, so
// that the decoder fails the record that holds them, and nothing else.
type guard struct {
	src      io.Reader
	in       []byte
	pos, end int
	srcErr   error
	out      []byte
	outPos   int
	err      error // ends the output once it is drained
	encoding string
	lim      codec.Limits

	state   int
	back    int  // the state a comment inside a declaration returns to
	quote   byte // the quote of the attribute value or literal being read
	nesting int  // [ ] depth inside a declaration
	size    int64
	noted   bool // the current text run or tag has an event already
	cutting bool // the current text run is over the limit: its last event says so

	passed    int64 // bytes passed on
	line, col int   // position in the input text
	runLine   int   // where the current text run starts
	runCol    int
	dropped   int // newlines dropped with cut text
	shifts    []shift
	events    []event
}

// The guard's states.
const (
	inText = iota
	inTag
	inComment
	inPI
	inCDATA
	inDecl
)

// event is a problem the guard found, at offset off of its output.
type event struct {
	off       int64
	line, col int
	err       error // nil for text over the limit
	size      int64 // the size of text over the limit
}

// shift says that total newlines were dropped before offset off.
type shift struct {
	off   int64
	total int
}

// maxRef is the longest character reference looked at: &#x10FFFF; and
// some leading zeros.
const maxRef = 16

func newGuard(src io.Reader, encoding string, lim codec.Limits) *guard {
	return &guard{src: src, in: make([]byte, 32<<10), encoding: encoding, lim: lim, line: 1}
}

// Read implements io.Reader.
func (g *guard) Read(p []byte) (int, error) {
	for g.outPos == len(g.out) {
		if g.err != nil {
			return 0, g.err
		}
		g.out, g.outPos = g.out[:0], 0
		g.process()
	}
	n := copy(p, g.out[g.outPos:])
	g.outPos += n
	return n, nil
}

// process reads more input and passes on what can be decided.
func (g *guard) process() {
	if g.srcErr != nil && g.pos == g.end {
		g.err = g.srcErr
		return
	}
	g.fill()
	for g.pos < g.end && g.err == nil {
		if !g.step() && g.srcErr == nil {
			return
		}
	}
}

// fill keeps the input not yet decided and reads more after it.
func (g *guard) fill() {
	if g.srcErr != nil {
		return
	}
	g.end = copy(g.in, g.in[g.pos:g.end])
	g.pos = 0
	for tries := 0; tries < 100; tries++ {
		n, err := g.src.Read(g.in[g.end:])
		g.end += n
		if err != nil {
			g.srcErr = err
			return
		}
		if n > 0 {
			return
		}
	}
	g.srcErr = io.ErrNoProgress
}

// step handles the input at the read position; false means it needs more
// input to decide (at the end of the input it decides all the same).
func (g *guard) step() bool {
	switch g.state {
	case inText:
		return g.text()
	case inTag:
		return g.tag()
	case inComment:
		return g.until("-->")
	case inPI:
		return g.until("?>")
	case inCDATA:
		return g.cdata()
	}
	return g.decl()
}

func (g *guard) atEOF() bool { return g.srcErr != nil }

func (g *guard) text() bool {
	switch c := g.in[g.pos]; {
	case c == '<':
		return g.open()
	case g.cutting:
		g.drop('<')
		return true
	case c == '&':
		return g.reference(true)
	}
	return g.char(true)
}

// open starts the markup at '<'.
func (g *guard) open() bool {
	state, n, ok := markupKind(g.in[g.pos:g.end], g.atEOF())
	if !ok {
		return false
	}
	g.endRun()
	g.state, g.back, g.quote, g.nesting = state, inText, 0, 0
	g.pass(n)
	if state == inCDATA {
		g.size = 0 // CDATA content counts as text
	}
	return true
}

// markupKind tells the markup starting b apart and returns the length of
// its opening.
func markupKind(b []byte, atEOF bool) (state, n int, ok bool) {
	for _, m := range []struct {
		open  string
		state int
	}{{"<!--", inComment}, {"<![CDATA[", inCDATA}, {"<?", inPI}} {
		if bytes.HasPrefix(b, []byte(m.open)) {
			return m.state, len(m.open), true
		}
		if len(b) < len(m.open) && bytes.HasPrefix([]byte(m.open), b) && !atEOF {
			return 0, 0, false
		}
	}
	if bytes.HasPrefix(b, []byte("<!")) {
		return inDecl, 2, true
	}
	return inTag, 1, true
}

// tag passes a start or end tag, checking attribute values like text.
func (g *guard) tag() bool {
	c := g.in[g.pos]
	if g.quote != 0 {
		switch c {
		case g.quote:
			g.quote = 0
		case '&':
			return g.reference(false)
		default:
			return g.char(false)
		}
	} else if c == '"' || c == '\'' {
		g.quote = c
	} else if c == '>' {
		g.state = inText
		g.endRun()
		g.pass(1)
		g.size = 0
		return true
	}
	g.pass(1)
	return true
}

// until passes a comment or processing instruction up to its end.
func (g *guard) until(end string) bool {
	b := g.in[g.pos:g.end]
	if bytes.HasPrefix(b, []byte(end)) {
		g.pass(len(end))
		g.state, g.size = g.back, 0
		return true
	}
	if len(b) < len(end) && bytes.HasPrefix([]byte(end), b) && !g.atEOF() {
		return false
	}
	g.pass(1)
	return true
}

// cdata passes CDATA content like text, up to "]]>".
func (g *guard) cdata() bool {
	b := g.in[g.pos:g.end]
	if b[0] == ']' {
		if len(b) < 3 && !g.atEOF() {
			return false
		}
		if bytes.HasPrefix(b, []byte("]]>")) {
			g.endRun()
			g.emit([]byte("]]>"), 3)
			g.state = inText
			return true
		}
	}
	if g.cutting {
		g.drop(']')
		return true
	}
	return g.char(true)
}

// decl passes a declaration such as <!DOCTYPE ...>, with its quoted
// literals, [ ] internal subset and comments.
func (g *guard) decl() bool {
	b := g.in[g.pos:g.end]
	switch c := b[0]; {
	case g.quote != 0:
		if c == g.quote {
			g.quote = 0
		}
	case c == '"' || c == '\'':
		g.quote = c
	case c == '<' && len(b) < 4 && !g.atEOF():
		return false
	case bytes.HasPrefix(b, []byte("<!--")):
		g.pass(4)
		g.state, g.back = inComment, inDecl
		return true
	case c == '[':
		g.nesting++
	case c == ']':
		g.nesting--
	case c == '>' && g.nesting <= 0:
		g.state = inText
		g.pass(1)
		g.size = 0
		return true
	}
	g.pass(1)
	return true
}

// char passes one character of text (cut is set for text that counts
// toward the element limit), or notes it and passes U+FFFD when XML does
// not allow it.
func (g *guard) char(cut bool) bool {
	b := g.in[g.pos:g.end]
	r, n := rune(b[0]), 1
	if b[0] >= utf8.RuneSelf {
		if !utf8.FullRune(b) && !g.atEOF() {
			return false
		}
		r, n = utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 && len(b) >= 3 && isSurrogateMark(b) {
			n = 3
		}
	}
	if cut && g.overLimit(n) {
		return true
	}
	if err := g.badChar(b[:n], r); err != nil {
		g.note(err)
		g.emit([]byte("\uFFFD"), n)
		return true
	}
	g.pass(n)
	return true
}

// badChar says why the character c (decoded as r) is not allowed, or nil.
func (g *guard) badChar(c []byte, r rune) error {
	switch {
	case r == utf8.RuneError && len(c) != 3, len(c) == 3 && isSurrogateMark(c), r == 0:
		_, err := charset.Check(c, g.encoding)
		return err
	case !xmlChar(r):
		return fmt.Errorf("the control character U+%04X, which XML does not allow", r)
	}
	return nil
}

func isSurrogateMark(b []byte) bool {
	return b[0] == 0xED && b[1] >= 0xA0 && b[1] <= 0xBF && b[2]&0xC0 == 0x80
}

// xmlChar reports whether XML 1.0 allows r in a document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// reference passes an entity or character reference; a character
// reference to a character XML does not allow is noted and becomes U+FFFD.
func (g *guard) reference(cut bool) bool {
	b := g.in[g.pos:g.end]
	end := bytes.IndexByte(b[:min(len(b), maxRef)], ';')
	if end < 0 {
		if len(b) < maxRef && !g.atEOF() {
			return false
		}
		end = 0 // not a reference: encoding/xml reports it
	}
	ref := b[:end+1]
	if cut && g.overLimit(len(ref)) {
		return true
	}
	if numeric, ok := charRef(ref); numeric && !ok {
		g.note(fmt.Errorf("the character reference %s names no character XML allows", ref))
		g.emit([]byte("\uFFFD"), len(ref))
		return true
	}
	g.pass(len(ref))
	return true
}

// charRef reports whether ref is a character reference (&#...;) and
// whether it names a character XML allows.
func charRef(ref []byte) (numeric, ok bool) {
	if !bytes.HasPrefix(ref, []byte("&#")) || len(ref) < 4 {
		return false, false
	}
	digits, base := ref[2:len(ref)-1], 10
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	n, err := strconv.ParseUint(string(digits), base, 32)
	return true, err == nil && xmlChar(rune(n))
}

// overLimit starts dropping the rest of a text run when n more bytes take
// it over the limit, and reports whether it did. No other event comes
// before the run ends, so the run's event stays the last one.
func (g *guard) overLimit(n int) bool {
	if g.size == 0 {
		g.runLine, g.runCol = g.line, g.col
	}
	if g.size+int64(n) <= g.lim.MaxElementBytes {
		return false
	}
	g.events = append(g.events, event{off: g.passed, line: g.runLine, col: g.runCol})
	g.cutting, g.noted = true, true
	return true
}

// drop drops text up to the byte stop, counting its size and newlines.
func (g *guard) drop(stop byte) {
	b := g.in[g.pos:g.end]
	n := bytes.IndexByte(b, stop)
	if n < 0 {
		n = len(b)
	}
	if n == 0 {
		n = 1 // a ']' that does not end CDATA
	}
	if nl := bytes.Count(b[:n], []byte{'\n'}); nl > 0 {
		g.dropped += nl
		if k := len(g.shifts); k > 0 && g.shifts[k-1].off == g.passed {
			g.shifts[k-1].total = g.dropped
		} else {
			g.shifts = append(g.shifts, shift{off: g.passed, total: g.dropped})
		}
	}
	g.track(b[:n])
	g.size += int64(n)
	g.pos += n
}

// endRun ends a text run: a cut run's event gets the run's whole size.
func (g *guard) endRun() {
	if g.cutting {
		g.events[len(g.events)-1].size = g.size
		g.cutting = false
	}
	g.size, g.noted = 0, false
}

// note records a problem at the read position, once per run or tag.
func (g *guard) note(err error) {
	if !g.noted {
		g.events = append(g.events, event{off: g.passed, line: g.line, col: g.col, err: err})
		g.noted = true
	}
}

// pass passes the next n input bytes on.
func (g *guard) pass(n int) {
	g.emit(g.in[g.pos:g.pos+n], n)
}

// emit writes out in place of the next n input bytes.
func (g *guard) emit(out []byte, n int) {
	g.out = append(g.out, out...)
	g.passed += int64(len(out))
	g.track(g.in[g.pos : g.pos+n])
	g.pos += n
	g.size += int64(n)
	if g.state != inText && g.state != inCDATA && g.size > g.lim.MaxRecordBytes {
		g.err = fmt.Errorf("%s on line %d is larger than the limit of %d bytes (%w)",
			[]string{inTag: "a tag", inComment: "a comment", inPI: "a processing instruction", inDecl: "a declaration"}[g.state],
			g.line, g.lim.MaxRecordBytes, codec.ErrTooLarge)
	}
}

// track moves the input position over b.
func (g *guard) track(b []byte) {
	if nl := bytes.LastIndexByte(b, '\n'); nl >= 0 {
		g.line += bytes.Count(b, []byte{'\n'})
		g.col = len(b) - nl - 1
	} else {
		g.col += len(b)
	}
}

// lineShift returns how many newlines were dropped before offset off.
func (g *guard) lineShift(off int64) int {
	total := 0
	for _, s := range g.shifts {
		if s.off > off {
			break
		}
		total = s.total
	}
	return total
}

// take returns the first event between offsets start and end, and drops
// every event before end: the decoder has read past them.
func (g *guard) take(start, end int64) (event, bool) {
	var first event
	found := false
	n := 0
	for _, e := range g.events {
		if e.off < end {
			if e.off >= start && !found {
				first, found = e, true
			}
			n++
		}
	}
	g.events = append(g.events[:0], g.events[n:]...)
	return first, found
}

// refusedIn reports whether the guard refused a character (an event with
// an error) between offsets start and end of its output.
func (g *guard) refusedIn(start, end int64) bool {
	for _, e := range g.events {
		if e.err != nil && e.off >= start && e.off < end {
			return true
		}
	}
	return false
}
