package files

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSendersConventionsSayWhenAFileIsComplete: with a ready marker, a file
// is read only once its marker (NAME.done or STEM.done) is there and not
// older than the file, and the marker is removed; files under a temporary
// name are never read.
func TestSendersConventionsSayWhenAFileIsComplete(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "n\nA\n")      // no marker yet
	write(t, dir, "b.csv", "n\nB\n")      // marked complete
	write(t, dir, "b.csv.done", "")       //
	write(t, dir, "c.csv", "n\nC\n")      // marked by its stem
	write(t, dir, "c.done", "")           //
	write(t, dir, "d.csv", "n\nD\n")      // a marker left from an earlier d.csv
	write(t, dir, "d.csv.done", "")       //
	write(t, dir, "e.csv.part", "n\nE\n") // an upload under a temporary name
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "d.csv.done"), old, old); err != nil {
		t.Fatal(err)
	}
	values := map[string]any{FieldReadyMarker: ".done", FieldSettleTime: "1h"} // the marker, not the settle time, decides
	got := read(t, folderConn(t, dir, values), "", 10, -1)
	if strings.Join(got.records, "|") != "b.csv:2 n=B|c.csv:2 n=C" {
		t.Fatalf("read %q, want b.csv and c.csv", got.records)
	}
	if tr := tree(t, dir); tr != "a.csv archive/b.csv archive/c.csv d.csv d.csv.done e.csv.part" {
		t.Fatalf("files: %s", tr)
	}
	write(t, dir, "a.done", "")
	again := read(t, folderConn(t, dir, values), got.cursor, 10, -1)
	if strings.Join(again.records, "|") != "a.csv:2 n=A" {
		t.Fatalf("after a's marker: %q", again.records)
	}
	if err := os.Remove(filepath.Join(dir, "d.csv.done")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, folderConn(t, dir, nil), again.cursor, 10, -1); strings.Join(got.records, "|") != "d.csv:2 n=D" {
		t.Fatalf("without a marker, with the default temporary names: %q", got.records)
	}
}
