package files

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOneFileNeverStopsTheRun checks that XML files ending before or inside
// their root element go to the error folder with their reason, and the
// other files of the run are read.
func TestOneFileNeverStopsTheRun(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.xml", `<r`)
	write(t, dir, "b.xml", `<?xml version="1.0"?><!-- cut`)
	write(t, dir, "c.xml", `<r><p><sku>C1</sku></p><p a="`)
	write(t, dir, "d.xml", `<r><p><sku>D1</sku></p></r>`)
	got := read(t, folderConn(t, dir, map[string]any{FieldFormat: FormatXML, FieldKeyField: "sku"}), "", 10, -1)
	want := []string{
		"a.xml ERR a.xml cannot be read: xml: line 1: the file ends before its root element is complete: unexpected EOF",
		"b.xml ERR b.xml cannot be read: xml: line 1: the file ends before its root element is complete: unexpected EOF",
		"C1 sku=C1",
		"c.xml ERR c.xml cannot be read: xml: line 1: the file ends inside <r>: unexpected EOF",
		"D1 sku=D1",
	}
	if strings.Join(got.records, "\n") != strings.Join(want, "\n") {
		t.Fatalf("records\n%s\nwant\n%s", strings.Join(got.records, "\n"), strings.Join(want, "\n"))
	}
	if tr := tree(t, dir); tr != "archive/d.xml error/a.xml error/a.xml.error.txt error/b.xml error/b.xml.error.txt error/c.xml error/c.xml.error.txt" {
		t.Fatalf("files: %s", tr)
	}
}

// TestAPanickingReaderFailsOnlyItsFile checks that a panic in a decoder
// becomes the file's error instead of ending the run.
func TestAPanickingReaderFailsOnlyItsFile(t *testing.T) {
	var logs bytes.Buffer
	c := folderConn(t, t.TempDir(), nil)
	c.logger = slog.New(slog.NewTextHandler(&logs, nil))
	s := &stream{c: c.Conn, file: &openFile{candidate: candidate{orig: "a.csv"}}}
	err := func() (err error) {
		defer s.contain(&err)
		var list []int
		_ = list[len(list)-1]
		return nil
	}()
	if err == nil || !strings.Contains(err.Error(), "the reader failed on this file: runtime error: index out of range [-1]") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(logs.String(), "a file reader panicked") || !strings.Contains(logs.String(), "file=a.csv") {
		t.Fatalf("log: %s", logs.String())
	}
}

// longName returns a name of n bytes ending in ext.
func longName(n int, fill, ext string) string {
	name := strings.Repeat(fill, (n-len(ext))/len(fill))
	return name + strings.Repeat("x", n-len(ext)-len(name)) + ext
}

// TestLongFileNames checks that files whose names leave no room for the
// claim suffix, the archive time stamp or the error report's name are read
// and moved on under their own names.
func TestLongFileNames(t *testing.T) {
	names := []string{longName(228, "a", ".csv"), longName(240, "b", ".csv"), longName(255, "c", ".csv"), longName(254, "é", ".csv")}
	dir := t.TempDir()
	for i, n := range names {
		write(t, dir, n, fmt.Sprintf("sku\nS%d\n", i))
	}
	got := read(t, folderConn(t, dir, map[string]any{FieldKeyField: "sku"}), "", 10, -1)
	if strings.Join(got.records, "|") != "S0 sku=S0|S1 sku=S1|S2 sku=S2|S3 sku=S3" {
		t.Fatalf("records %q", got.records)
	}
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(dir, "archive", n)); err != nil {
			t.Fatalf("not archived under its name: %v", err)
		}
	}
	// the same names again: the archive adds a time stamp, which must fit
	for i, n := range names {
		write(t, dir, n, fmt.Sprintf("sku\nT%d\n", i))
	}
	again := read(t, folderConn(t, dir, map[string]any{FieldKeyField: "sku"}), "", 10, -1)
	if len(again.records) != 4 {
		t.Fatalf("second run: %q", again.records)
	}
	if archived, _ := os.ReadDir(filepath.Join(dir, "archive")); len(archived) != 8 {
		t.Fatalf("%d files archived, want 8", len(archived))
	}
	// a bad file: its error report's name must fit too
	bad := longName(250, "d", ".csv")
	write(t, dir, bad, "")
	failed := read(t, folderConn(t, dir, nil), "", 10, -1)
	if len(failed.records) != 1 || !strings.Contains(failed.records[0], "no header row") {
		t.Fatalf("bad file: %q", failed.records)
	}
	reports, _ := filepath.Glob(filepath.Join(dir, "error", "*.error.txt"))
	if _, err := os.Stat(filepath.Join(dir, "error", bad)); err != nil || len(reports) != 1 {
		t.Fatalf("error folder: %v, reports %q", err, reports)
	}
}

// TestLongFileNameResumesAfterACrash checks that a long-named file left in
// the processing folder by a run that committed part of it is taken up
// again under its own name, after the committed records.
func TestLongFileNameResumesAfterACrash(t *testing.T) {
	dir := t.TempDir()
	name := longName(250, "a", ".csv")
	var b strings.Builder
	b.WriteString("n\n")
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&b, "%d\n", i)
	}
	write(t, dir, name, b.String())
	first := read(t, folderConn(t, dir, nil), "", 4, 1)
	second := read(t, folderConn(t, dir, nil), first.cursor, 4, -1)
	all := append(first.records, second.records...)
	if len(all) != 10 || all[4] != name+":6 n=5" {
		t.Fatalf("records over two runs: %q", all)
	}
	if tr := tree(t, dir); tr != "archive/"+name {
		t.Fatalf("files: %s", tr)
	}
}

