package charset

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
	"golang.org/x/text/transform"
)

// The encoding names a config may use. Auto detects the encoding.
const (
	Auto        = "auto"
	UTF8        = "utf-8"
	UTF16LE     = "utf-16le"
	UTF16BE     = "utf-16be"
	UTF32LE     = "utf-32le"
	UTF32BE     = "utf-32be"
	Windows1252 = "windows-1252"
	ISO88591    = "iso-8859-1"
	ISO885915   = "iso-8859-15"
)

// Names lists the encodings a config may name, Auto first.
func Names() []string {
	return []string{Auto, UTF8, UTF16LE, UTF16BE, UTF32LE, UTF32BE, Windows1252, ISO88591, ISO885915}
}

// sniffSize is how much of the stream detection looks at.
const sniffSize = 64 << 10

var aliases = map[string]string{
	"": Auto, "utf8": UTF8, "utf-16": UTF16LE, "utf16": UTF16LE, "cp1252": Windows1252,
	"utf-32": UTF32LE, "utf32": UTF32LE,
	"latin1": ISO88591, "latin-1": ISO88591, "iso8859-1": ISO88591, "latin9": ISO885915,
	"iso8859-15": ISO885915, "ascii": UTF8, "us-ascii": UTF8,
}

// Canonical returns the canonical name for an encoding name or alias, or an
// error naming the supported encodings.
func Canonical(name string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if a, ok := aliases[n]; ok {
		n = a
	}
	for _, known := range Names() {
		if n == known {
			return n, nil
		}
	}
	return "", fmt.Errorf("unknown encoding %q (use one of %s)", name, strings.Join(Names(), ", "))
}

// NewReader returns a reader of UTF-8 text decoded from r, and the encoding
// it used. With name Auto (or "") a byte order mark decides; without one,
// UTF-16 is recognised by its zero bytes, text that is valid UTF-8 in its
// first 64 KiB (or holds more valid multi-byte characters than invalid
// bytes there, see mostlyUTF8) is taken as UTF-8 and anything else as
// Windows-1252. A
// byte order mark is never passed on, nor are more of them right after it.
// A file starting with the byte order mark of an encoding that is not
// supported (UTF-7, GB 18030...) is refused.
//
// Input the encoding cannot decode is not replaced by U+FFFD: it comes out
// as bytes that are not valid UTF-8, so that [Check] finds and explains it.
// A UTF-8 stream is passed through unchanged.
func NewReader(r io.Reader, name string) (io.Reader, string, error) {
	canon, err := Canonical(name)
	if err != nil {
		return nil, "", err
	}
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, "", fmt.Errorf("reading the start of the file: %w", err)
	}
	if unsupported := unsupportedBOM(head); unsupported != "" {
		return nil, "", fmt.Errorf("the file is in %s (it starts with its byte order mark), which is not supported: save it as UTF-8", unsupported)
	}
	bom, bomLen := detectBOM(head)
	if canon == Auto {
		canon = bom
		if canon == "" {
			canon = sniff(head)
		}
	}
	if bom != "" && bom != canon {
		return nil, "", fmt.Errorf("the file starts with a %s byte order mark but the configured encoding is %s", bom, canon)
	}
	if _, err := br.Discard(bomLen); err != nil {
		return nil, "", err
	}
	if canon == UTF8 {
		return trimBOMs(br), canon, nil
	}
	text := bufio.NewReaderSize(transform.NewReader(br, decoder(canon)), 4<<10)
	return trimBOMs(text), canon, nil
}

// utf8BOM is U+FEFF in UTF-8.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// trimBOMs drops U+FEFF characters at the start of the text: a byte order
// mark written twice, or once more after the encoding's own.
func trimBOMs(br *bufio.Reader) *bufio.Reader {
	for {
		p, _ := br.Peek(len(utf8BOM))
		if !bytes.Equal(p, utf8BOM) {
			return br
		}
		_, _ = br.Discard(len(utf8BOM))
	}
}

