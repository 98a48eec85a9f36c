package pb_migrations

import (
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
)

// TestStatusIndexesLeaveOutRunningTransactions: after the migration (and
// 1765900000's, which leaves out succeeded ones too) the two status
// indexes of Activity leave out running transactions, and transactions
// stored before are still found by status through them.
func TestStatusIndexesLeaveOutRunningTransactions(t *testing.T) {
	app := appBefore(t, "1765800000_status_indexes_not_running.go")
	for i, status := range []string{"pending", "running", "failed", "succeeded", "retrying"} {
		_, err := app.DB().NewQuery(`INSERT INTO transactions (id, flow, status, created, updated)
			VALUES ({:id}, 'f1', {:status}, {:now}, {:now})`).
			Bind(dbx.Params{"id": "tx00000000000" + string(rune('a'+i)), "status": status, "now": "2026-12-01 10:00:00.000Z"}).Execute()
		if err != nil {
			t.Fatal(err)
		}
	}
	migrateUpTo(t, app, "1766300000_indexes_by_id.go") // which drops these indexes
	for _, index := range []string{"idx_tx_status_created", "idx_tx_flow_status_created"} {
		var sql string
		if err := app.DB().NewQuery(`SELECT sql FROM sqlite_master WHERE name = {:name}`).
			Bind(dbx.Params{"name": index}).Row(&sql); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(sql, "WHERE "+attentionStatuses) {
			t.Errorf("%s is %s; want WHERE %s", index, sql, attentionStatuses)
		}
		for _, status := range []string{"pending", "failed"} {
			var inIndex int
			if err := app.DB().NewQuery(`SELECT COUNT(*) FROM transactions INDEXED BY ` + index +
				` WHERE flow = 'f1' AND status = '` + status + `'`).Row(&inIndex); err != nil {
				t.Fatalf("%s cannot be read for %s: %v", index, status, err)
			}
			if inIndex != 1 {
				t.Errorf("%s finds %d %s transactions; want 1", index, inIndex, status)
			}
		}
	}
}
