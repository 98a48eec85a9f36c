package csv

import (
	"errors"
	"io"

	"github.com/switchboard-app/switchboard/connectors/codec/internal/lines"
)

// lineReader yields physical lines as strings, with a stack of lines
// pushed back for re-reading.
type lineReader struct {
	r      *lines.Reader
	pushed []numbered
}

// numbered is a line with its number, or the error read in its place.
type numbered struct {
	text string
	no   int
	err  error
}

// next returns the next line and its number, io.EOF at the end, or a
// *lines.TooLongError for a line over the limit (which is skipped).
func (lr *lineReader) next() (string, int, error) {
	if n := len(lr.pushed); n > 0 {
		l := lr.pushed[n-1]
		lr.pushed = lr.pushed[:n-1]
		return l.text, l.no, l.err
	}
	b, no, err := lr.r.Next()
	var long *lines.TooLongError
	if err != nil && !errors.As(err, &long) && err != io.EOF {
		return "", no, err
	}
	return string(b), no, err
}

// pushBack returns lines for re-reading, first line first.
func (lr *lineReader) pushBack(held []numbered) {
	for i := len(held) - 1; i >= 0; i-- {
		lr.pushed = append(lr.pushed, held[i])
	}
}
