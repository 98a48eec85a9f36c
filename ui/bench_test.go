package ui

import (
	"net/http"
	"os"
	"strconv"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/app"
)

// BenchmarkActivity measures the server time of the Activity pages with a
// large store: SWITCHBOARD_BENCH_TRANSACTIONS transactions (1,000,000 by
// default) besides the demo's. Filling the store takes a minute or two;
// run it alone:
//
//	go test -run XXX -bench Activity -benchtime 50x ./ui
func BenchmarkActivity(b *testing.B) {
	n, err := strconv.Atoi(os.Getenv("SWITCHBOARD_BENCH_TRANSACTIONS"))
	if err != nil || n <= 0 {
		n = 1_000_000
	}
	e := newEnv(b, false, true)
	fill(b, e, n)
	flow := e.demo.FlowID
	var cursor string
	page, err := e.sb.ListActivity(app.ActivityFilter{}, "", activityPageSize)
	if err == nil && page.Next != "" {
		cursor = page.Next
	}
	for _, bc := range []struct{ name, path string }{
		{"list", "/activity"},
		{"list-next-page", "/activity?after=" + cursor},
		{"failed-of-a-flow", "/activity?flow=" + flow + "&status=failed"},
		{"failed", "/activity?status=failed"},
		{"pending", "/activity?status=pending"},
		{"running", "/activity?status=running"},
		{"search-key", "/activity?key=ORD-0000777777"},
		{"search-key-start", "/activity?key=ORD-000077777"},
		{"search-missing-key", "/activity?key=no-such-order"},
		{"detail", "/activity/" + e.failedTx().Id},
		{"dashboard", "/"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := e.as("viewer")
			for b.Loop() {
				if rec := c.get(bc.path); rec.Code != http.StatusOK {
					b.Fatalf("%s = %d", bc.path, rec.Code)
				}
			}
		})
	}
}

// fill adds n transactions of the demo's flow in one SQL statement: keys
// ORD-0000000001..., one in 50 failed, a second apart, each with the
// payloads of the demo's failed row.
func fill(b *testing.B, e *env, n int) {
	b.Helper()
	var payloads string
	if err := e.app.DB().NewQuery("SELECT payloads FROM transactions WHERE id = {:id}").
		Bind(dbx.Params{"id": e.failedTx().Id}).Row(&payloads); err != nil {
		b.Fatal(err)
	}
	_, err := e.app.DB().NewQuery(`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {:n})
		INSERT INTO transactions (id, flow, run, status, key, source_id, target_id, lane, attempts, next_attempt,
			error, error_class, note, payloads, duration_ms, created, updated)
		SELECT printf('b%014d', i), {:flow}, '', CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'succeeded' END,
			printf('ORD-%010d', i), printf('o%d', i), '', printf('i:o%d', i), 1, '',
			CASE WHEN i % 50 = 0 THEN 'mapping: order: field total: cannot parse "x" as decimal' ELSE '' END,
			CASE WHEN i % 50 = 0 THEN 'permanent' ELSE '' END, '', {:payloads}, 3,
			strftime('%Y-%m-%d %H:%M:%f', 1700000000 + i, 'unixepoch') || 'Z', strftime('%Y-%m-%d %H:%M:%f', 1700000000 + i, 'unixepoch') || 'Z'
		FROM seq`).Bind(dbx.Params{"n": n, "flow": e.demo.FlowID, "payloads": payloads}).Execute()
	if err != nil {
		b.Fatal(err)
	}
}
