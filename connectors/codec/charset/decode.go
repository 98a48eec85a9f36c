package charset

import (
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// The marks decoders write for input they cannot decode. None of them can
// start a valid UTF-8 sequence, so [Check] finds them; a lone UTF-16
// surrogate is written in its three-byte form (ED A0 80 for U+D800), which
// UTF-8 does not allow either and which keeps the surrogate's value.
const (
	markIncomplete = 0xFF // the input ends inside a character
	markNotUnicode = 0xFE // a UTF-32 code that is not a Unicode character
)

// utf16Decoder decodes UTF-16 into UTF-8.
type utf16Decoder struct{ bigEndian bool }

// Reset implements [transform.Transformer].
func (utf16Decoder) Reset() {}

// Transform implements [transform.Transformer].
func (d utf16Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		rest := src[nSrc:]
		if len(rest) < 2 {
			if !atEOF {
				return nDst, nSrc, transform.ErrShortSrc
			}
			if nDst == len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = markIncomplete
			nDst, nSrc = nDst+1, nSrc+1
			continue
		}
		r, size := rune(d.unit(rest)), 2
		if utf16.IsSurrogate(r) && r < 0xDC00 {
			if len(rest) < 4 && !atEOF {
				return nDst, nSrc, transform.ErrShortSrc
			}
			if len(rest) >= 4 {
				if pair := utf16.DecodeRune(r, rune(d.unit(rest[2:]))); pair != utf8.RuneError {
					r, size = pair, 4
				}
			}
		}
		if len(dst)-nDst < utf8.UTFMax {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += putRune(dst[nDst:], r)
		nSrc += size
	}
	return nDst, nSrc, nil
}

func (d utf16Decoder) unit(b []byte) uint16 {
	if d.bigEndian {
		return uint16(b[0])<<8 | uint16(b[1])
	}
	return uint16(b[1])<<8 | uint16(b[0])
}

// putRune writes r in UTF-8, and a lone surrogate in its three-byte form.
func putRune(dst []byte, r rune) int {
	if !utf16.IsSurrogate(r) {
		return utf8.EncodeRune(dst, r)
	}
	dst[0] = 0xE0 | byte(r>>12)
	dst[1] = 0x80 | byte(r>>6)&0x3F
	dst[2] = 0x80 | byte(r)&0x3F
	return 3
}

// utf32Decoder decodes UTF-32 into UTF-8.
type utf32Decoder struct{ bigEndian bool }

// Reset implements [transform.Transformer].
func (utf32Decoder) Reset() {}

// Transform implements [transform.Transformer].
func (d utf32Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		rest := src[nSrc:]
		if len(rest) < 4 && !atEOF {
			return nDst, nSrc, transform.ErrShortSrc
		}
		if len(dst)-nDst < utf8.UTFMax {
			return nDst, nSrc, transform.ErrShortDst
		}
		if len(rest) < 4 {
			dst[nDst] = markIncomplete
			return nDst + 1, len(src), nil
		}
		r := d.code(rest)
		if utf8.ValidRune(r) {
			nDst += utf8.EncodeRune(dst[nDst:], r)
		} else {
			dst[nDst] = markNotUnicode
			nDst++
		}
		nSrc += 4
	}
	return nDst, nSrc, nil
}

func (d utf32Decoder) code(b []byte) rune {
	if d.bigEndian {
		return rune(uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]))
	}
	return rune(uint32(b[3])<<24 | uint32(b[2])<<16 | uint32(b[1])<<8 | uint32(b[0]))
}

// singleByte decodes a one-byte character set through a table. A byte the
// set leaves undefined is passed on as it is: every such byte is 0x80 or
// above and cannot start UTF-8 alone.
type singleByte struct{ table *[256]string }

func newSingleByte(cm *charmap.Charmap) singleByte {
	var t [256]string
	for i := range t {
		if r := cm.DecodeByte(byte(i)); r != utf8.RuneError {
			t[i] = string(r)
		} else {
			t[i] = string([]byte{byte(i)})
		}
	}
	return singleByte{table: &t}
}

// withoutC1 leaves the bytes 0x80 to 0x9F undefined. ISO 8859 gives them
// the C1 control characters, which no text holds: in a file said to be
// ISO 8859 they are Windows-1252's € and curly quotes, and decoded as
// controls they would change the values silently.
func (s singleByte) withoutC1() singleByte {
	t := *s.table
	for c := 0x80; c <= 0x9F; c++ {
		t[c] = string([]byte{byte(c)})
	}
	return singleByte{table: &t}
}

// Reset implements [transform.Transformer].
func (singleByte) Reset() {}

// Transform implements [transform.Transformer].
func (s singleByte) Transform(dst, src []byte, _ bool) (nDst, nSrc int, err error) {
	for ; nSrc < len(src); nSrc++ {
		c := src[nSrc]
		if c < utf8.RuneSelf {
			if nDst == len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
			continue
		}
		enc := s.table[c]
		if len(dst)-nDst < len(enc) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += copy(dst[nDst:], enc)
	}
	return nDst, nSrc, nil
}
