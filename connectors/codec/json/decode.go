package json

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/charset"
	"github.com/switchboard-app/switchboard/connectors/codec/internal/lines"
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
	// Limits bound a record's size and depth and a string's size.
	Limits codec.Limits
}

// Decoder reads records from JSON. Numbers are json.Number.
//
// Every top-level value in the file is read: each is walked to the path,
// and the array (or single record) there gives the records. Values are
// read byte by byte, so one larger than the limits is skipped as a failed
// record without being kept, and a file that ends early, or holds text
// that is not JSON between records, ends with an error.
type Decoder struct {
	opts     Options
	encoding string
	path     []string
	s        *scanner
	lines    *lines.Reader
	state    int
	first    bool // no element of the current array read yet
	v        value
	skipped  int
	pending  error // a fatal error found after the record just returned
}

const (
	stateTop   = iota // between top-level values
	stateArray        // inside the records' array
	stateOne          // one record to read at the path
	stateDone
)

// NewDecoder walks to the first records. An error here means the file
// cannot be read at all.
func NewDecoder(r io.Reader, opts Options) (*Decoder, error) {
	opts.Limits = opts.Limits.WithDefaults()
	text, enc, err := charset.NewReader(r, opts.Encoding)
	if err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	d := &Decoder{opts: opts, encoding: enc}
	if opts.Path != "" {
		d.path = strings.Split(strings.Trim(opts.Path, "."), ".")
	}
	if opts.Lines {
		d.lines = lines.NewReader(text, opts.Limits.MaxRecordBytes)
		return d, nil
	}
	d.s = newScanner(text, 1)
	if _, ok := d.s.skipSpace(); !ok {
		if d.s.err != io.EOF {
			return nil, d.fatal(d.s.ended("at once"))
		}
		return nil, errors.New("json: the file is empty")
	}
	if err := d.top(); err != nil {
		return nil, err
	}
	return d, nil
}

// top walks the next top-level value to the records; at the end of the
// input the decoder is done.
func (d *Decoder) top() error {
	if _, ok := d.s.skipSpace(); !ok {
		d.state = stateDone
		if d.s.err != io.EOF {
			return d.fatal(d.s.ended("between values"))
		}
		return nil
	}
	for i, key := range d.path {
		if err := d.enterObject(strings.Join(d.path[:i], ".")); err != nil {
			return err
		}
		if err := d.findKey(key, strings.Join(d.path[:i+1], ".")); err != nil {
			return err
		}
	}
	c, _ := d.s.skipSpace()
	d.state = stateOne
	if c == '[' {
		d.s.take()
		d.state, d.first = stateArray, true
	}
	return nil
}

func (d *Decoder) enterObject(where string) error {
	c, ok := d.s.skipSpace()
	if !ok {
		return d.fatal(d.s.ended("before " + orRoot(where)))
	}
	if c != '{' {
		return fmt.Errorf("json: %s is %s, not an object", orRoot(where), kindOfText(c))
	}
	d.s.take()
	return nil
}

// findKey skips the members of the current object up to key.
func (d *Decoder) findKey(key, where string) error {
	for first := true; ; first = false {
		name, ok, err := d.member(first)
		if err != nil {
			return d.fatal(err)
		}
		if !ok {
			return fmt.Errorf("json: path %s not found", where)
		}
		if name == key {
			return nil
		}
		if err := d.s.read(&d.v, false, 0); err != nil {
			return d.fatal(err)
		}
	}
}

// member reads the next member name of an object and its colon; ok is
// false at the object's end, which it consumes.
func (d *Decoder) member(first bool) (string, bool, error) {
	c, ok := d.s.skipSpace()
	switch {
	case !ok:
		return "", false, d.s.ended("inside an object")
	case c == '}':
		d.s.take()
		return "", false, nil
	case !first && c != ',':
		return "", false, fmt.Errorf("%w: %q where , or } should follow a member", errStructure, c)
	case !first:
		d.s.take()
		c, _ = d.s.skipSpace()
	}
	if c != '"' {
		return "", false, fmt.Errorf("%w: %q where a member name should start", errStructure, c)
	}
	if err := d.s.read(&d.v, true, d.opts.Limits.MaxElementBytes); err != nil {
		return "", false, err
	}
	var name string
	if d.v.tooLarge || json.Unmarshal(d.v.raw, &name) != nil {
		return "", false, fmt.Errorf("%w: a member name that cannot be read", errStructure)
	}
	if c, _ := d.s.skipSpace(); c != ':' {
		return "", false, fmt.Errorf("%w: no : after the member name %q", errStructure, name)
	}
	d.s.take()
	return name, true, nil
}

// leave reads past the rest of the objects the path entered, innermost
// first. A member there named as the path's step in that object is a
// second value of it, whose records would be passed over unseen: it ends
// the file with an error.
func (d *Decoder) leave() error {
	for i := len(d.path) - 1; i >= 0; i-- {
		for {
			name, ok, err := d.member(false)
			if err != nil {
				return d.fatal(err)
			}
			if !ok {
				break
			}
			if name == d.path[i] {
				return d.fatal(fmt.Errorf("%s is given twice in the object: only the records of the first were read",
					strings.Join(d.path[:i+1], ".")))
			}
			if err := d.s.read(&d.v, false, 0); err != nil {
				return d.fatal(err)
			}
		}
	}
	return nil
}

// fatal wraps an error that ends the stream with its line.
func (d *Decoder) fatal(err error) error {
	d.state = stateDone
	return fmt.Errorf("json: line %d: %w", d.s.line, err)
}

// Skipped returns how many blank NDJSON lines were passed over; see
// [codec.Skipper].
func (d *Decoder) Skipped() int { return d.skipped }

func orRoot(where string) string {
	if where == "" {
		return "the top level"
	}
	return where
}

// kindOfText names the kind of value that starts with c.
func kindOfText(c byte) string {
	switch c {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "true/false"
	case 'n':
		return "null"
	}
	return "a number"
}

func kind(v any) string {
	switch v.(type) {
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
