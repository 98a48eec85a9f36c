// Package lines reads text one line at a time with a bounded buffer. A
// line ends with LF, CRLF or a lone CR, whatever the rest of the file
// uses, and a line longer than the limit is skipped and reported with its
// size, so that one huge line costs neither memory nor the lines after it.
package lines

import (
	"bytes"
	"fmt"
	"io"

	"github.com/switchboard-app/switchboard/connectors/codec"
)

// minBuffer is the buffer a reader starts with; it grows up to the limit.
const minBuffer = 64 << 10

// Reader yields lines without their line end, numbered from 1.
type Reader struct {
	r          io.Reader
	buf        []byte
	start, end int
	scanned    int   // bytes from start known to hold no line end
	afterCR    bool  // the last line ended with CR: drop a LF right after it
	err        error // what ended the input (io.EOF at the end)
	max        int
	line       int
	counted    byte
}

// TooLongError reports a line longer than the limit, which was skipped.
type TooLongError struct {
	// Line is the skipped line's number.
	Line int
	// Size is its length in bytes, without the line end.
	Size int64
	// Max is the limit.
	Max int
	// Counted is how often the byte set with [Reader.Count] occurs in it.
	Counted int
}

// Error says how long the line is.
func (e *TooLongError) Error() string {
	return fmt.Sprintf("line too long: %d bytes, the limit is %d bytes", e.Size, e.Max)
}

// Unwrap returns [codec.ErrTooLarge].
func (e *TooLongError) Unwrap() error { return codec.ErrTooLarge }

// NewReader returns a reader of r's lines of at most max bytes.
func NewReader(r io.Reader, max int64) *Reader {
	return &Reader{r: r, max: int(max), buf: make([]byte, minBuffer)}
}

// Count sets a byte whose occurrences in a skipped line are counted.
func (r *Reader) Count(c byte) { r.counted = c }

// Head returns up to n bytes from the current position without consuming
// them; fewer at the end of the input. n must not exceed 64 KiB.
func (r *Reader) Head(n int) []byte {
	for r.end-r.start < n && r.err == nil {
		r.fill()
	}
	return r.buf[r.start:min(r.end, r.start+n)]
}

// Next returns the next line and its number; the line is valid until the
// next call. It returns io.EOF after the last line, a *TooLongError for a
// line over the limit (skipped; reading goes on after it) and the read
// error that ended the input, if any.
func (r *Reader) Next() ([]byte, int, error) {
	for {
		if r.afterCR && !r.dropLF() {
			continue
		}
		if line, ok := r.cut(); ok {
			r.line++
			if len(line) > r.max {
				e := &TooLongError{Line: r.line, Max: r.max}
				r.note(e, line)
				return nil, r.line, e
			}
			return line, r.line, nil
		}
		if r.end-r.start > r.max {
			err := r.skip()
			return nil, r.line, err
		}
		if r.err != nil {
			return r.last()
		}
		r.fill()
	}
}

// dropLF drops the LF of a CRLF whose CR ended the last line. It returns
// false when it had to read more input to see the next byte.
func (r *Reader) dropLF() bool {
	if r.start == r.end && r.err == nil {
		r.fill()
		return false
	}
	if r.start < r.end && r.buf[r.start] == '\n' {
		r.start++
	}
	r.afterCR = false
	return true
}

// cut takes the next complete line from the buffer.
func (r *Reader) cut() ([]byte, bool) {
	b := r.buf[r.start:r.end]
	i := indexEOL(b, r.scanned)
	if i < 0 {
		r.scanned = len(b)
		return nil, false
	}
	r.start += i + 1
	r.scanned = 0
	r.afterCR = b[i] == '\r'
	return b[:i], true
}

// last returns the line the input ends with, without a line end.
func (r *Reader) last() ([]byte, int, error) {
	if r.start == r.end {
		return nil, r.line + 1, r.err
	}
	line := r.buf[r.start:r.end]
	r.start, r.scanned = r.end, 0
	r.line++
	return line, r.line, nil
}

// skip drops an over-long line up to its line end and reports it.
func (r *Reader) skip() error {
	r.line++
	e := &TooLongError{Line: r.line, Max: r.max}
	for {
		b := r.buf[r.start:r.end]
		if i := indexEOL(b, 0); i >= 0 {
			r.note(e, b[:i])
			r.start += i + 1
			r.afterCR = b[i] == '\r'
			r.scanned = 0
			return e
		}
		r.note(e, b)
		r.start, r.scanned = r.end, 0
		if r.err != nil {
			return e
		}
		r.fill()
	}
}

func (r *Reader) note(e *TooLongError, b []byte) {
	e.Size += int64(len(b))
	if r.counted != 0 {
		e.Counted += bytes.Count(b, []byte{r.counted})
	}
}

// fill reads more input, making room first: the buffer grows while one
// line does not fit, up to the limit.
func (r *Reader) fill() {
	if r.start > 0 {
		n := copy(r.buf, r.buf[r.start:r.end])
		r.start, r.end = 0, n
	}
	if r.end == len(r.buf) {
		grown := make([]byte, min(2*len(r.buf), r.max+minBuffer))
		copy(grown, r.buf[:r.end])
		r.buf = grown
	}
	for tries := 0; tries < 100; tries++ {
		n, err := r.r.Read(r.buf[r.end:])
		r.end += n
		if err != nil {
			r.err = err
			return
		}
		if n > 0 {
			return
		}
	}
	r.err = io.ErrNoProgress
}

// indexEOL returns the index of the first CR or LF in b at or after from.
func indexEOL(b []byte, from int) int {
	lf := bytes.IndexByte(b[from:], '\n')
	upTo := len(b)
	if lf >= 0 {
		upTo = from + lf
	}
	if cr := bytes.IndexByte(b[from:upTo], '\r'); cr >= 0 {
		return from + cr
	}
	if lf >= 0 {
		return from + lf
	}
	return -1
}
