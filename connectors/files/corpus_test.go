package files

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusCase is one awkward or hostile file and what must become of each of
// its data rows.
type corpusCase struct {
	file   string         // in testdata/corpus, unless body makes it
	body   func() string  // generates a large file
	values map[string]any // connection config besides key_field=sku
	rows   int            // data rows a person counts in the file
	// want lists the outcomes in order: "ok KEY" for an imported record,
	// "fail LINE reason" for a failed row and "file reason" for a file
	// refused (it stands for the rows not listed before it).
	want []string
}

var xmlProducts = map[string]any{FieldFormat: FormatXML, FieldRecordPath: "/Products/Product"}

func corpus() []corpusCase {
	json := map[string]any{FieldFormat: FormatJSON}
	mib := 1 << 20
	return []corpusCase{
		// CSV line ends
		{file: "cr-only-quoted-break.csv", rows: 2, want: []string{"ok 1", "ok 2"}},
		{file: "lone-cr-in-lf.csv", rows: 3, want: []string{"ok A1", "ok A2", "ok A3"}},
		{file: "crlf-mixed.csv", rows: 3, want: []string{"ok A1", "ok A2", "ok A3"}},
		{file: "long-line-then-row.csv", rows: 3, body: func() string {
			return "sku,name\nA1,x\nA2," + strings.Repeat("y", 8*mib-2) + "\nA3,z\n"
		}, want: []string{"ok A1", "fail 3 line too long: 8388609 bytes, the limit is 8388608 bytes", "ok A3"}},
		{file: "huge-quoted-field.csv", rows: 2, body: func() string {
			return "sku,desc\nA1,\"" + strings.Repeat(strings.Repeat("lorem, ipsum ", 800)+"\n", 900) + "\"\nA2,ok\n"
		}, want: []string{"fail 2 row larger than the limit of 8388608 bytes", "ok A2"}},
		// CSV encodings
		{file: "nul-padding.csv", rows: 101, want: append(oks("S", 1, 100), "fail 102 column \"sku\": a NUL byte (0x00), which is not text (at byte offset 0)")},
		{file: "utf32-bom.csv", rows: 2, want: []string{"ok A1", "ok A2"}},
		{file: "utf7-bom.csv", rows: 1, want: []string{"file csv: the file is in UTF-7 (it starts with its byte order mark), which is not supported"}},
		{file: "double-utf8-bom.csv", rows: 1, want: []string{"ok A1"}},
		{file: "utf16-lone-surrogate.csv", rows: 2, want: []string{"fail 2 column \"name\": a lone UTF-16 surrogate U+D800, which is not a character (at byte offset 6)", "ok A2"}},
		{file: "cp1252-undefined-byte.csv", values: map[string]any{FieldEncoding: "windows-1252"}, rows: 3,
			want: []string{"ok A1", "fail 3 column \"name\": byte 0x81 is not a character in windows-1252 (at byte offset 4)", "ok A3"}},
		{file: "invalid-utf8-late.csv", rows: 3001, want: append(append(oks("S", 1, 2999),
			"fail 3001 column \"name\": invalid UTF-8 (byte 0xE9): the file seems to be in another encoding"), "ok S3001")},
		// CSV dialects and rows
		{file: "excel-sep-line.csv", rows: 1, want: []string{"ok A1"}},
		{file: "apostrophe-value.csv", rows: 2, want: []string{"ok A1", "ok A2"}},
		{file: "empty-rows.csv", rows: 2, want: []string{"ok A1", "ok A2"}},
		{file: "duplicate-header.csv", rows: 1, want: []string{`file csv: line 1: header: column 3 repeats the name "sku" of column 1`}},
		{file: "nul-in-row.csv", rows: 2, want: []string{"fail 2 column \"name\": a NUL byte (0x00), which is not text (at byte offset 4)", "ok A2"}},
		{file: "stray-quote.csv", rows: 3, want: []string{"fail 2 unclosed quote", "ok A2", "ok A3"}},
		{file: "wrong-field-count.csv", rows: 2, want: []string{"fail 2 3 fields where the header has 2", "ok A2"}},
		{file: "empty.csv", rows: 0, want: []string{"file csv: the file is empty: no header row"}},
		{file: "header-only.csv", rows: 0, want: nil},
		{file: longName(240, "n", ".csv"), rows: 1, body: func() string { return "sku\nA1\n" }, want: []string{"ok A1"}},
		// JSON
		{file: "two-top-level-arrays.json", values: json, rows: 3, want: []string{"ok A1", "ok A2", "ok A3"}},
		{file: "cut-before-bracket.json", values: json, rows: 2,
			want: []string{"ok A1", "ok A2", "file json: line 2: the file ends before the array of records closes: unexpected EOF"}},
		{file: "cut-inside-record.json", values: json, rows: 2,
			want: []string{"ok A1", "file json: line 2: the file ends inside a string that starts on line 2: unexpected EOF"}},
		{file: "json-invalid-utf8.json", values: map[string]any{FieldFormat: FormatJSON, FieldEncoding: "utf-8"}, rows: 2, want: []string{"fail 1 invalid UTF-8 (byte 0xE9)", "ok A2"}},
		{file: "json-lone-surrogate.json", values: json, rows: 2, want: []string{`fail 1 the escape \ud800 is a lone UTF-16 surrogate`, "ok A2"}},
		{file: "json-nul-escape.json", values: json, rows: 2, want: []string{`fail 1 field "n" holds a NUL character`, "ok A2"}},
		{file: "json-garbage-between.json", values: json, rows: 2, want: []string{"ok A1", "file json: line 1: not valid JSON: 'x' where , or ] should follow a record"}},
		{file: "json-long-string.json", values: json, rows: 3, body: func() string {
			return `[{"sku":"A1"},` + "\n" + `{"sku":"A2","n":"` + strings.Repeat("x", 2*mib) + `"},` + "\n" + `{"sku":"A3"}]`
		}, want: []string{"ok A1", "fail 2 a string on line 2 is 2097152 bytes, larger than the limit of 1048576 bytes", "ok A3"}},
		{file: "json-large-record.json", values: json, rows: 2, body: func() string {
			return `[{"sku":"A1","n":["` + strings.Repeat(strings.Repeat("x", 1000)+`","`, 9000) + `"]},` + "\n" + `{"sku":"A2"}]`
		}, want: []string{"fail 1 record larger than the limit of 8388608 bytes: 9027021 bytes", "ok A2"}},
		{file: "ndjson-bad-line.ndjson", values: map[string]any{FieldFormat: FormatNDJSON}, rows: 3,
			want: []string{"ok A1", "fail 2 not valid JSON: invalid character 'o'", "ok A3"}},
		{file: "ndjson-long-line.ndjson", values: map[string]any{FieldFormat: FormatNDJSON}, rows: 3, body: func() string {
			return `{"sku":"A1"}` + "\n" + `{"sku":"A2","n":"` + strings.Repeat("x", 9*mib) + `"}` + "\n" + `{"sku":"A3"}` + "\n"
		}, want: []string{"ok A1", "fail 2 line too long: 9437203 bytes, the limit is 8388608 bytes", "ok A3"}},
		// XML
		{file: "xml-cut-in-root-tag.xml", values: xmlProducts, rows: 0,
			want: []string{"file xml: line 1: the file ends before its root element is complete: unexpected EOF"}},
		{file: "xml-cut-before-root.xml", values: xmlProducts, rows: 0,
			want: []string{"file xml: line 2: the file ends before its root element is complete: unexpected EOF"}},
		{file: "xml-cut-inside-root.xml", values: xmlProducts, rows: 2,
			want: []string{"ok A1", "file xml: line 3: the file ends inside <sku>: unexpected EOF"}},
		{file: "xml-surrogate-reference.xml", values: xmlProducts, rows: 2,
			want: []string{"fail 2 field \"n\": the character reference &#xD800; names no character XML allows (at byte offset 25)", "ok A2"}},
		{file: "xml-nul-byte.xml", values: xmlProducts, rows: 2, want: []string{"fail 2 field \"n\": a NUL byte (0x00), which is not text (at byte offset 26)", "ok A2"}},
		{file: "xml-cp1252-undefined.xml", values: xmlProducts, rows: 2,
			want: []string{"fail 3 field \"n\": byte 0x81 is not a character in windows-1252 (at byte offset 25)", "ok A2"}},
		{file: "xml-billion-laughs.xml", values: xmlProducts, rows: 1, want: []string{"file xml: line 2: the DOCTYPE declares entities"}},
		{file: "xml-long-text.xml", values: xmlProducts, rows: 2, body: func() string {
			return "<Products>\n<Product><sku>A1</sku><n>" + strings.Repeat("x\n", mib) + "</n></Product>\n<Product><sku>A2</sku></Product>\n</Products>"
		}, want: []string{"fail 2 the text on line 2 is 2097152 bytes, larger than the limit of 1048576 bytes", "ok A2"}},
	}
}

