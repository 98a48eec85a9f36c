package csv

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/charset"
	"github.com/switchboard-app/switchboard/connectors/codec/internal/lines"
)

// Options configure a [Decoder]. The zero value detects everything and
// takes names from a header row.
type Options struct {
	// Delimiter separates fields; 0 takes the one a "sep=" first line
	// names, else detects one of , ; | and tab.
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
	// RenameDuplicates numbers a repeated column name (sku, sku_2) instead
	// of refusing the file.
	RenameDuplicates bool
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
	decimal  decimalRule
	held     []numbered
	max      int64
	skipped  int
}

// NewDecoder detects the file's encoding, delimiter and quote and reads its
// header row. An error here means the file cannot be read at all.
func NewDecoder(r io.Reader, opts Options) (*Decoder, error) {
	text, enc, err := charset.NewReader(r, opts.Encoding)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	d := &Decoder{encoding: enc, max: opts.Limits.WithDefaults().MaxRecordBytes}
	d.lines.r = lines.NewReader(text, d.max)
	if err := d.readDialect(opts); err != nil {
		return nil, err
	}
	d.decimal = newDecimalRule(opts.DecimalComma)
	if err := d.readHeader(opts); err != nil {
		return nil, err
	}
	return d, nil
}

// readDialect takes a "sep=" first line and detects what opts leaves open.
func (d *Decoder) readDialect(opts Options) error {
	head := d.lines.r.Head(64 << 10)
	if sep, n, ok := sepLine(head); ok {
		if _, _, err := d.lines.next(); err != nil {
			return fmt.Errorf("csv: reading the sep= line: %w", err)
		}
		if opts.Delimiter == 0 {
			opts.Delimiter = rune(sep)
		}
		head = head[n:]
	}
	d.parser.delim, d.parser.quote = dialect(head, opts)
	d.lines.r.Count(d.parser.quote)
	return nil
}

func (d *Decoder) readHeader(opts Options) error {
	header, err := names(opts.Columns, opts.RenameDuplicates)
	if err != nil {
		return fmt.Errorf("csv: columns: %w", err)
	}
	d.header, d.width = header, len(header)
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
	if d.header != nil {
		if len(fields) != d.width {
			return fmt.Errorf("csv: line %d: header has %d fields, %d columns configured", line, len(fields), d.width)
		}
		return nil
	}
	if d.header, err = names(fields, opts.RenameDuplicates); err != nil {
		return fmt.Errorf("csv: line %d: header: %w", line, err)
	}
	d.width = len(d.header)
	return nil
}

// Header returns the field names in column order (nil before the first
// row of a file without header or columns).
func (d *Decoder) Header() []string { return d.header }

// Delimiter returns the delimiter in use.
func (d *Decoder) Delimiter() rune { return rune(d.parser.delim) }

// Encoding returns the text encoding in use.
func (d *Decoder) Encoding() string { return d.encoding }

// Skipped returns how many rows without data (blank lines, rows of empty
// fields) were passed over so far; see [codec.Skipper].
func (d *Decoder) Skipped() int { return d.skipped }

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

// row reads the next row that holds data, counting the rows passed over.
func (d *Decoder) row() ([]string, int, error) {
	for {
		fields, no, err := d.nextRow()
		if err != nil || !blank(fields) {
			return fields, no, err
		}
		d.skipped++
	}
}

// blank reports whether every field is empty or white space.
func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// checkText fails a row whose physical line no holds something that is not
// text (see [charset.Check]).
func (d *Decoder) checkText(text string, row, no int) error {
	off, err := charset.CheckString(text, d.encoding)
	if err == nil {
		return nil
	}
	return codec.TextError(row, no, charset.SourceOffset([]byte(text[:off]), d.encoding), err)
}

var _ codec.Decoder = (*Decoder)(nil)
var _ codec.Skipper = (*Decoder)(nil)
