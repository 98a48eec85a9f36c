package json

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/switchboard-app/switchboard/connectors/codec"
)

// Next returns the next record and its line; see [codec.Decoder].
func (d *Decoder) Next() (map[string]any, int, error) {
	if d.scan != nil {
		return d.nextLine()
	}
	switch d.state {
	case stateArray:
		if !d.dec.More() {
			d.state = stateDone
			return nil, 0, io.EOF
		}
	case stateOne:
		d.state = stateDone
	case stateStream:
		if !d.dec.More() {
			d.state = stateDone
			return nil, 0, io.EOF
		}
	default:
		return nil, 0, io.EOF
	}
	return d.decodeOne()
}

func (d *Decoder) decodeOne() (map[string]any, int, error) {
	d.limit.Mark()
	line := d.lines.lineAt(d.dec.InputOffset())
	var v any
	if err := d.dec.Decode(&v); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		d.state = stateDone
		return nil, line, fmt.Errorf("json: record at line %d: %w", line, err)
	}
	rec, err := d.asRecord(v, line)
	return rec, line, err
}

// nextLine reads one NDJSON line.
func (d *Decoder) nextLine() (map[string]any, int, error) {
	for d.scan.Scan() {
		d.lineNo++
		b := bytes.TrimSpace(d.scan.Bytes())
		if len(b) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, d.lineNo, &codec.RecordError{Line: d.lineNo, Err: fmt.Errorf("not JSON: %w", err)}
		}
		if dec.More() {
			return nil, d.lineNo, &codec.RecordError{Line: d.lineNo, Err: fmt.Errorf("more than one value on the line")}
		}
		rec, err := d.asRecord(v, d.lineNo)
		return rec, d.lineNo, err
	}
	if err := d.scan.Err(); err != nil {
		return nil, d.lineNo + 1, fmt.Errorf("json: line %d: %w (%w)", d.lineNo+1, err, codec.ErrTooLarge)
	}
	return nil, 0, io.EOF
}

// asRecord checks a decoded value is an object within the depth limit.
func (d *Decoder) asRecord(v any, line int) (map[string]any, error) {
	rec, ok := v.(map[string]any)
	if !ok {
		return nil, &codec.RecordError{Line: line, Err: fmt.Errorf("the record is %s, not an object", kind(v))}
	}
	if depth(v) > d.opts.Limits.MaxDepth {
		return nil, &codec.RecordError{Line: line, Err: fmt.Errorf("nested deeper than %d levels", d.opts.Limits.MaxDepth)}
	}
	return rec, nil
}

func depth(v any) int {
	deepest := 0
	switch x := v.(type) {
	case map[string]any:
		for _, c := range x {
			deepest = max(deepest, depth(c))
		}
	case []any:
		for _, c := range x {
			deepest = max(deepest, depth(c))
		}
	default:
		return 0
	}
	return deepest + 1
}

var _ codec.Decoder = (*Decoder)(nil)
