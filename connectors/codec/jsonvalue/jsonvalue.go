// Package jsonvalue decodes JSON into the values encoding/json makes of it
// with UseNumber (maps of string keys, slices, strings, json.Numbers,
// booleans and nil), without reflection. The engine decodes every webhook
// body and every record's stored payloads this way; encoding/json spends
// most of that time in reflection and in its scanner's call per byte.
//
// Everything the fast way does not take, every invalid input among it, is
// handed to encoding/json, so that values and errors are always the ones
// encoding/json gives. Unlike encoding/json's, the strings and numbers of
// a value share one copy of the input: a string kept from it keeps all of
// that copy.
package jsonvalue

import (
	"bytes"
	"encoding/json"
	"errors"
	"sync"
)

// ErrNotObject is the error for valid JSON that is not the object asked for.
var ErrNotObject = errors.New("jsonvalue: not a JSON object")

// Decode decodes data, one JSON value with nothing but whitespace around
// it, as json.Unmarshal decodes it into an any with numbers kept as
// json.Number (a json.Decoder with UseNumber does the same): an object is
// a map[string]any whose last duplicate key wins, an array an []any, and
// invalid UTF-8 and lone surrogates in strings become U+FFFD. Its error
// for invalid data is json.Unmarshal's.
func Decode(data []byte) (any, error) {
	stack := stacks.Get().(*[]member)
	d := decoder{data: data, src: string(data), stack: *stack}
	v, ok := d.document()
	putStack(stack, d.stack)
	if ok {
		return v, nil
	}
	return decodeSlow(data)
}

// stacks are the decoders' stacks, kept for the next decoding.
var stacks = sync.Pool{New: func() any { return new([]member) }}

// putStack keeps a decoder's stack, empty again, for the next decoding,
// unless it grew over 64 KB for a rare large document.
func putStack(stack *[]member, grown []member) {
	if cap(grown) <= 2048 {
		*stack = grown[:0]
		stacks.Put(stack)
	}
}

// DecodeObject decodes data as Decode does and returns the object it holds:
// a nil map for null, ErrNotObject for any other value. A value that is
// not an object is told without being built: a large array costs its scan
// only, as it did encoding/json's decoding into a map.
func DecodeObject(data []byte) (map[string]any, error) {
	if c := firstByte(data); c != '{' && c != 'n' {
		if json.Valid(data) {
			return nil, ErrNotObject
		}
		return nil, json.Unmarshal(data, new(any)) // its error for invalid data, before it builds anything
	}
	v, err := Decode(data)
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case map[string]any:
		return v, nil
	case nil:
		return nil, nil
	default:
		return nil, ErrNotObject
	}
}

// firstByte is data's first byte after JSON's whitespace, 0 when there is
// none.
func firstByte(data []byte) byte {
	for _, c := range data {
		if !isSpace(c) {
			return c
		}
	}
	return 0
}

// Members calls fn with each member of data, one JSON object with nothing
// but whitespace around it, in order: the member's key, decoded as Decode
// decodes strings, and its value's bytes as they appear, without the
// whitespace around them (fn must not keep them). It stops at fn's first
// error and returns it. For invalid data it returns json.Unmarshal's error,
// for valid JSON that is not an object ErrNotObject; fn may have been
// called for the members before the error was found.
func Members(data []byte, fn func(key string, value []byte) error) error {
	d := decoder{data: data}
	err := d.members(fn)
	if err != errInvalid {
		return err
	}
	if _, err := decodeSlow(data); err != nil {
		return err
	}
	return ErrNotObject
}

// decodeSlow decodes data with encoding/json: json.Unmarshal for the
// error of invalid data, a json.Decoder with UseNumber for the value.
func decodeSlow(data []byte) (any, error) {
	var v any
	if !json.Valid(data) {
		return nil, json.Unmarshal(data, &v)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}
