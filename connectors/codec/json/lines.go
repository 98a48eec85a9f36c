package json

import (
	"bytes"
	"io"
)

// lineTracker remembers the bytes read but not yet counted, so that the
// line of a decoder offset can be found without keeping the whole input.
type lineTracker struct {
	r      io.Reader
	window []byte
	base   int64
	line   int
}

func (t *lineTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.window = append(t.window, p[:n]...)
	return n, err
}

// lineAt returns the line of the first byte at or after off that is not
// white space or a comma. Offsets must not go backwards.
func (t *lineTracker) lineAt(off int64) int {
	k := int(off - t.base)
	if k < 0 {
		k = 0
	}
	if k > len(t.window) {
		k = len(t.window)
	}
	t.line += bytes.Count(t.window[:k], []byte{'\n'})
	for k < len(t.window) && isSkippable(t.window[k]) {
		if t.window[k] == '\n' {
			t.line++
		}
		k++
	}
	t.window = append(t.window[:0], t.window[k:]...)
	t.base += int64(k)
	return t.line
}

func isSkippable(b byte) bool {
	return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == ','
}
