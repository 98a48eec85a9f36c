package csv

import (
	stdcsv "encoding/csv"
	"encoding/json"
	"fmt"
	"io"
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
	// Columns fixes the fields and their order; by default the first
	// record's fields, in the Order (by name where it has none).
	Columns []string
	// Order orders the first record's fields when Columns is empty.
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

// Encoder writes records as rows.
type Encoder struct {
	opts    EncoderOptions
	text    io.WriteCloser
	w       *stdcsv.Writer
	columns []string
	known   map[string]bool
	row     []string
}

// NewEncoder returns an encoder writing to w.
func NewEncoder(w io.Writer, opts EncoderOptions) (*Encoder, error) {
	text, err := charset.NewWriter(w, opts.Encoding)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	cw := stdcsv.NewWriter(text)
	if opts.Delimiter != 0 {
		cw.Comma = opts.Delimiter
	}
	cw.UseCRLF = opts.CRLF
	return &Encoder{opts: opts, text: text, w: cw}, nil
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
	}
	if err := e.w.Write(e.row); err != nil {
		return fmt.Errorf("csv: writing a row: %w", err)
	}
	return nil
}

func (e *Encoder) start(rec map[string]any) error {
	e.columns = e.opts.Columns
	if len(e.columns) == 0 {
		for name := range rec {
			e.columns = append(e.columns, name)
		}
		e.opts.Order.Arrange(e.columns)
	}
	e.known = make(map[string]bool, len(e.columns))
	for _, c := range e.columns {
		e.known[c] = true
	}
	e.row = make([]string, len(e.columns))
	if e.opts.NoHeader {
		return nil
	}
	if err := e.w.Write(e.columns); err != nil {
		return fmt.Errorf("csv: writing the header: %w", err)
	}
	return nil
}

// Close flushes the rows written.
func (e *Encoder) Close() error {
	e.w.Flush()
	if err := e.w.Error(); err != nil {
		return fmt.Errorf("csv: flushing: %w", err)
	}
	if err := e.text.Close(); err != nil {
		return fmt.Errorf("csv: encoding: %w", err)
	}
	return nil
}

// Neutralise returns cell with a ' in front when a spreadsheet would run it
// as a formula: when it starts with = + - @, a tab or a CR, as OWASP
// recommends against CSV injection. Numbers such as -5, +1.5 or -1.234,50
// are left as they are.
func Neutralise(cell string) string {
	if cell == "" || strings.IndexByte("=+-@\t\r", cell[0]) < 0 || number(cell) {
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
