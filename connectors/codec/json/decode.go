package json

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/charset"
)

// Options configure a [Decoder].
type Options struct {
	// Path is the dotted path to the records, e.g. "data.items". The value
	// there is an array of records or one record. Empty means a top-level
	// array, or every top-level value when the file holds several.
	Path string
	// Lines reads NDJSON: one record per line, and a bad line fails alone.
	Lines bool
	// Encoding names the text encoding; "" detects it.
	Encoding string
	// Limits bound a record's size and depth.
	Limits codec.Limits
}

// Decoder reads records from JSON. Numbers are json.Number.
type Decoder struct {
	opts   Options
	lines  *lineTracker
	limit  *codec.LimitReader
	dec    *json.Decoder
	scan   *bufio.Scanner
	lineNo int
	state  int
}

const (
	stateArray  = iota // inside the records' array
	stateOne           // one record to read at the path
	stateStream        // a sequence of top-level values
	stateDone
)

// NewDecoder walks to the records. An error here means the file cannot be
// read at all.
func NewDecoder(r io.Reader, opts Options) (*Decoder, error) {
	opts.Limits = opts.Limits.WithDefaults()
	text, _, err := charset.NewReader(r, opts.Encoding)
	if err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	d := &Decoder{opts: opts}
	if opts.Lines {
		d.scan = bufio.NewScanner(text)
		d.scan.Buffer(make([]byte, 64<<10), int(opts.Limits.MaxRecordBytes))
		return d, nil
	}
	d.lines = &lineTracker{r: text, line: 1}
	d.limit = &codec.LimitReader{R: d.lines, Max: opts.Limits.MaxRecordBytes, What: "record"}
	d.dec = json.NewDecoder(d.limit)
	d.dec.UseNumber()
	if err := d.seek(); err != nil {
		return nil, err
	}
	return d, nil
}

// seek positions the decoder at the records.
func (d *Decoder) seek() error {
	var path []string
	if d.opts.Path != "" {
		path = strings.Split(strings.Trim(d.opts.Path, "."), ".")
	}
	for i, key := range path {
		if err := d.enterObject(strings.Join(path[:i], ".")); err != nil {
			return err
		}
		if err := d.findKey(key, strings.Join(path[:i+1], ".")); err != nil {
			return err
		}
	}
	return d.startRecords(len(path) == 0)
}

func (d *Decoder) enterObject(where string) error {
	tok, err := d.token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("json: %s is %s, not an object", orRoot(where), kind(tok))
	}
	return nil
}

// findKey skips the members of the current object up to key.
func (d *Decoder) findKey(key, where string) error {
	for d.dec.More() {
		tok, err := d.token()
		if err != nil {
			return err
		}
		if tok == key {
			return nil
		}
		if err := d.skipValue(); err != nil {
			return err
		}
	}
	return fmt.Errorf("json: path %s not found", where)
}

// startRecords reads the first token of the records' value.
func (d *Decoder) startRecords(top bool) error {
	d.limit.Mark()
	if top && !d.dec.More() {
		return errors.New("json: the file is empty")
	}
	d.dec.More() // makes the decoder buffer the next byte
	if peekByte(d.dec) == '[' {
		if _, err := d.token(); err != nil {
			return err
		}
		d.state = stateArray
		return nil
	}
	if top {
		d.state = stateStream
		return nil
	}
	d.state = stateOne
	return nil
}

// peekByte returns the next non-space byte the decoder will read.
func peekByte(dec *json.Decoder) byte {
	b, _ := io.ReadAll(io.LimitReader(dec.Buffered(), 64))
	b = bytes.TrimLeft(b, " \t\r\n:")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// skipValue reads past one value token by token, so a skipped value costs
// no memory whatever its size.
func (d *Decoder) skipValue() error {
	depth := 0
	for {
		d.limit.Mark()
		tok, err := d.token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func (d *Decoder) token() (json.Token, error) {
	tok, err := d.dec.Token()
	if err == io.EOF {
		return nil, fmt.Errorf("json: the file ends early: %w", io.ErrUnexpectedEOF)
	}
	if err != nil {
		return nil, d.fatal(err)
	}
	return tok, nil
}

// fatal wraps an error that ends the stream with its line.
func (d *Decoder) fatal(err error) error {
	return fmt.Errorf("json: line %d: %w", d.lines.lineAt(d.dec.InputOffset()), err)
}

func orRoot(where string) string {
	if where == "" {
		return "the top level"
	}
	return where
}

func kind(v any) string {
	switch x := v.(type) {
	case json.Delim:
		if x == '[' {
			return "an array"
		}
		return "an object"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "true/false"
	case nil:
		return "null"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
