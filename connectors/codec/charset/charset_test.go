package charset

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func utf32le(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
	}
	return string(b)
}

func utf32be(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
	}
	return string(b)
}

func TestNewReader(t *testing.T) {
	rows := strings.Repeat("sku;name\r\nA1;Chair\r\n", 100)
	tests := []struct {
		name, in, config string
		want, wantEnc    string
	}{
		{"utf-8", "Café", "", "Café", UTF8},
		{"utf-8 BOM", "\xEF\xBB\xBFCafé", "", "Café", UTF8},
		{"doubled utf-8 BOM", "\xEF\xBB\xBF\xEF\xBB\xBFCafé", "", "Café", UTF8},
		{"utf-16le BOM", "\xFF\xFEC\x00a\x00f\x00\xE9\x00", "", "Café", UTF16LE},
		{"utf-16le BOM and a BOM character after it", "\xFF\xFE\xFF\xFEC\x00", "", "C", UTF16LE},
		{"utf-16be BOM", "\xFE\xFF\x00C\x00a\x00f\x00\xE9", "", "Café", UTF16BE},
		{"utf-16le surrogate pair", "\xFF\xFE\x3D\xD8\x00\xDE", "", "😀", UTF16LE},
		{"utf-16le without BOM", "C\x00a\x00f\x00\xE9\x00", "", "Café", UTF16LE},
		{"utf-32le BOM", "\xFF\xFE\x00\x00" + utf32le("Café 😀"), "", "Café 😀", UTF32LE},
		{"utf-32be BOM", "\x00\x00\xFE\xFF" + utf32be("Café 😀"), "", "Café 😀", UTF32BE},
		{"NUL padding after utf-8 rows stays utf-8", rows + strings.Repeat("\x00", 4096), "", rows + strings.Repeat("\x00", 4096), UTF8},
		{"windows-1252 sniffed", "Caf\xE9 \x80", "", "Café €", Windows1252},
		{"utf-8 with a stray windows-1252 byte stays utf-8", "Café\nNa\xEFve\nCrème\n", "", "Café\nNa\xEFve\nCrème\n", UTF8},
		{"windows-1252 with a pair that reads as utf-8 stays windows-1252", "Caf\xE9 na\xEFve \xC9\xA9", "", "Café naïve É©", Windows1252},
		{"iso-8859-15 configured", "\xA4", "latin9", "€", ISO885915},
		{"iso-8859-1 configured", "\xA4", "ISO-8859-1", "¤", ISO88591},
		{"utf-8 cut at the sniff window", strings.Repeat("a", sniffSize-1) + "é", "", strings.Repeat("a", sniffSize-1) + "é", UTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, enc, err := NewReader(strings.NewReader(tt.in), tt.config)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(r)
			if string(got) != tt.want || enc != tt.wantEnc {
				t.Fatalf("got %q as %s, want %q as %s", got, enc, tt.want, tt.wantEnc)
			}
		})
	}
}

