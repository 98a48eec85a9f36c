package csv

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

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
		{"utf-8 with a stray windows-1252 byte", "sku;name\nA1;Café\nA2;Na\xefve\nA3;Crème\n", Options{}, []string{"2 name=Café sku=A1",
			"3 ERR column \"name\": invalid UTF-8 (byte 0xEF): the file seems to be in another encoding (set encoding, e.g. windows-1252) (at byte offset 5)",
			"4 name=Crème sku=A3"}},
		{"utf-16 BOM", utf16("sku;name\r\n1;Café\r\n"), Options{}, []string{"2 name=Café sku=1"}},
		{"iso-8859-15 configured", "sku;name\nA1;\xa4\n", Options{Encoding: "iso-8859-15"}, []string{"2 name=€ sku=A1"}},
		{"decimal comma all", "sku;price;qty\nA1;\"1.234,50\";12,5\nA2;abc,1;3\n", Options{DecimalComma: []string{"*"}},
			[]string{"2 price=1234.50 qty=12.5 sku=A1", "3 price=abc,1 qty=3 sku=A2"}},
		{"decimal comma one column", "sku;price;qty\nA1;12,50;1,5\n", Options{DecimalComma: []string{"price"}},
			[]string{"2 price=12.50 qty=1,5 sku=A1"}},
		// in a column named as decimal comma, a dot groups thousands
		{"decimal comma column with thousands and no fraction", "sku;qty;w\nA1;1.000;1.000\nA2;-12.345.678;1.5\nA3;12.5;2\nA4;1.2345;3\nA5;0.500;4\nA6;-0.250;5\n",
			Options{DecimalComma: []string{"qty"}},
			[]string{"2 qty=1000 sku=A1 w=1.000", "3 qty=-12345678 sku=A2 w=1.5", "4 qty=12.5 sku=A3 w=2", "5 qty=1.2345 sku=A4 w=3",
				"6 qty=0.500 sku=A5 w=4", "7 qty=-0.250 sku=A6 w=5"}},
		{"every column: a dotted number without a comma is left", "sku;qty\nA1;1.000\n", Options{DecimalComma: []string{"*"}},
			[]string{"2 qty=1.000 sku=A1"}},
		{"no header positions", "A1,Chair\nA2,Table\n", Options{NoHeader: true}, []string{"1 col1=A1 col2=Chair", "2 col1=A2 col2=Table"}},
		{"columns override header", "x,y\nA1,Chair\n", Options{Columns: []string{"sku", "name"}}, []string{"2 name=Chair sku=A1"}},
		{"duplicate names renamed when asked", "a,a,,a_2\n1,2,3,4\n", Options{RenameDuplicates: true}, []string{"2 a=1 a_2=2 a_2_2=4 col3=3"}},
		{"wrong field count fails alone", "a,b\n1,2\n1,2,3\n4,5\n", Options{}, []string{"2 a=1 b=2", "3 ERR 3 fields where the header has 2", "4 a=4 b=5"}},
		{"unclosed quote fails alone", "a,b\n1,\"oops\n2,x\n3,y\n", Options{}, []string{"2 ERR unclosed quote", "3 a=2 b=x", "4 a=3 b=y"}},
		{"unclosed quote swallowing a later quote", "a,b\n1,\"oops\n2,\"x\"\n3,y\n", Options{}, []string{"2 ERR unclosed quote", "3 a=2 b=x", "4 a=3 b=y"}},
		{"text after closing quote", "a,b\n\"1\"x,2\n3,4\n", Options{}, []string{"2 ERR unexpected character after a closing quote", "3 a=3 b=4"}},
		{"wrong encoding fails alone", "a,b\n1,Caf\xe9\n2,ok\n", Options{Encoding: "utf-8"},
			[]string{"2 ERR column \"b\": invalid UTF-8 (byte 0xE9): the file seems to be in another encoding (set encoding, e.g. windows-1252) (at byte offset 5)", "3 a=2 b=ok"}},
		{"blank lines skipped", "a\n\n1\n\n", Options{}, []string{"3 a=1"}},
		// line ends and encodings
		{"CR-only file with a line break inside quotes", "sku,note\r1,\"a\nb\"\r2,c\r", Options{}, []string{"2 note=a\nb sku=1", "4 note=c sku=2"}},
		{"lone CR in an LF file ends a row", "a,b\n1,2\r3,4\n5,6\n", Options{}, []string{"2 a=1 b=2", "3 a=3 b=4", "4 a=5 b=6"}},
		{"doubled UTF-8 BOM", "\xEF\xBB\xBF\xEF\xBB\xBFsku,name\nA1,x\n", Options{}, []string{"2 name=x sku=A1"}},
		{"utf-32 BOM", utf32("sku;name\r\n1;Café\r\n"), Options{}, []string{"2 name=Café sku=1"}},
		{"NUL byte fails its row", "a,b\n1,x\x00y\n2,z\n", Options{}, []string{"2 ERR column \"b\": a NUL byte (0x00), which is not text (at byte offset 3)", "3 a=2 b=z"}},
		{"byte windows-1252 leaves undefined", "a;b\n1;x\x81\n2;\x80\n", Options{Encoding: "windows-1252"},
			[]string{"2 ERR column \"b\": byte 0x81 is not a character in windows-1252 (at byte offset 3)", "3 a=2 b=€"}},
		{"lone UTF-16 surrogate", utf16("a,b\n1,") + "\x00\xD8" + utf16("x\n2,y\n")[2:], Options{},
			[]string{"2 ERR column \"b\": a lone UTF-16 surrogate U+D800, which is not a character (at byte offset 4)", "3 a=2 b=y"}},
		{"invalid UTF-8 on a later line of a quoted field", "a,b\n1,\"x\ny\xE9\"\n2,z\n", Options{Encoding: "utf-8"},
			[]string{"2 ERR column \"b\": invalid UTF-8 (byte 0xE9): the file seems to be in another encoding (set encoding, e.g. windows-1252) (at line 3, byte offset 1)", "4 a=2 b=z"}},
		// dialects spreadsheets write
		{"sep= line names the delimiter", "sep=;\nsku;name,x\nA1;Chair, big\n", Options{}, []string{"3 name,x=Chair, big sku=A1"}},
		{"quoted sep= line with CRLF", "\"sep=|\"\r\nsku|name\r\nA1|x\r\n", Options{}, []string{"3 name=x sku=A1"}},
		{"value starting with an apostrophe", "city;n\n's-Hertogenbosch;1\nAmsterdam;2\n", Options{},
			[]string{"2 city='s-Hertogenbosch n=1", "3 city=Amsterdam n=2"}},
		{"empty and blank rows skipped", "a;b;c\n1;2;3\n;;\n\n  ; ;\n;;;\n\"\";;\n4;5;6\n", Options{}, []string{"2 a=1 b=2 c=3", "8 a=4 b=5 c=6"}},
		{"configured delimiter", "a;b|c\n1;2|3\n", Options{Delimiter: '|'}, []string{"2 a;b=1;2 c=3"}},
		// without a header, a ; file with decimal commas has as many commas
		// as semicolons on every line: the commas between digits are decimal
		{"no header, semicolons and decimal commas", "A1;1,50\nA2;3,00\n", Options{NoHeader: true},
			[]string{"1 col1=A1 col2=1,50", "2 col1=A2 col2=3,00"}},
		{"columns, semicolons and two decimal commas", "A1;1,50;2,5\nA2;3,00;1,0\n",
			Options{NoHeader: true, Columns: []string{"sku", "price", "weight"}, DecimalComma: []string{"price", "weight"}},
			[]string{"1 price=1.50 sku=A1 weight=2.5", "2 price=3.00 sku=A2 weight=1.0"}},
		{"no header, commas between words and as many semicolons", "a,b;c\nd,e;f\n", Options{NoHeader: true},
			[]string{"1 col1=a col2=b;c", "2 col1=d col2=e;f"}},
		{"no header, commas between numbers and no other delimiter", "1,2\n3,4\n", Options{NoHeader: true},
			[]string{"1 col1=1 col2=2", "2 col1=3 col2=4"}},
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

