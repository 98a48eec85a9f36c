package files

import (
	"fmt"
	"github.com/switchboard-app/switchboard/connectors"
	"strings"
	"testing"
)

// TestARecordWithoutItsKeyFieldFails checks that, with a key field set, a
// record that lacks it (a column renamed by the sender, a row with the
// key left empty, an object where a value belongs) fails alone, naming
// the file, its line and the key field, instead of being keyed by the
// file's name and line: a key that changes with each file would have the
// target create the record again from every file, where the key field
// was set so that a second file updates it.
func TestARecordWithoutItsKeyFieldFails(t *testing.T) {
	cases := []struct {
		name, file, body string
		key              string
		values           map[string]any
		want             []string
	}{
		{"a CSV file without the key column", "a.csv", "SKU,name\nA1,x\n", "sku", nil, []string{
			`a.csv:2 ERR a.csv line 2: the key field "sku" is not in the record (its fields: SKU, name)`,
		}},
		{"a CSV row with an empty key", "b.csv", "sku,name\nB1,x\n  ,y\nB3,z\n", "sku", nil, []string{
			"B1 name=x,sku=B1",
			`b.csv:3 ERR b.csv line 3: the key field "sku" is empty`,
			"B3 name=z,sku=B3",
		}},
		{"a JSON record whose key is an object", "c.json", `[{"sku":{"id":"C1"}},{"sku":"C2"}]`, "sku",
			map[string]any{FieldFormat: FormatJSON}, []string{
				`c.json:1 ERR c.json line 1: the key field "sku" holds an object, not a value`,
				"C2 sku=C2",
			}},
		{"an XML record without the key", "d.xml", "<r>\n<p><code>D1</code></p>\n<p><sku>D2</sku></p>\n</r>", "sku",
			map[string]any{FieldFormat: FormatXML}, []string{
				`d.xml:2 ERR d.xml line 2: the key field "sku" is not in the record (its fields: code)`,
				"D2 sku=D2",
			}},
		{"a wide file without the key column", "w.csv", wide(25) + "\n" + strings.Repeat("1,", 24) + "1\n", "sku", nil, []string{
			`w.csv:2 ERR w.csv line 2: the key field "sku" is not in the record (its fields: c01, c02, c03, c04, c05, c06, c07, c08, c09, c10, ` +
				`c11, c12, c13, c14, c15, c16, c17, c18, c19, c20 and 5 more)`,
		}},
		// a key field typed with a space around it still names the column,
		// whose name in the header is trimmed
		{"a key field with spaces around it", "e.csv", "sku,name\nE1,x\n", " sku ", nil, []string{"E1 name=x,sku=E1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tc.file, tc.body)
			values := map[string]any{FieldKeyField: tc.key}
			for k, v := range tc.values {
				values[k] = v
			}
			got := read(t, folderConn(t, dir, values), "", 10, -1)
			if strings.Join(got.records, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("records\n%s\nwant\n%s", strings.Join(got.records, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestARecordWithoutItsKeyKeepsItsData checks that the record failed for its
// key carries its data as its raw text, for a person to see.
func TestARecordWithoutItsKeyKeepsItsData(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "sku,name\n,Chair\n")
	stream, err := folderConn(t, dir, map[string]any{FieldKeyField: "sku"}).Read(ctx(t), connectors.ReadRequest{Entity: connectors.Product, PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	page, err := stream.Next(ctx(t))
	if err != nil || len(page.Records) != 1 {
		t.Fatalf("page %+v, %v", page, err)
	}
	if r := page.Records[0]; r.Err == nil || r.Raw != `{"name":"Chair","sku":""}` {
		t.Fatalf("record %+v, want failed with its data as raw text", r)
	}
}

// wide returns a CSV header of n columns, c01 to cNN.
func wide(n int) string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("c%02d", i+1)
	}
	return strings.Join(names, ",")
}