// TestUndecodableInputIsReported checks that input an encoding cannot
// decode is never turned into U+FFFD: Check finds it, with its offset in
// the decoded text and a reason naming the encoding.
func TestUndecodableInputIsReported(t *testing.T) {
	tests := []struct {
		name, in, config string
		offset           int
		reason           string
	}{
		{"lone high surrogate in utf-16le", "\xFF\xFEa\x00\x00\xD8b\x00", "", 1, "lone UTF-16 surrogate U+D800"},
		{"lone low surrogate in utf-16be", "\xFE\xFF\x00a\x00b\xDC\x01", "", 2, "lone UTF-16 surrogate U+DC01"},
		{"high surrogate at the end of utf-16le", "\xFF\xFEa\x00\x3D\xD8", "", 1, "lone UTF-16 surrogate U+D83D"},
		{"odd byte at the end of utf-16le", "\xFF\xFEa\x00b", "", 1, "incomplete utf-16le character"},
		{"utf-32 code past U+10FFFF", "\xFF\xFE\x00\x00a\x00\x00\x00\x00\x00\x11\x00", "", 1, "not a Unicode character"},
		{"utf-32 surrogate", "\xFF\xFE\x00\x00\x00\xD8\x00\x00", "", 0, "not a Unicode character"},
		{"byte windows-1252 leaves undefined", "abc\x81d", "windows-1252", 3, "byte 0x81 is not a character in windows-1252"},
		{"sniffed windows-1252 with an undefined byte", "Caf\xE9 \x9D", "", 6, "byte 0x9D is not a character in windows-1252"},
		// a Windows file read as ISO 8859 would have its € and curly quotes
		// turned into C1 control characters
		{"euro sign of windows-1252 read as iso-8859-1", "Caf\xE9 \x80", "iso-8859-1", 6,
			"byte 0x80 is a control character in iso-8859-1, not text: the file seems to be in windows-1252 (set encoding to windows-1252)"},
		{"curly quote of windows-1252 read as iso-8859-15", "\x93x", "latin9", 0,
			"byte 0x93 is a control character in iso-8859-15, not text"},
		{"a byte neither has, read as iso-8859-1", "x\x81", "iso-8859-1", 1, "byte 0x81 is a control character in iso-8859-1, not text"},
		{"invalid utf-8", "ab\xE9cd", "utf-8", 2, "invalid UTF-8 (byte 0xE9)"},
		{"NUL byte", "ab\x00", "", 2, "NUL byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, enc, err := NewReader(strings.NewReader(tt.in), tt.config)
			if err != nil {
				t.Fatal(err)
			}
			text, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(text, []byte("\uFFFD")) {
				t.Fatalf("decoded %q: U+FFFD hides what was there", text)
			}
			off, err := Check(text, enc)
			if off != tt.offset || err == nil || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("Check(%q) = %d, %v; want %d and %q", text, off, err, tt.offset, tt.reason)
			}
			if soff, serr := CheckString(string(text), enc); soff != off || serr.Error() != err.Error() {
				t.Fatalf("CheckString = %d, %v; Check = %d, %v", soff, serr, off, err)
			}
		})
	}
	if off, err := CheckString("Café € 😀 \uFFFD", UTF8); off != -1 || err != nil {
		t.Fatalf("valid text: %d, %v", off, err)
	}
}

// TestSourceOffset checks that an offset in decoded text is turned back
// into the bytes it took in the file.
func TestSourceOffset(t *testing.T) {
	tests := []struct {
		file, encoding string
		want           int
	}{
		{"Caf\xE9 ", Windows1252, 5},
		{"Café ", UTF8, 6},
		{"\xFF\xFEC\x00\xE9\x00\x3D\xD8\x00\xDE", UTF16LE, 8},
		{"\xFF\xFEa\x00\x00\xD8", UTF16LE, 4},
		{"\xFF\xFE\x00\x00" + utf32le("é😀"), UTF32LE, 8},
	}
	for _, tt := range tests {
		r, _, err := NewReader(strings.NewReader(tt.file), tt.encoding)
		if err != nil {
			t.Fatal(err)
		}
		text, _ := io.ReadAll(r)
		if got := SourceOffset(text, tt.encoding); got != tt.want {
			t.Errorf("SourceOffset(%q, %s) = %d, want %d", text, tt.encoding, got, tt.want)
		}
	}
}

func TestWriterRoundTrip(t *testing.T) {
	for _, name := range []string{UTF8, UTF16LE, UTF16BE, Windows1252, ISO885915} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, name)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.WriteString(w, "Café €")
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			r, _, err := NewReader(&buf, name)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := io.ReadAll(r); string(got) != "Café €" {
				t.Fatalf("round trip gave %q", got)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	if _, err := Canonical("ebcdic"); err == nil {
		t.Fatal("unknown encoding accepted")
	}
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, ISO88591)
	_, err := io.WriteString(w, "€")
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		t.Fatal("writing € in ISO-8859-1 must fail, not lose the character")
	}
	for _, bom := range []string{"+/v8", "+/v9", "+/v+", "+/v/", "+/v8-"} {
		_, _, err := NewReader(strings.NewReader(bom+"sku,name\n"), "")
		if err == nil || !strings.Contains(err.Error(), "UTF-7") {
			t.Fatalf("UTF-7 BOM %q: err = %v, want a refusal naming UTF-7", bom, err)
		}
	}
}
