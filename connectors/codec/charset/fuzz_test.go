package charset

import (
	"bytes"
	"io"
	"testing"
	"unicode/utf8"
)

// FuzzDecoders checks that every decoder turns any input into text that
// is valid UTF-8 exactly where Check finds nothing, and never writes
// U+FFFD for input that does not hold it.
func FuzzDecoders(f *testing.F) {
	f.Add([]byte("\xFF\xFEa\x00\x00\xD8b"))
	f.Add([]byte("Caf\xE9 \x81\x80"))
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, name := range Names()[1:] {
			r, err := Convert(bytes.NewReader(in), name)
			if err != nil {
				t.Fatal(err)
			}
			text, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			off, cerr := Check(text, name)
			if (off < 0) != (utf8.Valid(text) && bytes.IndexByte(text, 0) < 0) || (off < 0) != (cerr == nil) {
				t.Fatalf("%s: Check(%q) = %d, %v", name, text, off, cerr)
			}
			if name != UTF8 && bytes.Contains(text, []byte("\uFFFD")) && !bytes.Contains(in, []byte{0xFD, 0xFF}) && !bytes.Contains(in, []byte{0xFF, 0xFD}) && !bytes.Contains(in, []byte("\uFFFD")) {
				t.Fatalf("%s: U+FFFD made up from %q", name, in)
			}
		}
	})
}