func utf16(s string) string {
	b := []byte{0xFF, 0xFE}
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return string(b)
}

func utf32(s string) string {
	b := []byte{0xFF, 0xFE, 0, 0}
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
	}
	return string(b)
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
		{"duplicate header", "sku,name, sku\n1,2,3\n", Options{}, `line 1: header: column 3 repeats the name "sku" of column 1`},
		{"duplicate configured column", "1,2\n", Options{NoHeader: true, Columns: []string{"a", "a"}}, `column 2 repeats the name "a"`},
		// a column without a name is named by its position; when that is
		// another column's name, the error says where the name came from
		{"empty name named like another column", "col2,,x\n1,2,3\n", Options{},
			`line 1: header: column 2 has no name, and col2, the name it gets by its position, is the name of column 1`},
		{"a name given to an empty column before it", "a,,col2\n1,2,3\n", Options{},
			`line 1: header: column 3 repeats the name "col2" that column 2, which has no name, gets by its position`},
		{"UTF-7", "+/v8-a,b\n", Options{}, "UTF-7"},
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
	const max = 100 << 10
	for _, size := range []int{max + 1, max + 2, 300 << 10} {
		for _, eol := range []string{"\n", "\r\n", "\r"} {
			in := "a,b" + eol + "1,2" + eol + strings.Repeat("x", size) + eol + "3,4" + eol
			got, err := collect(t, []byte(in), Options{Limits: codec.Limits{MaxRecordBytes: max}})
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("2 a=1 b=2|3 ERR line too long: %d bytes, the limit is 102400 bytes|4 a=3 b=4", size)
			if strings.Join(got, "|") != want {
				t.Fatalf("line of %d bytes ending in %q: got %q", size, eol, got)
			}
		}
	}
}

