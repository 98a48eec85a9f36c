package pb_migrations

import (
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
)

// TestTimeIndexesBecomeAscending: after the migration the transactions'
// time indexes are ascending, the status indexes leave out succeeded
// transactions, and every transaction stored before is found through them
// newest first, as before.
func TestTimeIndexesBecomeAscending(t *testing.T) {
	app := appBefore(t, "1765900000_ascending_indexes.go")
	statuses := []string{"succeeded", "failed", "succeeded", "pending", "skipped"}
	for i, status := range statuses {
		_, err := app.DB().NewQuery(`INSERT INTO transactions (id, flow, key, status, created, updated)
			VALUES ({:id}, 'f1', 'K1', {:status}, {:created}, {:created})`).
			Bind(dbx.Params{"id": "tx00000000000" + string(rune('a'+i)), "status": status,
				"created": "2026-12-01 10:00:0" + string(rune('0'+i)) + ".000Z"}).Execute()
		if err != nil {
			t.Fatal(err)
		}
	}
	migrateUpTo(t, app, "1766300000_indexes_by_id.go") // which drops these indexes
	for _, ix := range timeIndexes {
		var sql string
		if err := app.DB().NewQuery(`SELECT sql FROM sqlite_master WHERE name = {:name}`).
			Bind(dbx.Params{"name": ix.name}).Row(&sql); err != nil {
			t.Fatalf("%s: %v", ix.name, err)
		}
		if strings.Contains(sql, "DESC") {
			t.Errorf("%s is %s; want it ascending", ix.name, sql)
		}
		where, want := "flow = 'f1' AND key = 'K1'", []string{"tx00000000000e", "tx00000000000d", "tx00000000000c", "tx00000000000b", "tx00000000000a"}
		if ix.byStatus {
			where, want = "flow = 'f1' AND status = 'failed'", []string{"tx00000000000b"}
		}
		var ids []string
		if err := app.DB().NewQuery(`SELECT id FROM transactions INDEXED BY ` + ix.name + ` WHERE ` + where +
			` ORDER BY created DESC, id DESC`).Column(&ids); err != nil {
			t.Fatalf("%s cannot be read: %v", ix.name, err)
		}
		if strings.Join(ids, ",") != strings.Join(want, ",") {
			t.Errorf("%s finds %v; want %v", ix.name, ids, want)
		}
	}
	if err := ascendingIndexesDown(app); err != nil {
		t.Fatalf("downgrading: %v", err)
	}
	var sql string
	if err := app.DB().NewQuery(`SELECT sql FROM sqlite_master WHERE name = 'idx_tx_status_created'`).Row(&sql); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sql, "DESC") || !strings.HasSuffix(sql, "WHERE "+indexedStatuses) {
		t.Errorf("after the downgrade idx_tx_status_created is %s", sql)
	}
}
