package files

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

func writeAll(t *testing.T, c *flowConn, recs ...map[string]any) []string {
	t.Helper()
	var ids []string
	for i, r := range recs {
		res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "SO-" + string(rune('1'+i)), Data: r})
		if err != nil {
			t.Fatalf("Write: %v", err)
		}
		ids = append(ids, res.TargetID)
	}
	return ids
}

func TestWritePerRun(t *testing.T) {
	recs := []map[string]any{{"number": "SO-1", "total": "12.50"}, {"number": "SO-2", "total": "3"}}
	tests := []struct {
		name   string
		values map[string]any
		file   *regexp.Regexp
		body   []string
	}{
		{"csv", map[string]any{FieldFileName: "orders-{date}-{number}.csv", FieldDelimiter: ";"},
			regexp.MustCompile(`^orders-\d{8}-1\.csv$`), []string{"number;total\nSO-1;12.50\nSO-2;3\n"}},
		{"xml", map[string]any{FieldFormat: FormatXML, FieldXMLRoot: "Orders", FieldXMLRecord: "Order", FieldFileName: "{entity}-{run}.{ext}"},
			regexp.MustCompile(`^order-[0-9a-f]{8}\.xml$`), []string{"<Orders>", "<Order>", "<number>SO-2</number>", "</Orders>"}},
		{"json", map[string]any{FieldFormat: FormatJSON, FieldFileName: "out-{time}.json"},
			regexp.MustCompile(`^out-\d{6}\.json$`), []string{`"number":"SO-1"`, `"total":"3"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.values[FieldOutputFolder] = "out"
			c := folderConn(t, dir, tt.values)
			ids := writeAll(t, c, recs...)
			if ids[0] != ids[1] || !tt.file.MatchString(ids[0]) {
				t.Fatalf("target ids %q", ids)
			}
			if tr := tree(t, dir); tr != "" {
				t.Fatalf("a file is visible before Flush: %s", tr)
			}
			if err := c.Flush(ctx(t)); err != nil {
				t.Fatal(err)
			}
			if tr := tree(t, dir); tr != "out/"+ids[0] {
				t.Fatalf("after Flush: %s", tr)
			}
			body, _ := os.ReadFile(filepath.Join(dir, "out", ids[0]))
			for _, want := range tt.body {
				if !strings.Contains(string(body), want) {
					t.Fatalf("file lacks %q:\n%s", want, body)
				}
			}
		})
	}
}

func TestWritePerRecord(t *testing.T) {
	dir := t.TempDir()
	c := folderConn(t, dir, map[string]any{FieldWriteMode: "per_record", FieldFormat: FormatJSON, FieldFileName: "order-{number}-{ref}-{key}.json"})
	ids := writeAll(t, c, map[string]any{"ref": "R1"}, map[string]any{"ref": "R2"})
	if strings.Join(ids, " ") != "record/order-1-R1-SO-1.json record/order-2-R2-SO-2.json" {
		t.Fatalf("ids %q", ids)
	}
	res, err := c.Write(ctx(t), connectors.WriteRequest{TargetID: ids[0], Data: map[string]any{"ref": "R1", "v": 2}})
	if err != nil || res.TargetID != ids[0] {
		t.Fatalf("rewrite: %v %v", res, err)
	}
	if tr := tree(t, dir); strings.Contains(tr, ".json ") || strings.HasSuffix(tr, ".json") {
		t.Fatalf("a per-record file is visible before the flush: %s", tr)
	}
	if err := c.Flush(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if tr := tree(t, dir); tr != "order-1-R1-SO-1.json order-2-R2-SO-2.json" {
		t.Fatalf("files: %s", tr)
	}
	body, _ := os.ReadFile(filepath.Join(dir, "order-1-R1-SO-1.json"))
	if !strings.Contains(string(body), `"v":2`) {
		t.Fatalf("rewritten file: %s", body)
	}
}

func TestWriteRefusesBadNames(t *testing.T) {
	tests := []struct {
		name, template string
		data           map[string]any
		targetID       string
		want           string // "" = written safely inside the folder
	}{
		{"missing field", "{nope}.csv", map[string]any{"sku": "a"}, "", "no value for {nope}"},
		{"climbing value", "{sku}", map[string]any{"sku": "../../etc/passwd"}, "", "must not start with a dot"},
		{"slashes in a value", "{sku}.csv", map[string]any{"sku": "a/../../b"}, "", ""},
		{"control characters in a value", "{sku}.csv", map[string]any{"sku": "a\x7fb\u0085c\x01"}, "", ""},
		{"no key", "{key}", map[string]any{"sku": "a"}, "", "no value for {key}"},
		{"traversal target id", "x.csv", map[string]any{"sku": "a"}, recordIDPrefix + "../x.csv", "unsafe path"},
		{"traversal target id of another write", "x.csv", map[string]any{"sku": "a"}, "../x.csv", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c := folderConn(t, dir, map[string]any{FieldWriteMode: "per_record", FieldFileName: tt.template})
			res, err := c.Write(ctx(t), connectors.WriteRequest{TargetID: tt.targetID, Data: tt.data})
			if tt.want == "" {
				name, own := strings.CutPrefix(res.TargetID, recordIDPrefix)
				if err != nil || !own || strings.ContainsAny(name, `/\`) {
					t.Fatalf("got %v, %v", res, err)
				}
				if err := c.Flush(ctx(t)); err != nil {
					t.Fatal(err)
				}
				if tr := tree(t, dir); tr != name {
					t.Fatalf("files: %s", tr)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if class, _ := connectors.Classify(err); class != connectors.ClassPermanent {
				t.Fatalf("classified %s", class)
			}
		})
	}
}

// TestWriteNeutralisesFormulas checks that CSV cells a spreadsheet would run
// as formulas get a ' in front unless the connection turns it off.
func TestWriteNeutralisesFormulas(t *testing.T) {
	rec := map[string]any{"a": "=HYPERLINK(\"http://x\")", "b": "-5", "c": "@SUM(A1)"}
	tests := []struct {
		name   string
		values map[string]any
		want   string
	}{
		{"default", map[string]any{}, "a,b,c\n\"'=HYPERLINK(\"\"http://x\"\")\",-5,'@SUM(A1)\n"},
		{"turned off", map[string]any{FieldNeutralise: false}, "a,b,c\n\"=HYPERLINK(\"\"http://x\"\")\",-5,@SUM(A1)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.values[FieldFileName] = "out.csv"
			c := folderConn(t, dir, tt.values)
			writeAll(t, c, rec)
			if err := c.Flush(ctx(t)); err != nil {
				t.Fatal(err)
			}
			if body, _ := os.ReadFile(filepath.Join(dir, "out.csv")); string(body) != tt.want {
				t.Fatalf("got  %q\nwant %q", body, tt.want)
			}
		})
	}
}

// TestWrittenFieldsFollowTheMappingsOrder: XML elements and CSV columns
// come out in the order the write mapping lists them, not by name.
func TestWrittenFieldsFollowTheMappingsOrder(t *testing.T) {
	order := []string{"Nummer", "Klant", "Klant.Naam", "Klant.Email", "Datum", "Regels", "Regels.Artikel", "Regels.Aantal"}
	data := map[string]any{"Datum": "2026-12-01", "Nummer": "1001", "Klant": map[string]any{"Email": "a@b.nl", "Naam": "Anna"},
		"Regels": []any{map[string]any{"Aantal": 2, "Artikel": "SKU-1"}}}
	for _, tt := range []struct{ format, want string }{
		{FormatXML, "<Nummer>1001</Nummer><Klant><Naam>Anna</Naam><Email>a@b.nl</Email></Klant><Datum>2026-12-01</Datum>" +
			"<Regels><Artikel>SKU-1</Artikel><Aantal>2</Aantal></Regels>"},
		{FormatCSV, "Nummer,Klant,Datum,Regels\n"},
	} {
		dir := t.TempDir()
		c := folderConn(t, dir, nil)
		opts := flowOptions(t, dir, connectors.UseWrite, map[string]any{FieldFormat: tt.format, FieldFileName: "out.{ext}"})
		if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Data: data, Options: opts, FieldOrder: order}); err != nil {
			t.Fatal(err)
		}
		if err := c.Flush(ctx(t)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, "out."+tt.format))
		flat := regexp.MustCompile(`>\s+<`).ReplaceAllString(string(got), "><")
		if err != nil || !strings.Contains(flat, tt.want) {
			t.Errorf("%s: wrote %q (%v), want it to hold %q", tt.format, got, err, tt.want)
		}
	}
}

// TestBadRecordFailsAloneInItsFile checks that a record the format cannot
// hold fails alone, naming the field and the cause, while the records
// around it land in the run's file, and that the writes after the flush
// are not held up by it.
func TestBadRecordFailsAloneInItsFile(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]any
		bad    map[string]any
		want   string
	}{
		{"xml element name", map[string]any{FieldFormat: FormatXML, FieldXMLRoot: "Products", FieldXMLRecord: "Product"},
			map[string]any{"sku": "B", "Zz Extra": "x"}, `field "Zz Extra": "Zz Extra" is not a valid element name`},
		{"xml nested element name", map[string]any{FieldFormat: FormatXML},
			map[string]any{"sku": "B", "attributes": map[string]any{"color name": "red"}}, `field "attributes.color name"`},
		{"xml control character", map[string]any{FieldFormat: FormatXML},
			map[string]any{"sku": "B", "name": "ctrl\x01char"}, `field "name": U+0001 cannot be written in XML`},
		{"csv field outside the columns", map[string]any{FieldColumns: "sku"},
			map[string]any{"sku": "B", "extra": "x"}, `field "extra" is not one of the columns`},
		{"csv character the encoding cannot hold", map[string]any{FieldEncoding: "windows-1252"},
			map[string]any{"sku": "B漢"}, `field "sku": U+6F22`},
		{"json value", map[string]any{FieldFormat: FormatJSON},
			map[string]any{"sku": "B", "price": math.NaN()}, "unsupported value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c := folderConn(t, dir, tt.values)
			write := func(data map[string]any) (string, error) {
				res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Data: data})
				return res.TargetID, err
			}
			name, err := write(map[string]any{"sku": "A"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = write(tt.bad)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if class, _ := connectors.Classify(err); class != connectors.ClassPermanent {
				t.Fatalf("classified %s", class)
			}
			if _, err := write(map[string]any{"sku": "C"}); err != nil {
				t.Fatalf("the record after the bad one: %v", err)
			}
			if err := c.Flush(ctx(t)); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			assertSKUs(t, c, filepath.Join(dir, name), "A C")
			next, err := write(map[string]any{"sku": "D"})
			if err != nil {
				t.Fatalf("a write after the flush: %v", err)
			}
			if err := c.Flush(ctx(t)); err != nil {
				t.Fatalf("the next Flush: %v", err)
			}
			assertSKUs(t, c, filepath.Join(dir, next), "D")
		})
	}
}

// TestUnfinishedFileDoesNotStick checks that a file whose buffer cannot be
// written fails its Prepare, so that the engine writes its records again,
// and that the next writes go to a new file that is published.
func TestUnfinishedFileDoesNotStick(t *testing.T) {
	dir := t.TempDir()
	c := folderConn(t, dir, map[string]any{FieldFormat: FormatXML})
	writeAll(t, c, map[string]any{"sku": "A"})
	c.mu.Lock()
	broken := c.w.name
	_ = c.w.tmp.Close() // the buffer's writes fail from now on
	c.mu.Unlock()
	err := c.Flush(ctx(t))
	if err == nil || !strings.Contains(err.Error(), "finishing "+broken) {
		t.Fatalf("Flush = %v, want an error finishing %s", err, broken)
	}
	if class, _ := connectors.Classify(err); class != connectors.ClassTransient {
		t.Fatalf("classified %s", class)
	}
	ids := writeAll(t, c, map[string]any{"sku": "B"})
	if ids[0] == broken {
		t.Fatalf("the write went to the broken file %s", broken)
	}
	if err := c.Flush(ctx(t)); err != nil {
		t.Fatalf("the next Flush: %v", err)
	}
	if tr := tree(t, dir); tr != ids[0] {
		t.Fatalf("files: %s", tr)
	}
	assertSKUs(t, c, filepath.Join(dir, ids[0]), "B")
}

// assertSKUs reads a written file back with the connection's format and
// checks the skus of its records.
func assertSKUs(t *testing.T, c *flowConn, file, want string) {
	t.Helper()
	o, err := c.options(c.writeOpts, connectors.UseWrite)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec, err := o.decoder(f)
	if err != nil {
		t.Fatal(err)
	}
	var skus []string
	for {
		rec, _, err := dec.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			body, _ := os.ReadFile(file)
			t.Fatalf("reading %s back: %v\n%s", file, err, body)
		}
		skus = append(skus, fmt.Sprint(rec["sku"]))
	}
	if got := strings.Join(skus, " "); got != want {
		t.Fatalf("%s holds %q, want %q", file, got, want)
	}
}

// TestAPerRecordWriteNeverReplacesAFileItDidNotWrite: a flow switched from
// per_run to per_record finds, in its records' xrefs, the run's file as
// their target id. Writing one record under that name would replace the
// whole run's file with one record; the write makes the record's own file
// instead, and a record written again per record replaces only its own.
func TestAPerRecordWriteNeverReplacesAFileItDidNotWrite(t *testing.T) {
	dir := t.TempDir()
	run := folderConn(t, dir, map[string]any{FieldFormat: FormatJSON, FieldFileName: "run-{number}.json"})
	ids := writeAll(t, run, map[string]any{"sku": "A"}, map[string]any{"sku": "B"})
	if err := run.Flush(ctx(t)); err != nil {
		t.Fatal(err)
	}
	runFile := filepath.Join(dir, "run-1.json")
	per := folderConn(t, dir, map[string]any{FieldWriteMode: "per_record", FieldFormat: FormatJSON, FieldFileName: "rec-{sku}-{id}.json"})
	tests := []struct {
		name, targetID, idem, want string
	}{
		{"the run's file", ids[0], "tx1", "rec-A-tx1.json"},
		{"a name an earlier version gave back", "rec-A-old.json", "tx2", "rec-A-tx2.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := per.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, TargetID: tt.targetID,
				IdempotencyKey: tt.idem, Data: map[string]any{"sku": "A", "v": 2}})
			if err != nil {
				t.Fatal(err)
			}
			if err := per.Flush(ctx(t)); err != nil {
				t.Fatal(err)
			}
			if body, _ := os.ReadFile(runFile); !strings.Contains(string(body), `"sku":"B"`) {
				t.Fatalf("the run's file was replaced: %s", body)
			}
			if body, _ := os.ReadFile(filepath.Join(dir, tt.want)); !strings.Contains(string(body), `"v":2`) {
				t.Fatalf("%s: %q (target id %q)", tt.want, body, res.TargetID)
			}
			again, err := per.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, TargetID: res.TargetID,
				IdempotencyKey: tt.idem + "-update", Data: map[string]any{"sku": "A", "v": 3}})
			if err != nil || again.TargetID != res.TargetID {
				t.Fatalf("written again: %v, %v (was %q)", again, err, res.TargetID)
			}
			if err := per.Flush(ctx(t)); err != nil {
				t.Fatal(err)
			}
			if body, _ := os.ReadFile(filepath.Join(dir, tt.want)); !strings.Contains(string(body), `"v":3`) {
				t.Fatalf("the record's own file was not replaced: %s", body)
			}
		})
	}
}
