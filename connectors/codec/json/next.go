package json

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/charset"
)

// Next returns the next record and its line; see [codec.Decoder].
func (d *Decoder) Next() (map[string]any, int, error) {
	if d.lines != nil {
		return d.nextLine()
	}
	if err := d.pending; err != nil {
		d.pending = nil
		return nil, d.s.line, err
	}
	for {
		switch d.state {
		case stateArray:
			more, err := d.nextElement()
			if err != nil || more {
				return d.element(err)
			}
		case stateOne:
			d.state = stateDone
			rec, line, err := d.element(nil)
			if err == nil || codec.IsRecordError(err) {
				d.pending = d.afterValue()
			}
			return rec, line, err
		case stateTop:
			if err := d.top(); err != nil {
				return nil, d.s.line, err
			}
		default:
			return nil, 0, io.EOF
		}
	}
}

// nextElement moves to the array's next element: more is false at the
// array's end, after which the decoder goes on to the next top-level value.
func (d *Decoder) nextElement() (more bool, err error) {
	c, ok := d.s.skipSpace()
	switch {
	case !ok:
		return false, d.fatal(d.s.ended("before the array of records closes"))
	case c == ']':
		d.s.take()
		return false, d.afterValue()
	case !d.first && c != ',':
		return false, d.fatal(fmt.Errorf("%w: %q where , or ] should follow a record", errStructure, c))
	case !d.first:
		d.s.take()
		if c, _ := d.s.skipSpace(); c == ']' {
			return false, d.fatal(fmt.Errorf("%w: a , before the ] that closes the array", errStructure))
		}
	}
	d.first = false
	return true, nil
}

// afterValue leaves the objects the path entered and goes on to the next
// top-level value.
func (d *Decoder) afterValue() error {
	if err := d.leave(); err != nil {
		return err
	}
	d.state = stateTop
	return nil
}

// element reads the next record.
func (d *Decoder) element(err error) (map[string]any, int, error) {
	if err != nil {
		return nil, d.s.line, err
	}
	if err := d.s.read(&d.v, true, d.opts.Limits.MaxRecordBytes); err != nil {
		return nil, d.v.line, d.fatal(err)
	}
	rec, err := d.record(&d.v)
	return rec, d.v.line, err
}

// record checks a value read by the scanner and decodes it. Every problem
// is a *codec.RecordError for this value alone.
func (d *Decoder) record(v *value) (map[string]any, error) {
	lim := d.opts.Limits
	fail := func(err error) error { return &codec.RecordError{Line: v.line, Err: err} }
	switch {
	case v.tooLarge:
		return nil, fail(fmt.Errorf("record larger than the limit of %d bytes: %d bytes (%w)", lim.MaxRecordBytes, v.size, codec.ErrTooLarge))
	case v.longest > lim.MaxElementBytes:
		return nil, fail(fmt.Errorf("a string on line %d is %d bytes, larger than the limit of %d bytes (%w)", v.longLine, v.longest, lim.MaxElementBytes, codec.ErrTooLarge))
	case v.depth > lim.MaxDepth:
		return nil, fail(fmt.Errorf("nested deeper than %d levels", lim.MaxDepth))
	}
	if off, err := charset.Check(v.raw, d.encoding); err != nil {
		line, col := v.position(off)
		return nil, codec.TextError(v.line, line, col, err)
	}
	if off := loneSurrogateEscape(v.raw); off >= 0 {
		line, col := v.position(off)
		return nil, codec.TextError(v.line, line, col, fmt.Errorf(
			"the escape %s is a lone UTF-16 surrogate, which is not a character", v.raw[off:off+6]))
	}
	dec := json.NewDecoder(bytes.NewReader(v.raw))
	dec.UseNumber()
	var val any
	if err := dec.Decode(&val); err != nil {
		return nil, fail(d.syntax(v, err))
	}
	rec, ok := val.(map[string]any)
	if !ok {
		return nil, fail(fmt.Errorf("the record is %s, not an object", kind(val)))
	}
	if v.members != keyCount(rec) {
		if field, off := duplicateKey(v.raw); off >= 0 {
			line, col := v.position(off)
			return nil, codec.TextError(v.line, line, col, fmt.Errorf(
				"field %q is given twice in the record: only one value can be kept, remove or rename one", field))
		}
	}
	if bytes.Contains(v.raw, []byte(`\u0000`)) {
		if field := nulField(rec, ""); field != "" {
			return nil, fail(fmt.Errorf("field %q holds a NUL character (\\u0000), which is not text", field))
		}
	}
	return rec, nil
}

// syntax explains a decoding error with its position.
func (d *Decoder) syntax(v *value, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset > 0 {
		line, col := v.position(int(se.Offset) - 1)
		return fmt.Errorf("%w: %v (at line %d, byte offset %d)", errStructure, err, line, col)
	}
	return fmt.Errorf("%w: %v", errStructure, err)
}

// position returns the line and byte offset in the line of byte off of
// the value's text.
func (v *value) position(off int) (line, col int) {
	before := v.raw[:off]
	nl := bytes.Count(before, []byte{'\n'})
	if nl == 0 {
		return v.line, v.col + off
	}
	return v.line + nl, off - bytes.LastIndexByte(before, '\n') - 1
}

// loneSurrogateEscape returns the offset of the first \uXXXX escape in
// raw that is half of a UTF-16 surrogate pair without its other half
// (which encoding/json would turn into U+FFFD), or -1.
func loneSurrogateEscape(raw []byte) int {
	if !bytes.Contains(raw, []byte(`\u`)) {
		return -1
	}
	for i := 0; i < len(raw)-1; i++ {
		if raw[i] != '\\' {
			continue
		}
		u, ok := escapedUnit(raw[i:])
		switch {
		case !ok:
			i++ // a two-byte escape such as \\ or \"
			continue
		case u >= 0xD800 && u < 0xDC00:
			if low, ok := escapedUnit(raw[i+6:]); !ok || low < 0xDC00 || low >= 0xE000 {
				return i
			}
			i += 11
			continue
		case u >= 0xDC00 && u < 0xE000:
			return i
		}
		i += 5
	}
	return -1
}

// escapedUnit reads a \uXXXX escape at the start of b.
func escapedUnit(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	u, err := strconv.ParseUint(string(b[2:6]), 16, 16)
	return rune(u), err == nil
}

// nulField returns the dotted name of the first field whose name or text
// holds a NUL character, or "".
func nulField(v any, name string) string {
	switch x := v.(type) {
	case string:
		if strings.IndexByte(x, 0) >= 0 {
			return name
		}
	case map[string]any:
		for k, c := range x {
			child := strings.TrimPrefix(name+"."+k, ".")
			if strings.IndexByte(k, 0) >= 0 {
				return child
			}
			if f := nulField(c, child); f != "" {
				return f
			}
		}
	case []any:
		for i, c := range x {
			if f := nulField(c, fmt.Sprintf("%s[%d]", name, i)); f != "" {
				return f
			}
		}
	}
	return ""
}

var _ codec.Decoder = (*Decoder)(nil)
var _ codec.Skipper = (*Decoder)(nil)