// boms are the byte order marks read, longest first where one starts
// another (UTF-32LE starts like UTF-16LE).
var boms = []struct{ mark, name string }{
	{"\xFF\xFE\x00\x00", UTF32LE}, {"\x00\x00\xFE\xFF", UTF32BE}, {"\xEF\xBB\xBF", UTF8},
	{"\xFF\xFE", UTF16LE}, {"\xFE\xFF", UTF16BE},
}

// unsupported are the byte order marks of encodings that are refused.
var unsupported = []struct{ mark, name string }{
	{"+/v8", "UTF-7"}, {"+/v9", "UTF-7"}, {"+/v+", "UTF-7"}, {"+/v/", "UTF-7"},
	{"\xF7\x64\x4C", "UTF-1"}, {"\xDD\x73\x66\x73", "UTF-EBCDIC"}, {"\x0E\xFE\xFF", "SCSU"},
	{"\xFB\xEE\x28", "BOCU-1"}, {"\x84\x31\x95\x33", "GB 18030"},
}

func detectBOM(head []byte) (string, int) {
	for _, b := range boms {
		if bytes.HasPrefix(head, []byte(b.mark)) {
			return b.name, len(b.mark)
		}
	}
	return "", 0
}

func unsupportedBOM(head []byte) string {
	for _, b := range unsupported {
		if bytes.HasPrefix(head, []byte(b.mark)) {
			return b.name
		}
	}
	return ""
}

// sniff guesses the encoding of text without a BOM.
func sniff(head []byte) string {
	if enc := sniffUTF16(head); enc != "" {
		return enc
	}
	if validPrefix(head) || mostlyUTF8(head) {
		return UTF8
	}
	return Windows1252
}

// mostlyUTF8 reports whether text that is not valid UTF-8 is UTF-8 with a
// few stray bytes all the same: it holds more characters of two or more
// bytes that are valid UTF-8 than bytes that are not. Text in Windows-1252
// hardly ever holds a valid sequence (a capital with an accent followed by
// a symbol), while a UTF-8 file with a pasted byte holds many; read as
// Windows-1252, every "é" in it would silently become "Ã©", whereas read
// as UTF-8 the stray bytes fail their rows.
func mostlyUTF8(head []byte) bool {
	valid, invalid := 0, 0
	for len(head) > 0 {
		r, n := utf8.DecodeRune(head)
		switch {
		case r == utf8.RuneError && n == 1 && !utf8.FullRune(head):
			head = nil // a character cut off by the sniff window
			continue
		case r == utf8.RuneError && n == 1:
			invalid++
		case n > 1:
			valid++
		}
		head = head[n:]
	}
	return valid > invalid
}

// sniffUTF16 recognises UTF-16 without a BOM by its byte pairs: in text of
// mostly Latin letters one byte of most pairs is zero, and always the same
// one. Pairs of two zero bytes (NUL padding) say nothing either way.
func sniffUTF16(head []byte) string {
	lowZero, highZero, both := 0, 0, 0
	for i := 0; i+1 < len(head); i += 2 {
		switch a, b := head[i], head[i+1]; {
		case a == 0 && b == 0:
			both++
		case b == 0:
			lowZero++
		case a == 0:
			highZero++
		}
	}
	text := len(head)/2 - both
	switch {
	case text == 0:
		return ""
	case lowZero*2 > text && highZero*4 < lowZero:
		return UTF16LE
	case highZero*2 > text && lowZero*4 < highZero:
		return UTF16BE
	}
	return ""
}

// validPrefix reports whether head is valid UTF-8. When head is the
// sniff window cut from a longer text, a rune cut off at its end is allowed.
func validPrefix(head []byte) bool {
	if utf8.Valid(head) {
		return true
	}
	if len(head) < sniffSize {
		return false
	}
	for cut := 1; cut < utf8.UTFMax; cut++ {
		tail := head[len(head)-cut:]
		if utf8.RuneStart(tail[0]) && !utf8.FullRune(tail) {
			return utf8.Valid(head[:len(head)-cut])
		}
	}
	return false
}

