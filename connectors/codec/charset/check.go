package charset

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// CheckString is [Check] for a string.
func CheckString(text, encoding string) (int, error) {
	if strings.IndexByte(text, 0) < 0 && utf8.ValidString(text) {
		return -1, nil
	}
	return Check([]byte(text), encoding)
}

// Check finds the first thing in text, read through [NewReader] or
// [Convert] from the named encoding, that is not a character: invalid
// UTF-8, input the encoding could not decode, or a NUL byte (which no
// target takes). It returns its byte offset in text and the reason, or -1
// and nil when text is clean.
func Check(text []byte, encoding string) (int, error) {
	if bytes.IndexByte(text, 0) < 0 && utf8.Valid(text) {
		return -1, nil
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c == 0 {
			return i, errors.New("a NUL byte (0x00), which is not text")
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError && size == 1 {
			return i, explain(text[i:], encoding)
		}
		i += size
	}
	return -1, nil
}

// explain says what the invalid bytes at the start of bad stand for.
func explain(bad []byte, encoding string) error {
	c := bad[0]
	switch {
	case isSurrogate(bad):
		r := rune(c&0x0F)<<12 | rune(bad[1]&0x3F)<<6 | rune(bad[2]&0x3F)
		return fmt.Errorf("a lone UTF-16 surrogate U+%04X, which is not a character", r)
	case strings.HasPrefix(encoding, "utf-16") && c == markIncomplete,
		strings.HasPrefix(encoding, "utf-32") && c == markIncomplete:
		return fmt.Errorf("an incomplete %s character at the end of the file", encoding)
	case strings.HasPrefix(encoding, "utf-32") && c == markNotUnicode:
		return fmt.Errorf("a %s code that is not a Unicode character", encoding)
	case encoding == Windows1252:
		return fmt.Errorf("byte 0x%02X is not a character in windows-1252", c)
	case (encoding == ISO88591 || encoding == ISO885915) && c >= 0x80 && c <= 0x9F:
		return c1Error(c, encoding)
	}
	return fmt.Errorf("invalid UTF-8 (byte 0x%02X): the file seems to be in another encoding (set encoding, e.g. windows-1252)", c)
}

// c1Error is the error for byte c, one of ISO 8859's C1 control
// characters, in a file read as encoding: the file is most likely in
// Windows-1252, when that has a character for c.
func c1Error(c byte, encoding string) error {
	if charmap.Windows1252.DecodeByte(c) == utf8.RuneError {
		return fmt.Errorf("byte 0x%02X is a control character in %s, not text", c, encoding)
	}
	return fmt.Errorf("byte 0x%02X is a control character in %s, not text: the file seems to be in windows-1252 (set encoding to windows-1252)", c, encoding)
}

// isSurrogate reports whether b starts with a surrogate in three-byte
// form: ED A0..BF 80..BF.
func isSurrogate(b []byte) bool {
	return len(b) >= 3 && b[0] == 0xED && b[1] >= 0xA0 && b[1] <= 0xBF && b[2]&0xC0 == 0x80
}

// SourceOffset returns how many bytes of the file, in the named encoding,
// decoded into text: it turns an offset in decoded text back into an
// offset in the file's line.
func SourceOffset(text []byte, encoding string) int {
	switch {
	case encoding == Windows1252 || encoding == ISO88591 || encoding == ISO885915:
		return sourceSize(text, func(rune, mark) int { return 1 })
	case strings.HasPrefix(encoding, "utf-16"):
		return sourceSize(text, utf16Size)
	case strings.HasPrefix(encoding, "utf-32"):
		return sourceSize(text, func(rune, mark) int { return 4 })
	}
	return len(text)
}

// mark tells a character from what a decoder wrote for bad input.
type mark int

const (
	noMark        mark = iota
	surrogateMark      // a lone surrogate in three-byte form
	byteMark           // one byte that is not UTF-8
)

func utf16Size(r rune, m mark) int {
	switch {
	case m == byteMark:
		return 1
	case m == noMark && r > 0xFFFF:
		return 4
	}
	return 2
}

// sourceSize adds up the source size of each character or mark in text.
func sourceSize(text []byte, size func(rune, mark) int) int {
	total := 0
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRune(text[i:])
		m := noMark
		switch {
		case isSurrogate(text[i:]):
			m, n = surrogateMark, 3
		case r == utf8.RuneError && n == 1:
			m = byteMark
		}
		total += size(r, m)
		i += n
	}
	return total
}
