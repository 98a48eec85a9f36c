package app

import (
	"fmt"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// BenchmarkActivityPages reads pages of Activity from a history of
// SB_BENCH_ROWS transactions (100,000 unless set), stored over as many
// seconds by four flows, one in fifty failed, as the engine stores them
// (ids made from their time): the first page, a page deep in the history,
// one flow's, the failed ones', one key's, and one hour's.
func BenchmarkActivityPages(b *testing.B) {
	env := newTestEnv(b)
	n := benchRows(b)
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	seedHistory(b, env, n, base)
	var deep string
	if err := env.app.DB().NewQuery("SELECT id FROM transactions ORDER BY id LIMIT 1 OFFSET {:n}").
		Bind(dbx.Params{"n": n / 10}).Row(&deep); err != nil {
		b.Fatal(err)
	}
	middle := base.Add(time.Duration(n/2) * time.Second)
	pages := []struct {
		name   string
		filter ActivityFilter
		cursor string
	}{
		{"first", ActivityFilter{}, ""},
		{"deep", ActivityFilter{}, encodeCursor(deep)},
		{"flow", ActivityFilter{Flow: "flow00000000002"}, ""},
		{"failed", ActivityFilter{Status: StatusFailed}, ""},
		{"key", ActivityFilter{Key: fmt.Sprintf("ORD-%07d", n/3)}, ""},
		{"hour", ActivityFilter{From: middle, To: middle.Add(time.Hour)}, ""},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				page, err := env.sb.ListActivity(p.filter, p.cursor, 50)
				if err != nil || len(page.Rows) == 0 {
					b.Fatalf("%d rows, %v", len(page.Rows), err)
				}
			}
		})
	}
}

// seedHistory stores n finished transactions, one a second from base.
func seedHistory(b *testing.B, env *testEnv, n int, base time.Time) {
	b.Helper()
	err := env.app.RunInTransaction(func(tx core.App) error {
		q := tx.DB().NewQuery(`INSERT INTO transactions (id, flow, run, status, key, source_id, created, updated, payloads)
			VALUES ({:id}, {:flow}, 'run', {:status}, {:key}, {:key}, {:at}, {:at}, x'0100')`).Prepare()
		defer q.Close()
		for i := range n {
			at := base.Add(time.Duration(i) * time.Second)
			status := StatusSucceeded
			if i%50 == 0 {
				status = StatusFailed
			}
			_, err := q.Bind(dbx.Params{"id": idAt(at), "flow": fmt.Sprintf("flow%011d", i%4), "status": status,
				"key": fmt.Sprintf("ORD-%07d", i), "at": sqlTime(at)}).Execute()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
