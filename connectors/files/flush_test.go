package files

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// outputRecords counts the records in the written CSV files of dir/out.
func outputRecords(t *testing.T, dir string) (records, files int) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "out", "*.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		body, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		records += strings.Count(string(body), "\n") - 1 // less the header
	}
	return records, len(names)
}

func TestPerRunFilesFlushedInOneSecondKeepTheirRecords(t *testing.T) {
	tests := []struct {
		name     string
		template string
	}{
		{"default template", ""},
		{"number", "products-{date}-{number}.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			values := map[string]any{FieldOutputFolder: "out", FieldColumns: "sku"}
			if tt.template != "" {
				values[FieldFileName] = tt.template
			}
			c := folderConn(t, dir, values)
			var ids []string
			for i := range 3 {
				ids = append(ids, writeAll(t, c, map[string]any{"sku": fmt.Sprint("P", i)})...)
				if err := c.Flush(ctx(t)); err != nil {
					t.Fatal(err)
				}
			}
			if ids[0] == ids[1] || ids[1] == ids[2] {
				t.Errorf("files of one connection share a name: %q", ids)
			}
			if n, _ := outputRecords(t, dir); n != 3 {
				t.Fatalf("%d of 3 records in the written files: a later file replaced an earlier one", n)
			}
		})
	}
}

func TestFlushDuringWritesLosesNoRecord(t *testing.T) {
	dir := t.TempDir()
	c := folderConn(t, dir, map[string]any{FieldOutputFolder: "out", FieldColumns: "sku"})
	const writers, each = 4, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				req := connectors.WriteRequest{Entity: connectors.Product, Data: map[string]any{"sku": fmt.Sprintf("P%d-%d", w, i)}}
				if _, err := c.Write(ctx(t), req); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for flushing := true; flushing; {
		select {
		case <-done:
			flushing = false
		default:
		}
		if err := c.Flush(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	if n, files := outputRecords(t, dir); n != writers*each {
		t.Fatalf("%d of %d records in %d written files", n, writers*each, files)
	}
}
