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
	"golang.org/x/text/transform"
)

// The encoding names a config may use. Auto detects the encoding.
const (
	Auto        = "auto"
	UTF8        = "utf-8"
	UTF16LE     = "utf-16le"
	UTF16BE     = "utf-16be"
	Windows1252 = "windows-1252"
	ISO88591    = "iso-8859-1"
	ISO885915   = "iso-8859-15"
)

// Names lists the encodings a config may name, Auto first.
func Names() []string {
	return []string{Auto, UTF8, UTF16LE, UTF16BE, Windows1252, ISO88591, ISO885915}
}

// sniffSize is how much of the stream detection looks at.
const sniffSize = 64 << 10

var aliases = map[string]string{
	"": Auto, "utf8": UTF8, "utf-16": UTF16LE, "utf16": UTF16LE, "cp1252": Windows1252,
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
// text that is valid UTF-8 in its first 64 KiB is taken as UTF-8 and
// anything else as Windows-1252. A BOM is never passed on. A UTF-8 stream
// is passed through unchanged, so invalid bytes further on are the caller's
// to report (see [utf8.Valid]).
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
		return br, canon, nil
	}
	return transform.NewReader(br, lookup(canon).NewDecoder()), canon, nil
}

func detectBOM(head []byte) (string, int) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return UTF8, 3
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return UTF16LE, 2
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return UTF16BE, 2
	}
	return "", 0
}

// sniff guesses the encoding of text without a BOM.
func sniff(head []byte) string {
	if n := bytes.Count(head, []byte{0}); n > 0 && n >= len(head)/4 {
		zerosAtOdd := 0
		for i := 1; i < len(head); i += 2 {
			if head[i] == 0 {
				zerosAtOdd++
			}
		}
		if zerosAtOdd*2 >= n {
			return UTF16LE
		}
		return UTF16BE
	}
	if validPrefix(head) {
		return UTF8
	}
	return Windows1252
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

func lookup(name string) encoding.Encoding {
	switch name {
	case UTF16LE:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	case UTF16BE:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	case Windows1252:
		return charmap.Windows1252
	case ISO88591:
		return charmap.ISO8859_1
	case ISO885915:
		return charmap.ISO8859_15
	}
	return unicode.UTF8
}

// NewWriter returns a writer that encodes UTF-8 text into the named
// encoding (Auto means UTF-8, UTF-16 gets a BOM). A character the encoding
// cannot hold fails the write. Close flushes; it does not close w.
func NewWriter(w io.Writer, name string) (io.WriteCloser, error) {
	canon, err := Canonical(name)
	if err != nil {
		return nil, err
	}
	if canon == Auto || canon == UTF8 {
		return nopCloser{w}, nil
	}
	enc := lookup(canon).NewEncoder()
	switch canon {
	case UTF16LE:
		enc = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()
	case UTF16BE:
		enc = unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder()
	}
	return transform.NewWriter(w, enc), nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// Convert returns a reader of UTF-8 text decoded from r in the named
// encoding, without detection and without removing a BOM.
func Convert(r io.Reader, name string) (io.Reader, error) {
	canon, err := Canonical(name)
	if err != nil {
		return nil, err
	}
	if canon == Auto || canon == UTF8 {
		return r, nil
	}
	return transform.NewReader(r, lookup(canon).NewDecoder()), nil
}

// HasBOM reports whether head starts with a UTF-8 or UTF-16 byte order
// mark.
func HasBOM(head []byte) bool {
	name, _ := detectBOM(head)
	return name != ""
}
