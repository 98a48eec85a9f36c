package jsonvalue

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth is encoding/json's limit of nested arrays and objects.
const maxDepth = 10000

// errInvalid stands for data the decoder does not take: encoding/json
// says why.
var errInvalid = errors.New("jsonvalue: invalid JSON")

// decoder reads the JSON in data from pos on. Its methods return false for
// anything they do not take, invalid JSON or too deep.
type decoder struct {
	data []byte
	// src is data as a string, when the strings are to share it: a
	// string that needs no unquoting is a part of it.
	src   string
	pos   int
	depth int
	// stack holds the members and elements of the objects and arrays
	// being read, so that each is made at its size.
	stack []member
}

// member is a member of an object, or an element of an array without key.
type member struct {
	key   string
	value any
}

// document decodes the one value of data.
func (d *decoder) document() (any, bool) {
	v, ok := d.value()
	return v, ok && d.atEnd()
}

// atEnd reports whether nothing but whitespace is left.
func (d *decoder) atEnd() bool {
	d.skipSpace()
	return d.pos == len(d.data)
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) && isSpace(d.data[d.pos]) {
		d.pos++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// next returns the byte after any whitespace, 0 at the end.
func (d *decoder) next() byte {
	d.skipSpace()
	if d.pos == len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

// value decodes the value after any whitespace.
func (d *decoder) value() (any, bool) {
	switch c := d.next(); {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return d.string()
	case c == '-' || isDigit(c):
		return d.number()
	default:
		return d.literal()
	}
}

// enter counts one more level of nesting and reports whether it is within
// the limit; leave counts it back.
func (d *decoder) enter() bool {
	d.depth++
	return d.depth <= maxDepth
}

func (d *decoder) leave() { d.depth-- }

// object decodes the object at pos; the last of duplicate keys wins.
func (d *decoder) object() (any, bool) {
	if !d.enter() {
		return nil, false
	}
	defer d.leave()
	base := len(d.stack)
	defer d.pop(base)
	ok := d.eachMember(true, func(key string) bool {
		v, ok := d.value()
		d.stack = append(d.stack, member{key, v})
		return ok
	})
	if !ok {
		return nil, false
	}
	m := make(map[string]any, len(d.stack)-base)
	for _, kv := range d.stack[base:] {
		m[kv.key] = kv.value
	}
	return m, true
}

// pop drops what the stack holds above base.
func (d *decoder) pop(base int) {
	clear(d.stack[base:])
	d.stack = d.stack[:base]
}

// array decodes the array at pos.
func (d *decoder) array() (any, bool) {
	if !d.enter() {
		return nil, false
	}
	defer d.leave()
	base := len(d.stack)
	defer d.pop(base)
	ok := d.eachElement(func() bool {
		v, ok := d.value()
		d.stack = append(d.stack, member{value: v})
		return ok
	})
	if !ok {
		return nil, false
	}
	a := make([]any, len(d.stack)-base)
	for i, e := range d.stack[base:] {
		a[i] = e.value
	}
	return a, true
}

// eachMember reads the object at pos and calls member after each key and
// its colon to read the value. It decodes the keys when keys is set;
// member gets "" otherwise.
func (d *decoder) eachMember(keys bool, member func(key string) bool) bool {
	d.pos++ // {
	if d.next() == '}' {
		d.pos++
		return true
	}
	for {
		if d.next() != '"' {
			return false
		}
		key, ok := d.key(keys)
		if !ok || d.next() != ':' {
			return false
		}
		d.pos++
		if !member(key) {
			return false
		}
		switch d.next() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return true
		default:
			return false
		}
	}
}

// key reads the key at pos, decoded when decode is set.
func (d *decoder) key(decode bool) (string, bool) {
	if decode {
		return d.text()
	}
	_, _, ok := d.scanString()
	return "", ok
}

// eachElement reads the array at pos and calls element to read each value.
func (d *decoder) eachElement(element func() bool) bool {
	d.pos++ // [
	if d.next() == ']' {
		d.pos++
		return true
	}
	for {
		if !element() {
			return false
		}
		switch d.next() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return true
		default:
			return false
		}
	}
}

// string decodes the string at pos.
func (d *decoder) string() (any, bool) {
	s, ok := d.text()
	return s, ok
}

// text decodes the string at pos: converted as it is when it needs no
// unquoting, which is most strings.
func (d *decoder) text() (string, bool) {
	start := d.pos + 1
	raw, plain, ok := d.scanString()
	switch {
	case !ok:
		return "", false
	case !plain:
		return unquote(raw), true
	case d.src != "":
		return d.src[start : start+len(raw)], true
	default:
		return string(raw), true
	}
}

