package csv

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/charset"
)

// Options configure a [Decoder]. The zero value detects everything and
// takes names from a header row.
type Options struct {
	// Delimiter separates fields; 0 detects one of , ; | and tab.
	Delimiter rune
	// Quote encloses fields; 0 detects " or '. NoQuote turns quoting off.
	Quote   rune
	NoQuote bool
	// Encoding names the text encoding (see package charset); "" detects it.
	Encoding string
	// NoHeader means the first row is data. Fields are then named by
	// Columns, or col1, col2, ... by position.
	NoHeader bool
	// Columns names the fields by position, overriding a header row.
	Columns []string
	// DecimalComma lists the fields whose values like "1.234,50" become
	// "1234.50"; "*" means every field that looks like such a number.
	DecimalComma []string
	// Limits bound a row's size (MaxRecordBytes).
	Limits codec.Limits
}

// Decoder reads rows as records. Every value is a string.
type Decoder struct {
	lines    lineReader
	parser   rowParser
	header   []string
	width    int
	encoding string
	utf8     bool
	decimal  decimalRule
	held     []numbered
	max      int64
}

// NewDecoder detects the file's encoding, delimiter and quote and reads its
// header row. An error here means the file cannot be read at all.
func NewDecoder(r io.Reader, opts Options) (*Decoder, error) {
	text, enc, err := charset.NewReader(r, opts.Encoding)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	br := bufio.NewReaderSize(text, 64<<10)
	head, _ := br.Peek(64 << 10)
	d := &Decoder{encoding: enc, utf8: enc == charset.UTF8, max: opts.Limits.WithDefaults().MaxRecordBytes}
	d.lines = lineReader{br: br, sep: detectSep(head), max: d.max}
	d.parser.delim, d.parser.quote = dialect(head, opts)
	d.decimal = newDecimalRule(opts.DecimalComma)
	if err := d.readHeader(opts); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Decoder) readHeader(opts Options) error {
	d.header = cleanNames(opts.Columns)
	d.width = len(d.header)
	if opts.NoHeader {
		return nil
	}
	fields, line, err := d.row()
	if err == io.EOF {
		return errors.New("csv: the file is empty: no header row")
	}
	if err != nil {
		return fmt.Errorf("csv: reading the header row: %w", err)
	}
	if d.header == nil {
		d.header = cleanNames(fields)
		d.width = len(d.header)
	} else if len(fields) != d.width {
		return fmt.Errorf("csv: line %d: header has %d fields, %d columns configured", line, len(fields), d.width)
	}
	return nil
}

// Header returns the field names in column order (nil before the first
// row of a file without header or columns).
func (d *Decoder) Header() []string { return d.header }

// Delimiter returns the delimiter in use.
func (d *Decoder) Delimiter() rune { return rune(d.parser.delim) }

// Encoding returns the text encoding in use.
func (d *Decoder) Encoding() string { return d.encoding }

// Next returns the next row as a record and its line number; see
// [codec.Decoder].
func (d *Decoder) Next() (map[string]any, int, error) {
	fields, line, err := d.row()
	if err != nil {
		return nil, line, err
	}
	if d.header == nil {
		d.header = positional(len(fields))
		d.width = len(fields)
	}
	if len(fields) != d.width {
		return nil, line, &codec.RecordError{Line: line, Raw: d.rowText(fields),
			Err: fmt.Errorf("%d fields where the header has %d", len(fields), d.width)}
	}
	rec := make(map[string]any, d.width)
	for i, name := range d.header {
		rec[name] = d.decimal.apply(name, fields[i])
	}
	return rec, line, nil
}

// row reads the next non-blank row's fields.
func (d *Decoder) row() ([]string, int, error) {
	for {
		first, no, err := d.lines.next()
		if err != nil {
			return nil, no, err
		}
		if first == "" {
			continue
		}
		return d.finishRow(first, no)
	}
}

// finishRow parses a row starting with line first, reading more lines while
// a quoted field is open. A row that cannot be closed is reported on its
// first line, and the lines after it are read again as rows of their own.
func (d *Decoder) finishRow(first string, no int) ([]string, int, error) {
	d.parser.reset()
	d.held = d.held[:0]
	size := int64(len(first))
	if err := d.checkText(first, no); err != nil {
		return nil, no, err
	}
	for line := first; !d.parser.feed(line); {
		next, nextNo, err := d.lines.next()
		if err != nil && !codec.IsRecordError(err) && err != io.EOF {
			return nil, no, err
		}
		size += int64(len(next)) + 1
		if err != nil || size > d.max {
			return nil, no, d.unclosed(no)
		}
		d.held = append(d.held, numbered{next, nextNo})
		line = next
	}
	if len(d.held) > 0 && (d.parser.err != nil || d.width > 0 && len(d.parser.fields) != d.width) {
		return nil, no, d.unclosed(no)
	}
	if d.parser.err != nil {
		return nil, no, &codec.RecordError{Line: no, Err: d.parser.err}
	}
	return d.parser.fields, no, nil
}

// unclosed reports an open quote on line no and re-queues the lines read
// after it.
func (d *Decoder) unclosed(no int) error {
	d.lines.pushBack(d.held)
	d.held = d.held[:0]
	return &codec.RecordError{Line: no, Err: errUnclosedQuote}
}

func (d *Decoder) checkText(line string, no int) error {
	if d.utf8 && !utf8.ValidString(line) {
		return &codec.RecordError{Line: no, Err: errors.New(
			"not valid UTF-8: the file seems to be in another encoding (set encoding, e.g. windows-1252)")}
	}
	return nil
}

// cleanNames trims names and makes empty and repeated ones unique.
func cleanNames(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	out := make([]string, len(names))
	seen := map[string]int{}
	for i, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			n = "col" + strconv.Itoa(i+1)
		}
		seen[n]++
		if c := seen[n]; c > 1 {
			n += "_" + strconv.Itoa(c)
		}
		out[i] = n
	}
	return out
}

func positional(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "col" + strconv.Itoa(i+1)
	}
	return out
}

var _ codec.Decoder = (*Decoder)(nil)
