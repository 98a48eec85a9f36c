package app

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// textProblem says why a webhook body's JSON text would not come through
// as it was sent, or nil. JSON decoders put U+FFFD in place of bytes that
// are not UTF-8 and of a `\u` escape of half a surrogate pair, so an order
// number or a name would be stored and written changed, without a word;
// such a call is refused instead, naming where the body goes wrong.
func textProblem(body []byte) error {
	for i := 0; i < len(body); {
		switch c := body[i]; {
		case c == '\\':
			n, err := escapeAt(body, i)
			if err != nil {
				return err
			}
			i += n
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && size <= 1 {
				return fmt.Errorf("the body is not UTF-8: byte 0x%02x at offset %d", c, i)
			}
			i += size
		}
	}
	return nil
}

// escapeAt checks the escape that begins at body[i] and returns its
// length: a `\u` escape of a high surrogate must be followed by one of a
// low surrogate, and a low surrogate must not come alone. An escape the
// JSON decoder refuses anyway is left to it.
func escapeAt(body []byte, i int) (int, error) {
	if i+1 >= len(body) || body[i+1] != 'u' {
		return 2, nil
	}
	r, ok := hexRune(body, i+2)
	switch {
	case !ok:
		return 2, nil
	case r < 0xd800 || r > 0xdfff:
		return 6, nil
	case r >= 0xdc00:
		return 0, fmt.Errorf("the body holds half a character, \\u%04x alone, at offset %d", r, i)
	}
	if i+7 < len(body) && body[i+6] == '\\' && body[i+7] == 'u' {
		if low, ok := hexRune(body, i+8); ok && utf16.IsSurrogate(low) && low >= 0xdc00 {
			return 12, nil
		}
	}
	return 0, fmt.Errorf("the body holds half a character, \\u%04x alone, at offset %d", r, i)
}

// hexRune reads the four hexadecimal digits at body[at].
func hexRune(body []byte, at int) (rune, bool) {
	if at+4 > len(body) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(body[at:at+4]), 16, 32)
	return rune(n), err == nil
}
