package pb_migrations

import (
	"fmt"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/seenkeys"
)

// TestSeenDeliveriesCarryOverTheDeliveries: the keys of the deliveries
// the collection remembered before the migration are remembered after it,
// as seen when the delivery was (or at the upgrade, when its time is not
// known), and the collection is gone; going down makes it again, empty.
func TestSeenDeliveriesCarryOverTheDeliveries(t *testing.T) {
	app := appBefore(t, "1766400000_seen_deliveries.go")
	first := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	second := first.Add(24 * time.Hour)
	stored := []struct{ id, flow, delivery, content, created string }{
		{"old0000000000a1", "flow00000000001", "", "s:aaa", "2026-12-01 10:00:00.000Z"},
		{"old0000000000a2", "flow00000000001", "id:d-1", "s:bbb", "2026-12-02 10:00:00.000Z"},
		{"old0000000000a3", "flow00000000002", "", "s:aaa", ""},
	}
	for _, d := range stored {
		insertOldDelivery(t, app, d.id, d.flow, d.delivery, d.content, d.created)
	}
	const many = carryOverChunk + 345 // more than a chunk
	for i := range many {
		insertOldDelivery(t, app, fmt.Sprintf("many%011d", i), "flow00000000003", "", fmt.Sprintf("s:%d", i), "2026-12-01 10:00:00.000Z")
	}
	upgrade := time.Now()
	migrateUp(t, app)

	tests := []struct {
		name, flow, key string
		seenAfter       time.Time // when it was seen; zero: not remembered
	}{
		{"a call without an id", "flow00000000001", "s:aaa", first},
		{"a call's id", "flow00000000001", "id:d-1", second},
		{"the body of a call with an id", "flow00000000001", "s:bbb", second},
		{"a call of another flow, of an unknown time", "flow00000000002", "s:aaa", upgrade},
		{"a body of another flow", "flow00000000002", "s:bbb", time.Time{}},
		{"the last of many", "flow00000000003", fmt.Sprintf("s:%d", many-1), first},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen int64
			err := app.DB().NewQuery(`SELECT seen FROM seen_deliveries WHERE key = {:key}`).
				Bind(dbx.Params{"key": seenkeys.For(tt.flow, tt.key)}).Row(&seen)
			switch {
			case tt.seenAfter.IsZero() && err == nil:
				t.Fatalf("remembered as seen at %d; want it not remembered", seen)
			case tt.seenAfter.IsZero():
			case err != nil:
				t.Fatalf("not remembered: %v", err)
			case tt.seenAfter.Equal(upgrade) && (seen < upgrade.UnixMilli() || seen > time.Now().UnixMilli()):
				t.Fatalf("seen at %s; want the upgrade's time", time.UnixMilli(seen).UTC())
			case !tt.seenAfter.Equal(upgrade) && seen != tt.seenAfter.UnixMilli():
				t.Fatalf("seen at %s; want %s", time.UnixMilli(seen).UTC(), tt.seenAfter.UTC())
			}
		})
	}
	var n int
	if err := app.DB().NewQuery(`SELECT COUNT(*) FROM seen_deliveries`).Row(&n); err != nil || n != 4+many {
		t.Fatalf("%d keys remembered (%v); want %d", n, err, 4+many)
	}
	if _, err := app.FindCollectionByNameOrId("deliveries"); err == nil {
		t.Fatal("the collection deliveries is still there")
	}
	if err := seenDeliveriesDown(app); err != nil {
		t.Fatalf("down: %v", err)
	}
	if _, err := app.FindCollectionByNameOrId("deliveries"); err != nil {
		t.Fatalf("after going down: %v", err)
	}
}

// insertOldDelivery stores a row of the collection `deliveries`.
func insertOldDelivery(t *testing.T, app core.App, id, flow, delivery, content, created string) {
	t.Helper()
	_, err := app.DB().NewQuery(`INSERT INTO deliveries (id, flow, delivery, content, created)
		VALUES ({:id}, {:flow}, {:delivery}, {:content}, {:created})`).
		Bind(dbx.Params{"id": id, "flow": flow, "delivery": delivery, "content": content, "created": created}).Execute()
	if err != nil {
		t.Fatal(err)
	}
}
