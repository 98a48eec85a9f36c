package charset

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestNewReader(t *testing.T) {
	tests := []struct {
		name, in, config string
		want, wantEnc    string
	}{
		{"utf-8", "Café", "", "Café", UTF8},
		{"utf-8 BOM", "\xEF\xBB\xBFCafé", "", "Café", UTF8},
		{"utf-16le BOM", "\xFF\xFEC\x00a\x00f\x00\xE9\x00", "", "Café", UTF16LE},
		{"utf-16be BOM", "\xFE\xFF\x00C\x00a\x00f\x00\xE9", "", "Café", UTF16BE},
		{"utf-16le without BOM", "C\x00a\x00f\x00\xE9\x00", "", "Café", UTF16LE},
		{"windows-1252 sniffed", "Caf\xE9 \x80", "", "Café €", Windows1252},
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
}
