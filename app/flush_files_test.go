package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/connectors"
)

// writeFolder points the flow's target at a folder connection writing
// NDJSON files, with extra target options, into the files root's
// sub-folder dir, which is returned.
func (fe *flowEnv) writeFolder(t *testing.T, dir string, options map[string]any) string {
	t.Helper()
	root, err := CreateFilesDir(fe.app.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(root, dir)
	if err := os.MkdirAll(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	target := map[string]any{"format": "ndjson"}
	for k, v := range options {
		target[k] = v
	}
	fe.pointTarget(t, fe.saveConnection(t, "Shop files", "folder", map[string]any{"folder": dir}, nil))
	fe.flow.Set("options", map[string]any{"target": target})
	if err := fe.app.Save(fe.flow); err != nil {
		t.Fatal(err)
	}
	return folder
}

// writtenSKUs counts, by SKU, the records in the visible files of folder,
// and returns the number of records of the fullest file.
func writtenSKUs(t *testing.T, folder string) (map[string]int, int) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(folder, "*.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	seen, fullest := map[string]int{}, 0
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for sc := bufio.NewScanner(f); sc.Scan(); n++ {
			var rec map[string]any
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			seen[fmt.Sprint(rec["sku"])]++
		}
		_ = f.Close()
		fullest = max(fullest, n)
	}
	return seen, fullest
}

// publishedSKUs waits until the files in folder hold n SKUs and returns
// what writtenSKUs does: a flush publishes its file just after the commit
// that records its rows succeeded, so the last file can appear a moment
// after they do.
func publishedSKUs(t *testing.T, folder string, n int) (map[string]int, int) {
	t.Helper()
	var seen map[string]int
	var fullest int
	eventually(t, fmt.Sprintf("%d SKUs published", n), func() bool {
		seen, fullest = writtenSKUs(t, folder)
		return len(seen) >= n
	})
	return seen, fullest
}

// waitSucceededSlowly waits up to 3 minutes for n of the flow's
// transactions to succeed: a backlog on a busy machine, under the race
// detector, takes far longer than waitStatuses allows.
func (fe *flowEnv) waitSucceededSlowly(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for fe.statuses(t)[StatusSucceeded] < n {
		if time.Now().After(deadline) {
			t.Fatalf("%v after 3 minutes, want %d succeeded", fe.statuses(t), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestABacklogIsFlushedWhileItLastsAndWrittenOnce: a backlog goes to a file
// target exactly once, with a lease of 2 seconds that a busy machine's
// backlog outlasts many times: held writes keep their lease (see
// TestHeldTransactionsAreNotClaimedAgain), and are flushed by count or by
// age while the backlog lasts, not only once it is gone, so a file holds
// no more than a flush's worth.
func TestABacklogIsFlushedWhileItLastsAndWrittenOnce(t *testing.T) {
	tests := []struct {
		name         string
		records, age int
		most         int // records a file may hold
	}{
		{"flushed by count", 300, int(time.Hour / time.Millisecond), 300 + fastEngine.Workers},
		// An age of a millisecond: a fast machine drains the backlog within
		// a few dozen, and a longer age could outlast it.
		{"flushed by age", 1 << 30, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fastEngine
			cfg.Lease, cfg.FlushRecords, cfg.FlushAge = 2*time.Second, tt.records, time.Duration(tt.age)*time.Millisecond
			fe := newFlowEnvWith(t, cfg, connectors.Product, nil)
			folder := fe.writeFolder(t, "shop", nil)
			const n = 2000
			for i := range n {
				fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%04d", i), "Chair"))
			}
			fe.run(t)
			fe.waitSucceededSlowly(t, n) // a busy machine takes far longer than the lease
			seen, fullest := publishedSKUs(t, folder, n)
			for i := range n {
				if sku := fmt.Sprintf("SKU-%04d", i); seen[sku] != 1 {
					t.Fatalf("%s written %d times (%d SKUs in the files)", sku, seen[sku], len(seen))
				}
			}
			if len(seen) != n {
				t.Fatalf("%d SKUs written, want %d", len(seen), n)
			}
			if tt.most > 0 && fullest > tt.most {
				t.Fatalf("a file holds %d records: a flush by count holds at most %d", fullest, tt.most)
			}
			if fullest == n {
				t.Fatalf("all %d records in one file: the writes were held until the backlog was gone", n)
			}
		})
	}
}

// TestAStartPublishesWhatWasCommitted: files whose writes were committed
// but which a stopped process did not rename into place are published by
// the next start, even when nothing more is written to the target.
func TestAStartPublishesWhatWasCommitted(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	folder := fe.writeFolder(t, "shop", map[string]any{"file_name": "products.ndjson"})
	fe.leaveCommitted(t, product("SKU-1", "Chair"), map[string]any{"format": "ndjson", "file_name": "products.ndjson"})
	if seen, _ := writtenSKUs(t, folder); len(seen) != 0 {
		t.Fatalf("visible before the start: %v", seen)
	}
	fe.sb.engine.Stop()
	fe.sb.engine = newEngine(fe.sb, fastEngine)
	if err := fe.sb.engine.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fe.sb.engine.Stop)
	eventually(t, "the committed file to be published", func() bool {
		seen, _ := writtenSKUs(t, folder)
		return seen["SKU-1"] == 1
	})
	eventually(t, "the entry to be forgotten", func() bool {
		n, _ := fe.app.CountRecords("sb_meta", dbx.NewExp("key LIKE {:p}", dbx.Params{"p": publishKeyPrefix + "%"}))
		return n == 0
	})
}

// leaveCommitted writes a record to the flow's target and prepares it, and
// records what was prepared as committed, dated a minute ago: as a process
// stopped between the commit and the publish leaves it.
func (fe *flowEnv) leaveCommitted(t *testing.T, data, options map[string]any) {
	t.Helper()
	target, err := fe.app.FindRecordById(connectionsCollection, fe.flow.GetString("target"))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := fe.sb.OpenConnection(target)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	reg, _ := fe.sb.registry.Lookup(target.GetString("connector"))
	resolved, err := reg.Spec.ResolveFlow(connectors.UseWrite, options)
	if err != nil {
		t.Fatal(err)
	}
	req := connectors.WriteRequest{Entity: connectors.Product, Data: data, Options: resolved}
	if _, err := conn.(connectors.Writer).Write(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	prepared, err := conn.(connectors.Publisher).Prepare(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	value, _ := json.Marshal(publishRecord{Flow: fe.flow.Id, Target: target.Id, Prepared: prepared})
	earlier := sqlTime(time.Now().Add(-time.Minute))
	_, err = fe.app.DB().NewQuery(`INSERT INTO sb_meta (id, key, value, created, updated) VALUES ({:id}, {:key}, {:value}, {:t}, {:t})`).
		Bind(dbx.Params{"id": newID(), "key": publishKeyPrefix + newID(), "value": string(value), "t": earlier}).Execute()
	if err != nil {
		t.Fatal(err)
	}
}