// oks returns "ok PREFIXn" for n from first to last.
func oks(prefix string, first, last int) []string {
	var out []string
	for i := first; i <= last; i++ {
		out = append(out, fmt.Sprintf("ok %s%d", prefix, i))
	}
	return out
}

// TestCorpus reads every awkward or hostile file through the folder
// connector and checks that each data row ends as a record, a failed row
// with its line and reason, or part of a file refused with its reason, and
// that the file is moved on accordingly: nothing is lost in silence.
func TestCorpus(t *testing.T) {
	for _, tc := range corpus() {
		name := tc.file
		if len(name) > 60 {
			name = fmt.Sprintf("a name of %d bytes", len(name))
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			body := ""
			if tc.body != nil {
				body = tc.body()
			} else {
				b, err := os.ReadFile(filepath.Join("testdata", "corpus", tc.file))
				if err != nil {
					t.Fatal(err)
				}
				body = string(b)
			}
			write(t, dir, tc.file, body)
			values := map[string]any{FieldKeyField: "sku"}
			for k, v := range tc.values {
				values[k] = v
			}
			got := outcomes(tc.file, read(t, folderConn(t, dir, values), "", 50, -1).records)
			checkOutcomes(t, got, tc.want)
			checkAccounted(t, got, tc.rows)
			checkMovedOn(t, dir, tc.file, got)
		})
	}
}

