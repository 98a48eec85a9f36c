package csv

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/codectest"
)

// collect decodes everything and renders each record or record error as
// one line: "2 a=1 b=2" or "3 ERR reason".
func collect(t *testing.T, in []byte, opts Options) ([]string, error) {
	t.Helper()
	d, err := NewDecoder(bytes.NewReader(in), opts)
	if err != nil {
		return nil, err
	}
	return codectest.Lines(d, render)
}

func render(rec map[string]any) string {
	keys := make([]string, 0, len(rec))
	for k := range rec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, rec[k])
	}
	return strings.Join(parts, " ")
}

func TestDecode(t *testing.T) {
	utf16 := []byte{0xFF, 0xFE}
	for _, r := range "sku;name\r\n1;Café\r\n" {
		utf16 = append(utf16, byte(r), byte(r>>8))
	}
	tests := []struct {
		name string
		in   string
		opts Options
		want []string
	}{
		{"comma LF", "sku,name\nA1,Chair\nA2,Table\n", Options{}, []string{"2 name=Chair sku=A1", "3 name=Table sku=A2"}},
		{"semicolon CRLF BOM", "\xEF\xBB\xBFsku;name\r\nA1;Chair\r\n", Options{}, []string{"2 name=Chair sku=A1"}},
		{"tab CR", "sku\tname\rA1\tChair\rA2\tTable", Options{}, []string{"2 name=Chair sku=A1", "3 name=Table sku=A2"}},
		{"pipe no final newline", "sku|name\nA1|Chair", Options{}, []string{"2 name=Chair sku=A1"}},
		{"quotes, escaped quotes, delimiter inside", "sku,name\nA1,\"Chair, \"\"big\"\"\"\n", Options{}, []string{`2 name=Chair, "big" sku=A1`}},
		{"multi-line field", "sku,note\nA1,\"one\ntwo\"\nA2,x\n", Options{}, []string{"2 note=one\ntwo sku=A1", "4 note=x sku=A2"}},
		{"empty trailing fields", "a,b,c\n1,,\n\"x\",\"\",\n", Options{}, []string{"2 a=1 b= c=", "3 a=x b= c="}},
		{"single quotes detected", "sku,name\n'A1','Chair, big'\n", Options{}, []string{"2 name=Chair, big sku=A1"}},
		{"windows-1252 detected", "sku;name\nA1;Caf\xe9 \x80\n", Options{}, []string{"2 name=Café € sku=A1"}},
		{"utf-16 BOM", string(utf16), Options{}, []string{"2 name=Café sku=1"}},
		{"iso-8859-15 configured", "sku;name\nA1;\xa4\n", Options{Encoding: "iso-8859-15"}, []string{"2 name=€ sku=A1"}},
		{"decimal comma all", "sku;price;qty\nA1;\"1.234,50\";12,5\nA2;abc,1;3\n", Options{DecimalComma: []string{"*"}},
			[]string{"2 price=1234.50 qty=12.5 sku=A1", "3 price=abc,1 qty=3 sku=A2"}},
		{"decimal comma one column", "sku;price;qty\nA1;12,50;1,5\n", Options{DecimalComma: []string{"price"}},
			[]string{"2 price=12.50 qty=1,5 sku=A1"}},
		{"no header positions", "A1,Chair\nA2,Table\n", Options{NoHeader: true}, []string{"1 col1=A1 col2=Chair", "2 col1=A2 col2=Table"}},
		{"columns override header", "x,y\nA1,Chair\n", Options{Columns: []string{"sku", "name"}}, []string{"2 name=Chair sku=A1"}},
		{"duplicate and empty header names", "a,a,\n1,2,3\n", Options{}, []string{"2 a=1 a_2=2 col3=3"}},
		{"wrong field count fails alone", "a,b\n1,2\n1,2,3\n4,5\n", Options{}, []string{"2 a=1 b=2", "3 ERR 3 fields where the header has 2", "4 a=4 b=5"}},
		{"unclosed quote fails alone", "a,b\n1,\"oops\n2,x\n3,y\n", Options{}, []string{"2 ERR unclosed quote", "3 a=2 b=x", "4 a=3 b=y"}},
		{"unclosed quote swallowing a later quote", "a,b\n1,\"oops\n2,\"x\"\n3,y\n", Options{}, []string{"2 ERR unclosed quote", "3 a=2 b=x", "4 a=3 b=y"}},
		{"text after closing quote", "a,b\n\"1\"x,2\n3,4\n", Options{}, []string{"2 ERR unexpected character after a closing quote", "3 a=3 b=4"}},
		{"wrong encoding fails alone", "a,b\n1,Caf\xe9\n2,ok\n", Options{Encoding: "utf-8"},
			[]string{"2 ERR not valid UTF-8: the file seems to be in another encoding (set encoding, e.g. windows-1252)", "3 a=2 b=ok"}},
		{"blank lines skipped", "a\n\n1\n\n", Options{}, []string{"3 a=1"}},
		{"configured delimiter", "a;b|c\n1;2|3\n", Options{Delimiter: '|'}, []string{"2 a;b=1;2 c=3"}},
		{"no quoting", "a,b\n\"1,2\n", Options{NoQuote: true}, []string{"2 a=\"1 b=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, []byte(tt.in), tt.opts)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestDecodeFileErrors(t *testing.T) {
	tests := []struct {
		name, in string
		opts     Options
		want     string
	}{
		{"empty", "", Options{}, "no header row"},
		{"unknown encoding", "a\n", Options{Encoding: "ebcdic"}, "unknown encoding"},
		{"bom disagrees", "\xEF\xBB\xBFa\n", Options{Encoding: "utf-16le"}, "byte order mark"},
		{"header width differs from columns", "a,b,c\n", Options{Columns: []string{"x", "y"}}, "header has 3 fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewDecoder(strings.NewReader(tt.in), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestLongLineFailsAlone(t *testing.T) {
	in := "a,b\n1,2\n" + strings.Repeat("x", 300<<10) + "\n3,4\n"
	got, err := collect(t, []byte(in), Options{Limits: codec.Limits{MaxRecordBytes: 100 << 10}})
	if err != nil {
		t.Fatal(err)
	}
	want := "2 a=1 b=2|3 ERR line too long: longer than 102400 bytes (too large)|4 a=3 b=4"
	if strings.Join(got, "|") != want {
		t.Fatalf("got %q", got)
	}
}

func TestTruncatedFile(t *testing.T) {
	got, err := collect(t, []byte("a,b\n1,2\n3,\"trunc"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "2 a=1 b=2|3 ERR unclosed quote" {
		t.Fatalf("got %q", got)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		opts EncoderOptions
		dec  Options
	}{
		{"utf-8 comma", EncoderOptions{}, Options{}},
		{"windows-1252 semicolon CRLF", EncoderOptions{Delimiter: ';', Encoding: "windows-1252", CRLF: true}, Options{}},
		{"utf-16", EncoderOptions{Encoding: "utf-16le"}, Options{}},
	}
	recs := []map[string]any{
		{"sku": "A1", "name": "Café, \"big\"", "qty": 3},
		{"sku": "A2", "name": "two\nlines", "qty": nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			enc, err := NewEncoder(&buf, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				if err := enc.Encode(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := enc.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := collect(t, buf.Bytes(), tt.dec)
			if err != nil {
				t.Fatal(err)
			}
			want := "2 name=Café, \"big\" qty=3 sku=A1|3 name=two\nlines qty= sku=A2"
			if strings.Join(got, "|") != want {
				t.Fatalf("got %q\nraw %q", got, buf.String())
			}
		})
	}
}

func TestEncodeRefusesUnknownField(t *testing.T) {
	enc, _ := NewEncoder(io.Discard, EncoderOptions{Columns: []string{"a"}})
	if err := enc.Encode(map[string]any{"a": 1, "b": 2}); err == nil {
		t.Fatal("want an error for field b")
	}
}