// TestHugeQuotedFieldFailsAlone checks that a quoted field over the limit,
// spread over many lines that look like rows, is one failed row.
func TestHugeQuotedFieldFailsAlone(t *testing.T) {
	text := strings.Repeat(strings.Repeat("lorem, ipsum ", 800)+"\n", 90) // 90 lines of 10 KiB
	in := "sku,desc\nA1,\"" + text + "end\"\nA2,ok\n"
	got, err := collect(t, []byte(in), Options{Limits: codec.Limits{MaxRecordBytes: 256 << 10}})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("2 ERR row larger than the limit of 262144 bytes: %d bytes on lines 2 to 92 (too large)|93 desc=ok sku=A2", len(in)-len("sku,desc\nA2,ok\n")-1)
	if strings.Join(got, "|") != want {
		t.Fatalf("got  %.300q\nwant %q", got, want)
	}
}

// TestStrayQuoteFurtherThanTheLimit checks that an unclosed quote in a
// file with no other quote loses no row silently: every line after it is
// read again as a row, or, when the lines do not read as rows, those past
// the limit are reported by line.
func TestStrayQuoteFurtherThanTheLimit(t *testing.T) {
	tests := []struct {
		name    string
		row     func(i int) string
		skipped bool
	}{
		{"rows after it read again", func(i int) string { return fmt.Sprintf("%d,row", i) }, false},
		{"ragged rows after it reported", func(i int) string { return fmt.Sprintf("%d,row%s", i, strings.Repeat(",x", i%2)) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("a,b\n1,\"oops\n")
			for i := 3; i <= 2000; i++ {
				b.WriteString(tt.row(i) + "\n")
			}
			got, err := collect(t, []byte(b.String()), Options{Limits: codec.Limits{MaxRecordBytes: 4 << 10}})
			if err != nil {
				t.Fatal(err)
			}
			if got[0] != "2 ERR unclosed quote" {
				t.Fatalf("first %q", got[0])
			}
			next, skipped := 3, false
			for _, g := range got[1:] {
				var no, from, to int
				switch {
				case g == tt.row(next) || g == fmt.Sprintf("%d a=%d b=row", next, next) ||
					strings.HasPrefix(g, fmt.Sprintf("%d ERR 3 fields", next)):
					next++
				case fmt.Sprint(sscan(g, "%d ERR lines %d to %d not read", &no, &from, &to)) == "3" && no == next && from == next:
					next, skipped = to+1, true
				default:
					t.Fatalf("after line %d: %q", next-1, g)
				}
			}
			if next != 2001 || skipped != tt.skipped {
				t.Fatalf("lines accounted for up to %d of 2000, lines skipped: %v; last %q", next-1, skipped, got[len(got)-3:])
			}
		})
	}
}

func sscan(s, format string, args ...any) int {
	n, _ := fmt.Sscanf(s, format, args...)
	return n
}