// outcomes turns the records read from file into "ok KEY", "fail LINE
// error" and "file error".
func outcomes(file string, records []string) []string {
	var out []string
	for _, r := range records {
		key, rest, _ := strings.Cut(r, " ")
		key = strings.TrimPrefix(strings.TrimPrefix(key, file), ":")
		switch {
		case strings.HasPrefix(rest, "ERR ") && key == "":
			out = append(out, "file "+strings.TrimPrefix(rest, "ERR "+file+" cannot be read: "))
		case strings.HasPrefix(rest, "ERR "):
			_, reason, _ := strings.Cut(rest, ": ")
			out = append(out, "fail "+key+" "+reason)
		default:
			out = append(out, "ok "+key)
		}
	}
	return out
}

func checkOutcomes(t *testing.T, got, want []string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = got[i] == want[i] || !strings.HasPrefix(want[i], "ok ") && strings.HasPrefix(got[i], want[i])
	}
	if !ok {
		t.Fatalf("outcomes\n%.2000s\nwant\n%.2000s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// checkAccounted checks that the outcomes cover every data row: one each,
// and a refused file the rows not listed before it.
func checkAccounted(t *testing.T, got []string, rows int) {
	t.Helper()
	listed, refused := 0, false
	for _, g := range got {
		if strings.HasPrefix(g, "file ") {
			refused = true
		} else {
			listed++
		}
	}
	if listed > rows || !refused && listed != rows {
		t.Fatalf("%d outcomes listed for %d data rows (file refused: %v): %.500q", listed, rows, refused, got)
	}
}

// checkMovedOn checks that the file went to the error folder with its
// report when refused, else to the archive, and nothing was left behind.
func checkMovedOn(t *testing.T, dir, file string, got []string) {
	t.Helper()
	want := "archive/" + file
	if len(got) > 0 && strings.HasPrefix(got[len(got)-1], "file ") {
		want = "error/" + file + " error/" + file + ".error.txt"
	}
	if tr := tree(t, dir); tr != want {
		t.Fatalf("files: %s\nwant %s", tr, want)
	}
}