// scanString reads past the string at pos and returns its bytes between
// the quotes; plain reports that they hold no escape and only valid UTF-8.
func (d *decoder) scanString() (raw []byte, plain, ok bool) {
	start := d.pos + 1
	plain = true
	for i := start; i < len(d.data); {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			return d.data[start:i], plain, true
		case c == '\\':
			n := escapeLen(d.data[i:])
			if n == 0 {
				return nil, false, false
			}
			i += n
			plain = false
		case c < ' ':
			return nil, false, false
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && size == 1 {
				plain = false
			}
			i += size
		}
	}
	return nil, false, false
}

// escapeLen returns the length of the escape s begins with, 0 for an
// invalid one.
func escapeLen(s []byte) int {
	if len(s) < 2 {
		return 0
	}
	switch s[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if hex4(s[2:]) >= 0 {
			return 6
		}
	}
	return 0
}

// hex4 returns the value of the four hexadecimal digits s begins with, -1
// when it does not.
func hex4(s []byte) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// unquote decodes the bytes of a valid string between its quotes as
// encoding/json does: escapes resolved, a surrogate pair to its
// character, a lone surrogate and each byte of invalid UTF-8 to U+FFFD.
func unquote(s []byte) string {
	b := make([]byte, 0, len(s)+utf8.UTFMax)
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '\\':
			var r rune
			r, i = unescape(s, i)
			b = utf8.AppendRune(b, r)
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			b = utf8.AppendRune(b, r)
			i += size
		}
	}
	return string(b)
}

// unescape decodes the valid escape at s[i] and returns its character and
// the index after it; a high surrogate takes the low one that follows.
func unescape(s []byte, i int) (rune, int) {
	switch c := s[i+1]; c {
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
	default:
		return rune(c), i + 2
	}
	r := hex4(s[i+2:])
	i += 6
	if !utf16.IsSurrogate(r) {
		return r, i
	}
	if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
		if pair := utf16.DecodeRune(r, hex4(s[i+2:])); pair != unicode.ReplacementChar {
			return pair, i + 6
		}
	}
	return unicode.ReplacementChar, i
}

// number reads the number at pos, kept as its text.
func (d *decoder) number() (any, bool) {
	start := d.pos
	if !d.scanNumber() {
		return nil, false
	}
	if d.src != "" {
		return json.Number(d.src[start:d.pos]), true
	}
	return json.Number(d.data[start:d.pos]), true
}

// scanNumber reads past the number at pos: a minus, an integer without
// leading zeros, a fraction and an exponent, as JSON's grammar has them.
func (d *decoder) scanNumber() bool {
	data, i := d.data, d.pos
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		i = skipDigits(data, i+1)
	default:
		return false
	}
	if i < len(data) && data[i] == '.' {
		if i++; i == len(data) || !isDigit(data[i]) {
			return false
		}
		i = skipDigits(data, i)
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		if i++; i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i == len(data) || !isDigit(data[i]) {
			return false
		}
		i = skipDigits(data, i)
	}
	d.pos = i
	return true
}

func skipDigits(data []byte, i int) int {
	for i < len(data) && isDigit(data[i]) {
		i++
	}
	return i
}

// literal reads true, false or null at pos.
func (d *decoder) literal() (any, bool) {
	rest := d.data[d.pos:]
	switch {
	case bytes.HasPrefix(rest, []byte("true")):
		d.pos += len("true")
		return true, true
	case bytes.HasPrefix(rest, []byte("false")):
		d.pos += len("false")
		return false, true
	case bytes.HasPrefix(rest, []byte("null")):
		d.pos += len("null")
		return nil, true
	}
	return nil, false
}

// skip reads past the value after any whitespace, checking it as value
// would without making it.
func (d *decoder) skip() bool {
	switch c := d.next(); {
	case c == '{' || c == '[':
		if !d.enter() {
			return false
		}
		defer d.leave()
		if c == '[' {
			return d.eachElement(d.skip)
		}
		return d.eachMember(false, func(string) bool { return d.skip() })
	case c == '"':
		_, _, ok := d.scanString()
		return ok
	case c == '-' || isDigit(c):
		return d.scanNumber()
	default:
		_, ok := d.literal()
		return ok
	}
}

// members reads the object that is all of data and calls fn with each of
// its members. It returns errInvalid for data it does not take.
func (d *decoder) members(fn func(key string, value []byte) error) error {
	if d.next() != '{' {
		return errInvalid
	}
	d.enter()
	var err error
	ok := d.eachMember(true, func(key string) bool {
		d.skipSpace()
		start := d.pos
		if !d.skip() {
			return false
		}
		err = fn(key, d.data[start:d.pos])
		return err == nil
	})
	switch {
	case err != nil:
		return err
	case !ok || !d.atEnd():
		return errInvalid
	}
	return nil
}
