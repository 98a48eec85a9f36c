package files

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rows returns a CSV body of rows numbered from..to, without a header.
func rows(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		fmt.Fprintf(&b, "%d,row %d\n", i, i)
	}
	return b.String()
}

// countRows checks that the records read hold each of rows 1..n exactly
// once and nothing else, and no error.
func countRows(t *testing.T, records []string, n int) {
	t.Helper()
	seen := map[string]int{}
	for _, r := range records {
		if strings.Contains(r, " ERR ") {
			t.Fatalf("an error record: %s", r)
		}
		i := strings.Index(r, " n=")
		if i < 0 {
			t.Fatalf("record %q has no n", r)
		}
		seen[strings.SplitN(r[i+3:], ",", 2)[0]]++
	}
	for i := 1; i <= n; i++ {
		if k := fmt.Sprint(i); seen[k] != 1 {
			t.Fatalf("row %d read %d times (%d records for %d rows)", i, seen[k], len(records), n)
		}
	}
	if len(records) != n {
		t.Fatalf("%d records for %d rows", len(records), n)
	}
}

// claimed returns the path of the one file in dir's processing folder.
func claimed(t *testing.T, dir string) string {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(dir, "processing", "*"+claimMark+"*"))
	if len(names) != 1 {
		t.Fatalf("claimed files: %q, want one", names)
	}
	return names[0]
}

// TestAGrowingLocalFileIsReadWhole: a writer appends 20,000 rows to a file
// at a steady pace while runs go on reading the folder; every row is read
// exactly once, none lost to a run that took the file half written.
func TestAGrowingLocalFileIsReadWhole(t *testing.T) {
	dir := t.TempDir()
	const total = 20000
	f, err := os.Create(filepath.Join(dir, "stock.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("n,name\n"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { // a sender writing 100 rows every 10 ms, its file kept open
		defer f.Close()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for from := 1; from <= total; from += 100 {
			<-tick.C
			if _, err := f.WriteString(rows(from, from+99)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	values := map[string]any{FieldSettleTime: "1s", FieldPattern: "*.csv"}
	var records []string
	cursor := ""
	for writing := true; writing || len(records) < total; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			writing = false
		default:
		}
		got := read(t, folderConn(t, dir, values), cursor, 500, -1)
		records, cursor = append(records, got.records...), got.cursor
		if !writing && len(got.records) == 0 && len(records) < total {
			break // the file is whole and nothing more comes
		}
	}
	countRows(t, records, total)
	if tr := tree(t, dir); tr != "archive/stock.csv" {
		t.Fatalf("files: %s", tr)
	}
}

// TestAFileThatGrowsWhileReadIsReadOn: a file appended to after it was
// claimed, its last row cut off, is not archived as complete: the rows read
// are taken but the cut one, and a later run reads on from there once the
// file is whole.
func TestAFileThatGrowsWhileReadIsReadOn(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "n,name\n"+rows(1, 10))
	c := folderConn(t, dir, nil)
	stream, cursor, first := startReading(t, c, 4)     // rows 1 to 4
	appendTo(t, claimed(t, dir), rows(11, 12)+"13,ro") // the sender goes on, and pauses in a row
	rest := readRest(t, stream, &cursor)
	if tr := tree(t, dir); !strings.HasPrefix(tr, "processing/a.csv"+claimMark) {
		t.Fatalf("a file that changed while it was read was moved on: %s", tr)
	}
	appendTo(t, claimed(t, dir), "w 13\n"+rows(14, 15))
	again := read(t, folderConn(t, dir, nil), cursor, 4, -1)
	countRows(t, append(append(first, rest...), again.records...), 15)
	if tr := tree(t, dir); tr != "archive/a.csv" {
		t.Fatalf("files: %s", tr)
	}
}

// TestAFileCutShortWhileReadGoesToTheErrorFolder: a file cut short after it
// was claimed is not archived as complete; the next run finds it no longer
// starts with what was read and moves it to the error folder, saying so.
func TestAFileCutShortWhileReadGoesToTheErrorFolder(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "n,name\n"+rows(1, 10))
	c := folderConn(t, dir, nil)
	stream, cursor, _ := startReading(t, c, 4)
	if err := os.Truncate(claimed(t, dir), 20); err != nil {
		t.Fatal(err)
	}
	readRest(t, stream, &cursor)
	if tr := tree(t, dir); !strings.HasPrefix(tr, "processing/a.csv"+claimMark) {
		t.Fatalf("a file cut short while it was read was moved on: %s", tr)
	}
	again := read(t, folderConn(t, dir, nil), cursor, 4, -1)
	want := "a.csv ERR a.csv cannot be read: " + errRewritten.Error()
	if len(again.records) != 1 || !strings.HasPrefix(again.records[0], want) || !strings.Contains(again.records[0], "cut short") {
		t.Fatalf("records %q, want one starting %q", again.records, want)
	}
	if tr := tree(t, dir); tr != "error/a.csv error/a.csv.error.txt" {
		t.Fatalf("files: %s", tr)
	}
}

// startReading reads the first page of a folder and commits it.
func startReading(t *testing.T, c *flowConn, pageSize int) (*stream, string, []string) {
	t.Helper()
	s, err := c.Read(ctx(t), readRequest(pageSize))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	page, err := s.Next(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	return s.(*stream), page.Cursor, keys(page.Records)
}

// readRest reads a stream to its end as the engine does, moving cursor.
func readRest(t *testing.T, s *stream, cursor *string) []string {
	t.Helper()
	var out []string
	for {
		page, err := s.Next(ctx(t))
		if err != nil {
			return out
		}
		out = append(out, keys(page.Records)...)
		*cursor = page.Cursor
		if page.Ack != nil {
			if err := page.Ack(ctx(t)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func appendTo(t *testing.T, name, text string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