// decoder returns the transformer from the named encoding to UTF-8 that
// marks what it cannot decode (see [NewReader]).
func decoder(name string) transform.Transformer {
	switch name {
	case UTF16LE:
		return utf16Decoder{}
	case UTF16BE:
		return utf16Decoder{bigEndian: true}
	case UTF32LE:
		return utf32Decoder{}
	case UTF32BE:
		return utf32Decoder{bigEndian: true}
	case Windows1252:
		return newSingleByte(charmap.Windows1252)
	case ISO88591:
		return newSingleByte(charmap.ISO8859_1).withoutC1()
	case ISO885915:
		return newSingleByte(charmap.ISO8859_15).withoutC1()
	}
	return transform.Nop
}

// encoder returns the named encoding's encoder; a character it cannot
// hold fails the write.
func encoder(name string) *encoding.Encoder {
	switch name {
	case UTF16LE:
		return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()
	case UTF16BE:
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder()
	case UTF32LE:
		return utf32.UTF32(utf32.LittleEndian, utf32.UseBOM).NewEncoder()
	case UTF32BE:
		return utf32.UTF32(utf32.BigEndian, utf32.UseBOM).NewEncoder()
	case Windows1252:
		return charmap.Windows1252.NewEncoder()
	case ISO88591:
		return charmap.ISO8859_1.NewEncoder()
	case ISO885915:
		return charmap.ISO8859_15.NewEncoder()
	}
	return unicode.UTF8.NewEncoder()
}

// NewWriter returns a writer that encodes UTF-8 text into the named
// encoding (Auto means UTF-8, UTF-16 and UTF-32 get a BOM). A character the
// encoding cannot hold fails the write. Close flushes; it does not close w.
func NewWriter(w io.Writer, name string) (io.WriteCloser, error) {
	canon, err := Canonical(name)
	if err != nil {
		return nil, err
	}
	if canon == Auto || canon == UTF8 {
		return nopCloser{w}, nil
	}
	return transform.NewWriter(w, encoder(canon)), nil
}

// Holds returns a function that names the first character of a text the
// named encoding cannot hold, or returns nil when it holds them all: what
// [NewWriter]'s writer would fail on, found before anything is written.
// The Unicode encodings hold every character.
func Holds(name string) (func(text string) error, error) {
	canon, err := Canonical(name)
	if err != nil {
		return nil, err
	}
	var cm *charmap.Charmap
	switch canon {
	case Windows1252:
		cm = charmap.Windows1252
	case ISO88591:
		cm = charmap.ISO8859_1
	case ISO885915:
		cm = charmap.ISO8859_15
	default:
		return func(string) error { return nil }, nil
	}
	return func(text string) error {
		for i, r := range text {
			if r < utf8.RuneSelf {
				continue
			}
			if r == utf8.RuneError && !strings.HasPrefix(text[i:], "\uFFFD") {
				return fmt.Errorf("byte 0x%02X is not UTF-8 and cannot be written in %s", text[i], canon)
			}
			if _, ok := cm.EncodeRune(r); !ok {
				return fmt.Errorf("%#U cannot be written in %s", r, canon)
			}
		}
		return nil
	}, nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// Convert returns a reader of UTF-8 text decoded from r in the named
// encoding, without detection and without removing a BOM. Like
// [NewReader], it marks what it cannot decode instead of replacing it.
func Convert(r io.Reader, name string) (io.Reader, error) {
	canon, err := Canonical(name)
	if err != nil {
		return nil, err
	}
	if canon == Auto || canon == UTF8 {
		return r, nil
	}
	return transform.NewReader(r, decoder(canon)), nil
}

// HasBOM reports whether head starts with a UTF-8, UTF-16 or UTF-32 byte
// order mark.
func HasBOM(head []byte) bool {
	name, _ := detectBOM(head)
	return name != ""
}
