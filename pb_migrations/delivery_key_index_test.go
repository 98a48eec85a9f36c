package pb_migrations

import (
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// recordDelivery inserts a delivery as the intake does, skipped when
// either of its keys was seen for the flow; it reports whether it was new.
func recordDelivery(t *testing.T, app core.App, id, delivery, content string) bool {
	t.Helper()
	res, err := app.DB().NewQuery(`INSERT INTO deliveries (id, flow, delivery, content, created)
		VALUES ({:id}, 'f1', {:delivery}, {:content}, '') ON CONFLICT DO NOTHING`).
		Bind(dbx.Params{"id": id, "delivery": delivery, "content": content}).Execute()
	if err != nil {
		t.Fatal(err)
	}
	n, _ := res.RowsAffected()
	return n == 1
}

// recordOldDelivery inserts a delivery as the intake did before migration
// 1765900060, with an `updated` time.
func recordOldDelivery(t *testing.T, app core.App, id, delivery, content string) {
	t.Helper()
	_, err := app.DB().NewQuery(`INSERT INTO deliveries (id, flow, delivery, content, created, updated)
		VALUES ({:id}, 'f1', {:delivery}, {:content}, '', '')`).
		Bind(dbx.Params{"id": id, "delivery": delivery, "content": content}).Execute()
	if err != nil {
		t.Fatal(err)
	}
}

// Content keys of bodies as the intake wrote them before migration
// 1765900060 (all of the SHA-256) and writes them since (its first half).
const (
	sumA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0000000000000000000000000000000a"
	sumC = "cccccccccccccccccccccccccccccccc0000000000000000000000000000000c"
	sumD = "dddddddddddddddddddddddddddddddd0000000000000000000000000000000d"
)

func oldKey(sum string) string { return "sha256:" + sum }
func newKey(sum string) string { return "s:" + sum[:32] }

// TestDeliveryKeyIndexLeavesOutContentKeys: after the migrations that
// change the collection `deliveries` (before seen_deliveries took its
// place), a call
// without a delivery id has no entry in the delivery key index, and every
// delivery stored before, with its content key or without, is still
// recognised when it is sent again.
func TestDeliveryKeyIndexLeavesOutContentKeys(t *testing.T) {
	app := appBefore(t, "1765700160_delivery_key_index.go")
	recordOldDelivery(t, app, "old0000000000a1", oldKey(sumA), "")           // before content keys were kept
	recordOldDelivery(t, app, "old0000000000a2", "id:d-1", "")               // the same, with a delivery id
	recordOldDelivery(t, app, "old0000000000a3", oldKey(sumC), oldKey(sumC)) // without a delivery id
	recordOldDelivery(t, app, "old0000000000a4", "id:d-2", oldKey(sumD))     // with a delivery id
	signed := "t1765000000:" + oldKey(sumA)                                  // a body signed with its time
	recordOldDelivery(t, app, "old0000000000a5", signed, signed)
	migrateUpTo(t, app, "1766400000_seen_deliveries.go")

	var sql string
	if err := app.DB().NewQuery(`SELECT sql FROM sqlite_master WHERE name = 'idx_deliveries_flow_delivery'`).Row(&sql); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sql, "WHERE delivery != ''") {
		t.Fatalf("delivery key index %s; want it to leave out deliveries without a delivery id", sql)
	}
	tests := []struct {
		name, delivery, content string
		isNew                   bool
	}{
		{"an old call without an id, again", "", newKey(sumA), false},
		{"an old call's id, again", "id:d-1", "s:zzz", false},
		{"a call without an id, again", "", newKey(sumC), false},
		{"a call signed with its time, again", "", "t1765000000:" + newKey(sumA), false},
		{"a call's body, with another id", "id:d-9", newKey(sumC), false},
		{"a call's id, with another body", "id:d-2", "s:yyy", false},
		{"a new call without an id", "", "s:eee", true},
		{"another new call without an id", "", "s:fff", true},
		{"a new call with an id", "id:d-3", "s:ggg", true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "new00000000000" + string(rune('a'+i))
			if got := recordDelivery(t, app, id, tt.delivery, tt.content); got != tt.isNew {
				t.Fatalf("recorded as new: %v, want %v", got, tt.isNew)
			}
		})
	}
	for _, down := range []func(core.App) error{compactDeliveriesDown, deliveryKeyIndexDown} {
		if err := down(app); err != nil {
			t.Fatalf("down: %v", err)
		}
	}
}
