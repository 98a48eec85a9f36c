package json

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// keyCount returns how many object members v holds, at every depth.
func keyCount(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		n += len(x)
		for _, c := range x {
			n += keyCount(c)
		}
	case []any:
		for _, c := range x {
			n += keyCount(c)
		}
	}
	return n
}

// frame is an object or array being walked by duplicateKey.
type frame struct {
	object  bool
	path    string
	keys    map[string]bool
	key     string // the member being read
	wantKey bool
	n       int // the array's elements read
}

// child returns the path of the value f reads now.
func (f *frame) child() string {
	if f == nil {
		return ""
	}
	if f.object {
		return strings.TrimPrefix(f.path+"."+f.key, ".")
	}
	return fmt.Sprintf("%s[%d]", f.path, f.n)
}

// done notes that f's current value has been read.
func (f *frame) done() {
	if f == nil {
		return
	}
	if f.object {
		f.wantKey = true
	} else {
		f.n++
	}
}

// duplicateKey returns the dotted name of the first member of raw that
// repeats a name given before in its object, which decoding would keep
// only the last value of, and the offset in raw where it starts; "" and
// -1 when there is none.
func duplicateKey(raw []byte) (string, int) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var stack []*frame
	top := func() *frame {
		if len(stack) == 0 {
			return nil
		}
		return stack[len(stack)-1]
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", -1
		}
		f := top()
		if f != nil && f.object && f.wantKey {
			key, ok := tok.(string)
			if !ok { // the object's closing brace
				stack = stack[:len(stack)-1]
				top().done()
				continue
			}
			if f.keys[key] {
				return strings.TrimPrefix(f.path+"."+key, "."), keyStart(raw, int(dec.InputOffset()))
			}
			f.keys[key], f.key, f.wantKey = true, key, false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, path: f.child(), keys: map[string]bool{}, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{path: f.child()})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			top().done()
		default:
			f.done()
		}
		if len(stack) == 0 {
			return "", -1
		}
	}
}

// keyStart returns where the member name that ends just before end
// starts: its opening quote.
func keyStart(raw []byte, end int) int {
	for i := end - 2; i >= 0; i-- {
		if raw[i] != '"' {
			continue
		}
		slashes := 0
		for j := i - 1; j >= 0 && raw[j] == '\\'; j-- {
			slashes++
		}
		if slashes%2 == 0 {
			return i
		}
	}
	return 0
}
