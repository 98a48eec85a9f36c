package pb_migrations

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

const recordIdentity = "1765238400_record_identity.go"

// TestRecordIdentityMovesXrefsToTheirConnections upgrades a data folder
// whose xrefs belong to flows: two flows between the same connections
// kept one record each, and a third flow another pair.
func TestRecordIdentityMovesXrefsToTheirConnections(t *testing.T) {
	app := appBefore(t, recordIdentity)
	a, b, c := saveRow(t, app, "connections", map[string]any{"name": "A", "connector": "memory"}),
		saveRow(t, app, "connections", map[string]any{"name": "B", "connector": "memory"}),
		saveRow(t, app, "connections", map[string]any{"name": "C", "connector": "memory"})
	integ := saveRow(t, app, "integrations", map[string]any{"name": "A <-> B", "a": a, "b": b})
	flow := func(name, target string) string {
		return saveRow(t, app, "flows", map[string]any{"integration": integ, "name": name, "entity": "product", "source": a, "target": target})
	}
	f1, f2, f3 := flow("products", b), flow("products again", b), flow("products to C", c)
	saveRow(t, app, "transactions", map[string]any{"flow": f1, "status": "succeeded", "key": "SKU-1", "source_id": "p1"})
	saveRow(t, app, "xrefs", map[string]any{"flow": f1, "source_id": "p1", "target_id": "old", "hash": "h1"})
	saveRow(t, app, "xrefs", map[string]any{"flow": f2, "source_id": "p1", "target_id": "new", "hash": "h2"})
	saveRow(t, app, "xrefs", map[string]any{"flow": f3, "source_id": "p1", "target_id": "c1", "hash": "h3"})
	_, err := app.DB().NewQuery("UPDATE xrefs SET updated = '2099-01-02 00:00:00.000Z' WHERE target_id = 'new'").Execute()
	if err != nil {
		t.Fatal(err)
	}

	migrateUp(t, app)

	var rows []struct {
		Source   string `db:"source"`
		Target   string `db:"target"`
		Entity   string `db:"entity"`
		SourceID string `db:"source_id"`
		Key      string `db:"key"`
		TargetID string `db:"target_id"`
	}
	if err := app.DB().NewQuery("SELECT source, target, entity, source_id, key, target_id FROM xrefs ORDER BY target_id").All(&rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("xrefs after the upgrade: %+v, want one per pair of connections", rows)
	}
	if r := rows[0]; r.Target != c || r.TargetID != "c1" || r.Source != a || r.Entity != "product" {
		t.Errorf("the xref to C: %+v", r)
	}
	if r := rows[1]; r.Target != b || r.TargetID != "new" || r.Key != "" {
		t.Errorf("the xref to B: %+v, want the one written last", r)
	}
	if err := app.Delete(mustFind(t, app, "flows", f3)); err != nil {
		t.Fatal(err)
	}
	if n, _ := app.CountRecords("xrefs"); n != 2 {
		t.Errorf("deleting a flow took xrefs with it: %d left", n)
	}
}

func saveRow(t *testing.T, app core.App, collection string, fields map[string]any) string {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	rec := core.NewRecord(col)
	for k, v := range fields {
		rec.Set(k, v)
	}
	if err := app.SaveNoValidate(rec); err != nil {
		t.Fatalf("saving %s: %v", collection, err)
	}
	return rec.Id
}

func mustFind(t *testing.T, app core.App, collection, id string) *core.Record {
	t.Helper()
	rec, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}
