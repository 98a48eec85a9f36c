package pb_migrations

import (
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
)

// TestIndexesByIDFindStoredTransactions: after the migration the
// transactions' indexes end in the id and hold no time, the time index is
// gone, and every transaction stored before is found through each index
// newest first, as the time indexes found it; the downgrade brings the
// time indexes back.
func TestIndexesByIDFindStoredTransactions(t *testing.T) {
	app := appBefore(t, "1766300000_indexes_by_id.go")
	// Time-ordered ids, as the engine makes them: the id begins with the
	// millisecond of created.
	statuses := []string{"succeeded", "failed", "succeeded", "pending", "skipped"}
	for i, status := range statuses {
		_, err := app.DB().NewQuery(`INSERT INTO transactions (id, flow, key, status, created, updated)
			VALUES ({:id}, 'f1', 'K1', {:status}, {:created}, {:created})`).
			Bind(dbx.Params{"id": "0mx71qoz" + string(rune('a'+i)) + "000000", "status": status,
				"created": "2026-12-01 10:00:0" + string(rune('0'+i)) + ".000Z"}).Execute()
		if err != nil {
			t.Fatal(err)
		}
	}
	migrateUp(t, app)
	var timeIndexes int
	if err := app.DB().NewQuery(`SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = 'transactions'
		AND type = 'index' AND sql LIKE '%created%'`).Row(&timeIndexes); err != nil {
		t.Fatal(err)
	}
	if timeIndexes != 0 {
		t.Errorf("%d of the transactions' indexes still hold created", timeIndexes)
	}
	for _, ix := range idIndexes {
		where, want := "flow = 'f1' AND key = 'K1'", "0mx71qoze000000,0mx71qozd000000,0mx71qozc000000,0mx71qozb000000,0mx71qoza000000"
		if ix.byStatus {
			where, want = "flow = 'f1' AND status = 'failed'", "0mx71qozb000000"
		}
		var ids []string
		if err := app.DB().NewQuery(`SELECT id FROM transactions INDEXED BY ` + ix.name + ` WHERE ` + where +
			` ORDER BY id DESC`).Column(&ids); err != nil {
			t.Fatalf("%s cannot be read: %v", ix.name, err)
		}
		if got := strings.Join(ids, ","); got != want {
			t.Errorf("%s finds %v; want %v", ix.name, got, want)
		}
	}
	if err := indexesByIDDown(app); err != nil {
		t.Fatalf("downgrading: %v", err)
	}
	var sql string
	if err := app.DB().NewQuery(`SELECT sql FROM sqlite_master WHERE name = 'idx_tx_created'`).Row(&sql); err != nil {
		t.Fatalf("after the downgrade idx_tx_created is missing: %v", err)
	}
}
