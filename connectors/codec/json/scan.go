package json

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// scanner reads JSON text byte by byte from a buffered stream, knowing the
// line and the byte offset in the line of each byte. It understands just
// enough JSON to find where a value ends: strings, brackets and scalars.
type scanner struct {
	r        io.Reader
	buf      []byte
	pos, end int
	err      error // what ended the input (io.EOF at the end)
	line     int
	col      int
}

func newScanner(r io.Reader, line int) *scanner {
	return &scanner{r: r, buf: make([]byte, 32<<10), line: line}
}

// peek returns the next byte without taking it; false at the end of the
// input or on a read error (see s.err).
func (s *scanner) peek() (byte, bool) {
	for s.pos == s.end {
		if s.err != nil {
			return 0, false
		}
		s.fill()
	}
	return s.buf[s.pos], true
}

func (s *scanner) fill() {
	for tries := 0; tries < 100; tries++ {
		n, err := s.r.Read(s.buf)
		s.pos, s.end = 0, n
		if err != nil {
			s.err = err
			return
		}
		if n > 0 {
			return
		}
	}
	s.err = io.ErrNoProgress
}

// take consumes the byte peek returned.
func (s *scanner) take() {
	if s.buf[s.pos] == '\n' {
		s.line++
		s.col = 0
	} else {
		s.col++
	}
	s.pos++
}

// skipSpace consumes white space and returns the next byte.
func (s *scanner) skipSpace() (byte, bool) {
	for {
		c, ok := s.peek()
		if !ok || !isSpace(c) {
			return c, ok
		}
		s.take()
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// ended returns the error for input that ends where more is needed.
func (s *scanner) ended(where string) error {
	if s.err != nil && s.err != io.EOF {
		return fmt.Errorf("reading the file: %w", s.err)
	}
	return fmt.Errorf("the file ends %s: %w", where, io.ErrUnexpectedEOF)
}

// value is one JSON value read from the stream.
type value struct {
	raw       []byte // its text, when kept and not larger than the limit
	line, col int    // where it starts
	size      int64
	tooLarge  bool
	depth     int   // deepest nesting of arrays and objects
	longest   int64 // the longest string, in bytes of the file
	longLine  int   // the line that string starts on
	open      int   // the brackets open now
	members   int   // the object members in it, at every depth
	stack     []byte
}

// maxStack is how many open brackets are checked against their closing
// ones; deeper ones are only counted, so a nesting bomb costs no memory.
const maxStack = 1024

// errStructure is wrapped by errors after which the end of the value is
// unknown.
var errStructure = errors.New("not valid JSON")

// read consumes one value, keeping up to limit bytes of its text in v.raw
// when keep is set. A value larger than limit is read to its end all the
// same, without keeping it.
func (s *scanner) read(v *value, keep bool, limit int64) error {
	v.raw, v.size, v.tooLarge, v.depth, v.longest, v.open, v.members = v.raw[:0], 0, false, 0, 0, 0, 0
	v.line, v.col = s.line, s.col
	v.stack = v.stack[:0]
	c, ok := s.peek()
	if !ok {
		return s.ended("where a value should start")
	}
	switch c {
	case '"':
		return s.str(v, keep, limit)
	case '{', '[':
		return s.container(v, keep, limit)
	case ',', ':', ']', '}':
		return fmt.Errorf("%w: %q where a value should start", errStructure, c)
	}
	s.scalar(v, keep, limit)
	return nil
}

// keepByte adds the byte at the read position to the value and takes it.
func (s *scanner) keepByte(v *value, keep bool, limit int64) {
	v.size++
	if keep && !v.tooLarge {
		if v.size > limit {
			v.tooLarge, v.raw = true, v.raw[:0]
		} else {
			v.raw = append(v.raw, s.buf[s.pos])
		}
	}
	s.take()
}

// scalar reads a number, true, false or null: up to the next delimiter.
func (s *scanner) scalar(v *value, keep bool, limit int64) {
	for {
		c, ok := s.peek()
		if !ok || isSpace(c) || c == ',' || c == ':' || c == ']' || c == '}' || c == '[' || c == '{' || c == '"' {
			return
		}
		s.keepByte(v, keep, limit)
	}
}

// str reads a string with its quotes, noting its size. Runs of plain
// characters are taken in bulk.
func (s *scanner) str(v *value, keep bool, limit int64) error {
	start, line := v.size, s.line
	s.keepByte(v, keep, limit)
	for {
		if _, ok := s.peek(); !ok {
			return s.ended(fmt.Sprintf("inside a string that starts on line %d", line))
		}
		b := s.buf[s.pos:s.end]
		i := indexQuoteOrEscape(b)
		if i < 0 {
			s.keepSpan(v, keep, limit, len(b))
			continue
		}
		s.keepSpan(v, keep, limit, i)
		if b[i] == '"' {
			s.keepByte(v, keep, limit)
			if n := v.size - start - 2; n > v.longest {
				v.longest, v.longLine = n, line
			}
			return nil
		}
		s.keepByte(v, keep, limit) // the backslash, then what it escapes
		if _, ok := s.peek(); !ok {
			return s.ended(fmt.Sprintf("inside a string that starts on line %d", line))
		}
		s.keepByte(v, keep, limit)
	}
}

// indexQuoteOrEscape returns the index of the first " or \ in b, or -1.
func indexQuoteOrEscape(b []byte) int {
	q := bytes.IndexByte(b, '"')
	upTo := len(b)
	if q >= 0 {
		upTo = q
	}
	if e := bytes.IndexByte(b[:upTo], '\\'); e >= 0 {
		return e
	}
	return q
}

// keepSpan adds the next n buffered bytes to the value and takes them.
func (s *scanner) keepSpan(v *value, keep bool, limit int64, n int) {
	b := s.buf[s.pos : s.pos+n]
	v.size += int64(n)
	if keep && !v.tooLarge {
		if v.size > limit {
			v.tooLarge, v.raw = true, v.raw[:0]
		} else {
			v.raw = append(v.raw, b...)
		}
	}
	if nl := bytes.LastIndexByte(b, '\n'); nl >= 0 {
		s.line += bytes.Count(b, []byte{'\n'})
		s.col = n - nl - 1
	} else {
		s.col += n
	}
	s.pos += n
}

// container reads an array or object to its closing bracket.
func (s *scanner) container(v *value, keep bool, limit int64) error {
	for {
		c, ok := s.peek()
		if !ok {
			return s.ended(fmt.Sprintf("inside the value that starts on line %d", v.line))
		}
		switch c {
		case '"':
			if err := s.str(v, keep, limit); err != nil {
				return err
			}
			continue
		case '{', '[':
			v.open++
			v.depth = max(v.depth, v.open)
			if v.open <= maxStack {
				v.stack = append(v.stack, c)
			}
		case '}', ']':
			if err := v.close(c, s); err != nil {
				return err
			}
		case ':':
			v.members++
		}
		s.keepByte(v, keep, limit)
		if v.open == 0 {
			return nil
		}
	}
}

// close checks that bracket c closes the innermost open one.
func (v *value) close(c byte, s *scanner) error {
	if v.open <= len(v.stack) {
		open := v.stack[len(v.stack)-1]
		if open == '{' && c != '}' || open == '[' && c != ']' {
			return fmt.Errorf("%w: %q closes %q (at line %d, byte offset %d)", errStructure, c, open, s.line, s.col)
		}
		v.stack = v.stack[:len(v.stack)-1]
	}
	v.open--
	return nil
}
