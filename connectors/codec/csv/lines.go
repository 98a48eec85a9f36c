package csv

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/switchboard-app/switchboard/connectors/codec"
)

// lineReader yields physical lines without their line end, numbering them,
// with a stack of lines pushed back for re-reading.
type lineReader struct {
	br     *bufio.Reader
	sep    byte // '\n' (LF and CRLF files) or '\r' (CR files)
	max    int64
	line   int
	pushed []numbered
	buf    []byte
}

type numbered struct {
	text string
	no   int
}

var errLineTooLong = errors.New("line too long")

// detectSep picks the line end from the start of the text.
func detectSep(head []byte) byte {
	if bytes.IndexByte(head, '\n') < 0 && bytes.IndexByte(head, '\r') >= 0 {
		return '\r'
	}
	return '\n'
}

// next returns the next line and its number, io.EOF at the end, or a
// *codec.RecordError for a line longer than the limit (which is skipped).
func (lr *lineReader) next() (string, int, error) {
	if n := len(lr.pushed); n > 0 {
		l := lr.pushed[n-1]
		lr.pushed = lr.pushed[:n-1]
		return l.text, l.no, nil
	}
	b, err := lr.readSlice()
	if err != nil {
		var re *codec.RecordError
		if errors.As(err, &re) {
			return "", re.Line, err
		}
		return "", 0, err
	}
	lr.line++
	if lr.sep == '\n' && len(b) > 0 && b[len(b)-1] == '\r' {
		b = b[:len(b)-1]
	}
	return string(b), lr.line, nil
}

// readSlice reads up to the next separator, dropping it.
func (lr *lineReader) readSlice() ([]byte, error) {
	b, err := lr.br.ReadSlice(lr.sep)
	if err == nil {
		return b[:len(b)-1], nil
	}
	if err == io.EOF {
		if len(b) == 0 {
			return nil, io.EOF
		}
		return b, nil
	}
	if err != bufio.ErrBufferFull {
		return nil, err
	}
	return lr.readLong(b)
}

// readLong collects a line longer than the buffer, up to the limit.
func (lr *lineReader) readLong(first []byte) ([]byte, error) {
	lr.buf = append(lr.buf[:0], first...)
	for {
		b, err := lr.br.ReadSlice(lr.sep)
		if int64(len(lr.buf)+len(b)) > lr.max {
			return nil, lr.skipLong()
		}
		lr.buf = append(lr.buf, b...)
		switch err {
		case nil:
			return lr.buf[:len(lr.buf)-1], nil
		case io.EOF:
			return lr.buf, nil
		case bufio.ErrBufferFull:
			continue
		default:
			return nil, err
		}
	}
}

// skipLong drops the rest of an over-long line and reports it.
func (lr *lineReader) skipLong() error {
	lr.line++
	bad := &codec.RecordError{Line: lr.line,
		Err: fmt.Errorf("%w: longer than %d bytes (%w)", errLineTooLong, lr.max, codec.ErrTooLarge)}
	for {
		_, err := lr.br.ReadSlice(lr.sep)
		switch err {
		case nil, io.EOF:
			return bad
		case bufio.ErrBufferFull:
			continue
		default:
			return err
		}
	}
}

// pushBack returns lines for re-reading, first line first.
func (lr *lineReader) pushBack(lines []numbered) {
	for i := len(lines) - 1; i >= 0; i-- {
		lr.pushed = append(lr.pushed, lines[i])
	}
}
