package csv

import (
	"bufio"
	"bytes"
	stdcsv "encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/charset"
)

// EncoderOptions configure an [Encoder].
type EncoderOptions struct {
	// Delimiter separates fields (default ',').
	Delimiter rune
	// Columns fixes the fields and their order; by default every
	// top-level field the Order lists and the first record's other fields,
	// in the Order (by name where it has none).
	Columns []string
	// Order gives the columns and their order when Columns is empty.
	Order *codec.Order
	// NoHeader leaves out the header row.
	NoHeader bool
	// Encoding names the output encoding (default UTF-8).
	Encoding string
	// CRLF ends lines with CRLF instead of LF.
	CRLF bool
	// KeepFormulas writes cells that a spreadsheet would run as formulas
	// as they are. By default such a cell gets a ' in front (see
	// [Neutralise]).
	KeepFormulas bool
}

// Encoder writes records as rows. Each row is written whole or not at
// all: one that cannot be written (a field outside the columns, a
// character the encoding cannot hold) fails alone and leaves the output
// as it was.
type Encoder struct {
	opts    EncoderOptions
	out     *bufio.Writer
	text    io.WriteCloser     // encodes into out
	holds   func(string) error // whether the encoding holds a text
	buf     bytes.Buffer       // the row being written
	w       *stdcsv.Writer     // writes into buf
	columns []string
	known   map[string]bool
	row     []string
}

// NewEncoder returns an encoder writing to w.
func NewEncoder(w io.Writer, opts EncoderOptions) (*Encoder, error) {
	out := bufio.NewWriter(w)
	text, err := charset.NewWriter(out, opts.Encoding)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	holds, err := charset.Holds(opts.Encoding)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	e := &Encoder{opts: opts, out: out, text: text, holds: holds}
	e.w = stdcsv.NewWriter(&e.buf)
	if opts.Delimiter != 0 {
		e.w.Comma = opts.Delimiter
	}
	e.w.UseCRLF = opts.CRLF
	return e, nil
}

// Encode writes one record. A field outside the columns is refused, so
// that nothing is dropped silently.
func (e *Encoder) Encode(rec map[string]any) error {
	if e.columns == nil {
		if err := e.start(rec); err != nil {
			return err
		}
	}
	for name := range rec {
		if !e.known[name] {
			return fmt.Errorf("csv: field %q is not one of the columns %v", name, e.columns)
		}
	}
	for i, name := range e.columns {
		e.row[i] = Format(rec[name])
		if !e.opts.KeepFormulas {
			e.row[i] = Neutralise(e.row[i])
		}
		if err := e.holds(e.row[i]); err != nil {
			return fmt.Errorf("csv: field %q: %w", name, err)
		}
	}
	if err := e.put(e.row); err != nil {
		return fmt.Errorf("csv: writing a row: %w", err)
	}
	return nil
}

// start takes the columns, unless they are fixed, from the Order and the
// first record, and writes the header.
func (e *Encoder) start(rec map[string]any) error {
	columns := e.opts.Columns
	if len(columns) == 0 {
		columns = orderedColumns(e.opts.Order, rec)
	}
	if !e.opts.NoHeader {
		for _, c := range columns {
			if err := e.holds(c); err != nil {
				return fmt.Errorf("csv: the header: column %q: %w", c, err)
			}
		}
		if err := e.put(columns); err != nil {
			return fmt.Errorf("csv: writing the header: %w", err)
		}
	}
	e.columns = columns
	e.known = make(map[string]bool, len(columns))
	for _, c := range columns {
		e.known[c] = true
	}
	e.row = make([]string, len(columns))
	return nil
}

// orderedColumns returns every top-level field the Order lists, then the
// record's other fields, arranged by the Order. A write mapping leaves out
// a field whose value is empty, so the first record may lack a field that
// later ones have: the columns hold it all the same.
func orderedColumns(order *codec.Order, rec map[string]any) []string {
	var columns []string
	if order != nil {
		columns = slices.Clone(order.Keys)
	}
	for name := range rec {
		if !slices.Contains(columns, name) {
			columns = append(columns, name)
		}
	}
	order.Arrange(columns)
	return columns
}

// put writes one row: formatted aside, then into the output at once.
func (e *Encoder) put(cells []string) error {
	e.buf.Reset()
	if err := e.w.Write(cells); err != nil {
		return err
	}
	e.w.Flush()
	if err := e.w.Error(); err != nil {
		return err
	}
	_, err := e.text.Write(e.buf.Bytes())
	return err
}

// Close flushes the rows written.
func (e *Encoder) Close() error {
	if err := e.text.Close(); err != nil {
		return fmt.Errorf("csv: encoding: %w", err)
	}
	if err := e.out.Flush(); err != nil {
		return fmt.Errorf("csv: flushing: %w", err)
	}
	return nil
}

// Neutralise returns cell with a ' in front when a spreadsheet would run it
// as a formula: when it starts with = + - @, a tab, a CR or a NUL, as OWASP
// (and ASVS 5.0, 1.2.10) recommends against CSV injection. Numbers such as
// -5, +1.5 or -1.234,50 are left as they are.
func Neutralise(cell string) string {
	if cell == "" || strings.IndexByte("=+-@\t\r\x00", cell[0]) < 0 || number(cell) {
		return cell
	}
	return "'" + cell
}

// number reports whether s is a plain number, with a decimal point or a
// decimal comma.
func number(s string) bool {
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return true
	}
	return decimalComma(s)
}

// Format renders a value as a cell: strings and numbers as they are, nil
// as empty, times in RFC 3339 with as many fractional digits as they
// have, lists and objects as JSON.
func Format(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case fmt.Stringer:
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

var _ codec.Encoder = (*Encoder)(nil)
