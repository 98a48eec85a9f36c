package pb_migrations

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// TestAlertReasonsUpgrade: a data folder of an earlier release gets the
// alerts' unsent_reason field, and loses it again on the way down.
func TestAlertReasonsUpgrade(t *testing.T) {
	const file = "1765324860_alert_reasons.go"
	app := appBefore(t, file)
	if hasField(t, app, "alerts", "unsent_reason") {
		t.Fatal("unsent_reason exists before the migration")
	}
	migrateUp(t, app)
	if !hasField(t, app, "alerts", "unsent_reason") {
		t.Fatal("no unsent_reason after the migration")
	}
	if err := alertReasonsDown(app); err != nil {
		t.Fatal(err)
	}
	if hasField(t, app, "alerts", "unsent_reason") {
		t.Fatal("unsent_reason is left after the way down")
	}
}

func hasField(t *testing.T, app core.App, collection, field string) bool {
	t.Helper()
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	return c.Fields.GetByName(field) != nil
}