func TestSkippedRowsAreCounted(t *testing.T) {
	d, err := NewDecoder(strings.NewReader("a;b\n\n;\n1;2\n ; \n\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := codectest.Lines(d, render)
	if err != nil || strings.Join(got, "|") != "4 a=1 b=2" || d.Skipped() != 4 {
		t.Fatalf("got %q, %v, %d skipped; want 1 record and 4 skipped", got, err, d.Skipped())
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

// TestEncodeBadRecordFailsAlone checks that a row that cannot be written
// fails naming the field and the cause, writes nothing, and leaves the
// file whole for the rows around it.
func TestEncodeBadRecordFailsAlone(t *testing.T) {
	tests := []struct {
		name string
		opts EncoderOptions
		recs []map[string]any
		bad  int    // the record that fails
		want string // its error
		read string
	}{
		{"a character windows-1252 cannot hold", EncoderOptions{Encoding: "windows-1252"},
			[]map[string]any{{"sku": "A", "name": "Café"}, {"sku": "B", "name": "漢字"}, {"sku": "C", "name": "€5"}}, 1,
			`csv: field "name": U+6F22 '漢' cannot be written in windows-1252`, "2 name=Café sku=A|3 name=€5 sku=C"},
		{"a column name iso-8859-1 cannot hold", EncoderOptions{Encoding: "iso-8859-1"},
			[]map[string]any{{"nam€": "x"}, {"name": "A"}, {"name": "C"}}, 0,
			`csv: the header: column "nam€": U+20AC '€' cannot be written in iso-8859-1`, "2 name=A|3 name=C"},
		{"a field outside the columns", EncoderOptions{},
			[]map[string]any{{"sku": "A"}, {"sku": "B", "extra": 1}, {"sku": "C"}}, 1,
			`csv: field "extra" is not one of the columns [sku]`, "2 sku=A|3 sku=C"},
		{"invalid UTF-8 for windows-1252", EncoderOptions{Encoding: "windows-1252"},
			[]map[string]any{{"sku": "A"}, {"sku": "B\xff"}, {"sku": "C"}}, 1,
			`csv: field "sku": byte 0xFF is not UTF-8 and cannot be written in windows-1252`, "2 sku=A|3 sku=C"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			enc, err := NewEncoder(&buf, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range tt.recs {
				err := enc.Encode(r)
				switch {
				case i == tt.bad && (err == nil || err.Error() != tt.want):
					t.Fatalf("err = %v, want %q", err, tt.want)
				case i != tt.bad && err != nil:
					t.Fatalf("record %d: %v", i, err)
				}
			}
			if err := enc.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			got, err := collect(t, buf.Bytes(), Options{Encoding: tt.opts.Encoding})
			if err != nil || strings.Join(got, "|") != tt.read {
				t.Fatalf("read back %q, %v\nraw %q", got, err, buf.String())
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

func TestEncodeCells(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)
	cells := []any{"=HYPERLINK(\"http://x\",\"y\")", "+31 6 1234", "-5", "+1.5", "-1.234,50", "-", "@SUM(A1)",
		"\tx", "plain", "a=b", at, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "\x00=1+1"}
	tests := []struct {
		name string
		opts EncoderOptions
		want string
	}{
		{"formulas neutralised", EncoderOptions{NoHeader: true},
			`"'=HYPERLINK(""http://x"",""y"")",'+31 6 1234,-5,+1.5,"-1.234,50",'-,'@SUM(A1),'` + "\tx" +
				`,plain,a=b,2024-01-02T03:04:05.123456789Z,2024-01-02T03:04:05Z,'` + "\x00=1+1"},
		{"formulas kept when asked", EncoderOptions{NoHeader: true, KeepFormulas: true},
			`"=HYPERLINK(""http://x"",""y"")",+31 6 1234,-5,+1.5,"-1.234,50",-,@SUM(A1),"` + "\tx" + `"` +
				`,plain,a=b,2024-01-02T03:04:05.123456789Z,2024-01-02T03:04:05Z,` + "\x00=1+1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := map[string]any{}
			cols := make([]string, len(cells))
			for i, c := range cells {
				cols[i] = fmt.Sprintf("c%02d", i)
				rec[cols[i]] = c
			}
			tt.opts.Columns = cols
			var buf bytes.Buffer
			enc, err := NewEncoder(&buf, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := enc.Encode(rec); err != nil {
				t.Fatal(err)
			}
			if err := enc.Close(); err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSuffix(buf.String(), "\n"); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestEncodeColumnsHoldEveryMappedField checks that, without fixed
// columns, the header holds every top-level field the write mapping lists,
// not only those of the first record: a mapping leaves out a field whose
// value is empty, and a later record that has it must not fail for it.
func TestEncodeColumnsHoldEveryMappedField(t *testing.T) {
	tests := []struct {
		name  string
		order []string
		recs  []map[string]any
		want  string
	}{
		{"first record lacks a mapped field", []string{"sku", "name", "note", "price"},
			[]map[string]any{{"sku": "A", "price": 1}, {"sku": "B", "name": "Bolt", "note": "new", "price": 2}},
			"sku,name,note,price\nA,,,1\nB,Bolt,new,2\n"},
		{"nested paths give their top-level field", []string{"number", "customer", "customer.name", "lines", "lines.sku"},
			[]map[string]any{{"number": "1"}, {"number": "2", "customer": map[string]any{"name": "Ann"}}},
			"number,customer,lines\n1,,\n2,\"{\"\"name\"\":\"\"Ann\"\"}\",\n"},
		{"a field the mapping does not list comes after", []string{"sku"},
			[]map[string]any{{"sku": "A", "extra": "x"}, {"sku": "B"}},
			"sku,extra\nA,x\nB,\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			enc, err := NewEncoder(&buf, EncoderOptions{Order: codec.OrderOf(tt.order)})
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range tt.recs {
				if err := enc.Encode(r); err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
			}
			if err := enc.Close(); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Fatalf("got  %q\nwant %q", buf.String(), tt.want)
			}
		})
	}
}
