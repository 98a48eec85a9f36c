package csv

import (
	"errors"
	"fmt"
	"io"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/charset"
	"github.com/switchboard-app/switchboard/connectors/codec/internal/lines"
)

// nextRow reads the next row's fields, blank or not.
func (d *Decoder) nextRow() ([]string, int, error) {
	first, no, err := d.lines.next()
	var long *lines.TooLongError
	if errors.As(err, &long) {
		return nil, no, &codec.RecordError{Line: no, Err: err}
	}
	if err != nil {
		return nil, no, err
	}
	return d.finishRow(first, no)
}

// finishRow parses a row starting with line first, reading more lines while
// a quoted field is open. A row that cannot be closed is reported on its
// first line, and the lines after it are read again as rows of their own;
// a row that grows past the limit goes to overflow.
func (d *Decoder) finishRow(first string, no int) ([]string, int, error) {
	d.parser.reset()
	d.held = d.held[:0]
	size := int64(len(first))
	bad := d.checkText(first, no, no)
	for line := first; !d.parser.feed(line); {
		next, nextNo, err := d.lines.next()
		var long *lines.TooLongError
		switch {
		case errors.As(err, &long):
			return d.overflow(no, numbered{no: nextNo, err: err}, size+long.Size)
		case err == io.EOF:
			return nil, no, d.unclosed(no)
		case err != nil:
			return nil, no, err
		}
		if size += int64(len(next)) + 1; size > d.max {
			return d.overflow(no, numbered{text: next, no: nextNo}, size)
		}
		d.held = append(d.held, numbered{text: next, no: nextNo})
		if bad == nil {
			bad = d.checkText(next, no, nextNo)
		}
		line = next
	}
	if len(d.held) > 0 && !d.wellFormed() {
		return nil, no, d.unclosed(no)
	}
	if bad != nil {
		return nil, no, d.inColumn(bad)
	}
	if d.parser.err != nil {
		return nil, no, &codec.RecordError{Line: no, Err: d.parser.err}
	}
	return d.parser.fields, no, nil
}

// inColumn adds to the error of a row holding something that is not text
// the column of the first field that holds it.
func (d *Decoder) inColumn(err error) error {
	var re *codec.RecordError
	if !errors.As(err, &re) {
		return err
	}
	for i, f := range d.parser.fields {
		if _, bad := charset.CheckString(f, d.encoding); bad != nil {
			re.Err = fmt.Errorf("%s: %w", d.column(i), re.Err)
			break
		}
	}
	return re
}

// column names the i-th column (from 0) by its name, else by its number.
func (d *Decoder) column(i int) string {
	if i < len(d.header) {
		return fmt.Sprintf("column %q", d.header[i])
	}
	return fmt.Sprintf("column %d", i+1)
}

// wellFormed reports whether the parsed row closed cleanly with the
// header's number of fields.
func (d *Decoder) wellFormed() bool {
	return d.parser.err == nil && (d.width == 0 || len(d.parser.fields) == d.width)
}

// unclosed reports an open quote on line no and re-queues the lines read
// after it.
func (d *Decoder) unclosed(no int) error {
	d.lines.pushBack(d.held)
	d.held = d.held[:0]
	return &codec.RecordError{Line: no, Err: errUnclosedQuote}
}

// overflow handles a row that grew past the limit inside a quoted field,
// from line over on. When every line held reads as a row of its own, the
// quote on line no was a stray one: they are read again. Otherwise overflow
// reads on without keeping the field, to where the quote closes; if the
// row then ends cleanly, it was one huge field and fails alone. If not, the
// lines held are read again and the ones skipped after them are reported.
func (d *Decoder) overflow(no int, over numbered, size int64) ([]string, int, error) {
	if over.err == nil && d.rowsLike(append(d.held, over)) {
		d.held = append(d.held, over)
		return nil, no, d.unclosed(no)
	}
	d.parser.discard = true
	defer func() { d.parser.discard = false }()
	last, end, err := d.skipQuoted(over, &size)
	if err != nil {
		return nil, no, err
	}
	if end == endUnchecked || end == endClosed && d.wellFormed() {
		d.held = d.held[:0]
		return nil, no, &codec.RecordError{Line: no, Err: fmt.Errorf(
			"row larger than the limit of %d bytes: %d bytes on %s (%w)", d.max, size, lineRange(no, last), codec.ErrTooLarge)}
	}
	skipped := &codec.RecordError{Line: over.no, Err: fmt.Errorf(
		"%s not read: after the unclosed quote of line %d, further than the limit of %d bytes (%w)",
		lineRange(over.no, last), no, d.max, codec.ErrTooLarge)}
	d.held = append(d.held, numbered{no: over.no, err: skipped})
	return nil, no, d.unclosed(no)
}

// rowsLike reports whether each line, read alone, is a clean row with the
// header's number of fields.
func (d *Decoder) rowsLike(held []numbered) bool {
	if d.width == 0 {
		return false
	}
	for _, l := range held {
		p := rowParser{delim: d.parser.delim, quote: d.parser.quote}
		if !p.feed(l.text) || p.err != nil || len(p.fields) != d.width {
			return false
		}
	}
	return true
}

// How skipQuoted found the end of a row.
const (
	endOfInput   = iota // the input ended inside the quotes
	endClosed           // the row is complete; the parser has its fields
	endUnchecked        // the quote closed inside a line too long to parse
)

// skipQuoted feeds lines to the parser, which keeps no field text, until
// the row is complete or the input ends, and returns the last line read.
// A line too long to parse ends the row when it holds an odd number of
// quote characters, which closes the quote.
func (d *Decoder) skipQuoted(line numbered, size *int64) (last, end int, err error) {
	for {
		var long *lines.TooLongError
		switch {
		case errors.As(line.err, &long):
			if long.Counted%2 == 1 {
				return line.no, endUnchecked, nil
			}
		case line.err == io.EOF:
			return last, endOfInput, nil
		case line.err != nil:
			return last, endOfInput, line.err
		case d.parser.feed(line.text):
			return line.no, endClosed, nil
		}
		last = line.no
		line.text, line.no, line.err = d.lines.next()
		*size += int64(len(line.text)) + 1
		if errors.As(line.err, &long) {
			*size += long.Size
		}
	}
}

// lineRange names lines from to to: "line 4" or "lines 4 to 9".
func lineRange(from, to int) string {
	if from == to {
		return fmt.Sprintf("line %d", from)
	}
	return fmt.Sprintf("lines %d to %d", from, to)
}
