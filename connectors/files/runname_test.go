package files

import (
	"strings"
	"testing"
)

// TestRunNamesEachFileApart: the connection is kept from one run to the
// next, so {run} in a file name template is new for each file; a
// template of only {run} ("orders-{run}.csv") names the next run's file
// apart instead of replacing the last run's.
func TestRunNamesEachFileApart(t *testing.T) {
	dir := t.TempDir()
	c := folderConn(t, dir, map[string]any{FieldOutputFolder: "out", FieldFileName: "orders-{run}.csv"})
	for _, rec := range []map[string]any{{"number": "SO-1"}, {"number": "SO-2"}} {
		writeAll(t, c, rec)
		if err := c.Flush(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	if files := strings.Fields(tree(t, dir)); len(files) != 2 {
		t.Fatalf("after two runs the folder holds %q, want a file of each", files)
	}
}
