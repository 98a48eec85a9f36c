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
	res, err := app.DB().NewQuery(`INSERT INTO deliveries (id, flow, delivery, content, created, updated)
		VALUES ({:id}, 'f1', {:delivery}, {:content}, '', '') ON CONFLICT DO NOTHING`).
		Bind(dbx.Params{"id": id, "delivery": delivery, "content": content}).Execute()
	if err != nil {
		t.Fatal(err)
	}
	n, _ := res.RowsAffected()
	return n == 1
}

// TestDeliveryKeyIndexLeavesOutContentKeys: after the migration, a call
// without a delivery id has no entry in the delivery key index, and every
// delivery stored before, with its content key or without, is still
// recognised when it is sent again.
func TestDeliveryKeyIndexLeavesOutContentKeys(t *testing.T) {
	app := appBefore(t, "1765700160_delivery_key_index.go")
	recordDelivery(t, app, "old0000000000a1", "sha256:aaa", "")           // before content keys were kept
	recordDelivery(t, app, "old0000000000a2", "id:d-1", "")               // the same, with a delivery id
	recordDelivery(t, app, "old0000000000a3", "sha256:ccc", "sha256:ccc") // without a delivery id
	recordDelivery(t, app, "old0000000000a4", "id:d-2", "sha256:ddd")     // with a delivery id
	migrateUp(t, app)

	var sql string
	if err := app.DB().NewQuery(`SELECT sql FROM sqlite_master WHERE name = 'idx_deliveries_flow_delivery'`).Row(&sql); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sql, "WHERE delivery != content") {
		t.Fatalf("delivery key index %s; want it to leave out deliveries whose key is their content", sql)
	}
	tests := []struct {
		name, delivery, content string
		isNew                   bool
	}{
		{"an old call without an id, again", "sha256:aaa", "sha256:aaa", false},
		{"an old call's id, again", "id:d-1", "sha256:zzz", false},
		{"a call without an id, again", "sha256:ccc", "sha256:ccc", false},
		{"a call's body, with another id", "id:d-9", "sha256:ccc", false},
		{"a call's id, with another body", "id:d-2", "sha256:yyy", false},
		{"a new call without an id", "sha256:eee", "sha256:eee", true},
		{"a new call with an id", "id:d-3", "sha256:fff", true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "new00000000000" + string(rune('a'+i))
			if got := recordDelivery(t, app, id, tt.delivery, tt.content); got != tt.isNew {
				t.Fatalf("recorded as new: %v, want %v", got, tt.isNew)
			}
		})
	}
	if err := deliveryKeyIndexDown(app); err != nil {
		t.Fatalf("down: %v", err)
	}
}