// TestRowsWithoutDataAreSkippedAndCounted checks that blank and empty CSV
// rows are not failures, and that their number is logged.
func TestRowsWithoutDataAreSkippedAndCounted(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "sku;name;qty\nA1;x;1\n\n;;\n;;;\n  ; ;\nA2;y;2\n")
	var logs bytes.Buffer
	c := folderConn(t, dir, map[string]any{FieldKeyField: "sku"})
	c.logger = slog.New(slog.NewTextHandler(&logs, nil))
	got := read(t, c, "", 10, -1)
	if strings.Join(got.records, "|") != "A1 name=x,qty=1,sku=A1|A2 name=y,qty=2,sku=A2" {
		t.Fatalf("records %q", got.records)
	}
	if !strings.Contains(logs.String(), `msg="rows without data skipped" file=a.csv rows=4`) {
		t.Fatalf("log: %s", logs.String())
	}
}

// TestDuplicateColumns checks that a header naming a column twice refuses
// the file unless the connection asks for renaming.
func TestDuplicateColumns(t *testing.T) {
	tests := []struct {
		values map[string]any
		want   string
	}{
		{nil, `p.csv ERR p.csv cannot be read: csv: line 1: header: column 3 repeats the name "sku" of column 1 (rename one, or set duplicate columns to rename)`},
		{map[string]any{FieldDuplicateColumns: "rename"}, "p.csv:2 name=x,sku=A1,sku_2=A2"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		write(t, dir, "p.csv", "sku,name,sku\nA1,x,A2\n")
		got := read(t, folderConn(t, dir, tt.values), "", 10, -1)
		if strings.Join(got.records, "|") != tt.want {
			t.Fatalf("got %q\nwant %q", got.records, tt.want)
		}
	}
}

// TestAFileLikeAnImportedOneIsReadWhenItsContentDiffers: a new file with
// the name, size and modification second of one already imported (a
// sender that keeps times) is read, not moved on unread; the imported file
// itself, left where it was by a crash after its commit, is still moved on
// without being read again.
func TestAFileLikeAnImportedOneIsReadWhenItsContentDiffers(t *testing.T) {
	dir := t.TempDir()
	stamp := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	place := func(body string) {
		t.Helper()
		write(t, dir, "u.csv", body)
		if err := os.Chtimes(filepath.Join(dir, "u.csv"), stamp, stamp); err != nil {
			t.Fatal(err)
		}
	}
	place("sku\nU1\n")
	first := read(t, folderConn(t, dir, nil), "", 10, -1)
	if len(first.records) != 1 {
		t.Fatalf("first file: %q", first.records)
	}
	place("sku\nU2\n") // the same size and time, other content
	second := read(t, folderConn(t, dir, nil), first.cursor, 10, -1)
	if len(second.records) != 1 || !strings.Contains(second.records[0], "U2") {
		t.Fatalf("a file like the imported one, with other content: %q", second.records)
	}
	place("sku\nU3\n")
	third := read(t, folderConn(t, dir, nil), second.cursor, 10, 1) // committed, then a crash before it moved on
	if len(third.records) != 1 {
		t.Fatalf("third file: %q", third.records)
	}
	again := read(t, folderConn(t, dir, nil), third.cursor, 10, -1)
	if len(again.records) != 0 {
		t.Fatalf("the committed file was read again: %q", again.records)
	}
	if tr := tree(t, dir); strings.Count(tr, "archive/") != 3 || strings.Contains(tr, "processing") {
		t.Fatalf("files: %s", tr)
	}
}

// TestRecordsOnOneLineHaveTheirOwnKeys checks that records of a JSON or
// XML file written on one line get keys of their own (the line, and the
// record's number on it after the first), also when a run resumes in the
// middle of the line.
func TestRecordsOnOneLineHaveTheirOwnKeys(t *testing.T) {
	tests := []struct {
		name, file, body string
		options          map[string]any
	}{
		{"JSON", "a.json", `[{"n":"1"},{"n":"2"},{"n":"3"}]`, map[string]any{FieldFormat: "json", FieldPattern: "*.json"}},
		{"XML", "a.xml", `<Items><Item><n>1</n></Item><Item><n>2</n></Item><Item><n>3</n></Item></Items>`,
			map[string]any{FieldFormat: "xml", FieldPattern: "*.xml", FieldRecordPath: "/Items/Item"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tt.file, tt.body)
			first := read(t, folderConn(t, dir, tt.options), "", 2, 1)
			second := read(t, folderConn(t, dir, tt.options), first.cursor, 2, -1)
			all := append(first.records, second.records...)
			want := []string{tt.file + ":1 n=1", tt.file + ":1#2 n=2", tt.file + ":1#3 n=3"}
			if fmt.Sprint(all) != fmt.Sprint(want) {
				t.Fatalf("records over two runs: %q, want %q", all, want)
			}
		})
	}
}
