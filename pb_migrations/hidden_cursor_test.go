package pb_migrations

import "testing"

// TestHiddenCursorMigration: on the database of the version before, the
// migration hides the flows' cursors from filters, sorts and answers;
// down shows them again.
func TestHiddenCursorMigration(t *testing.T) {
	app := appBefore(t, "1766600000_hidden_cursor.go")
	hidden := func() bool {
		c, err := app.FindCollectionByNameOrId("flow_state")
		if err != nil {
			t.Fatal(err)
		}
		return c.Fields.GetByName("cursor").GetHidden()
	}
	if hidden() {
		t.Fatal("the cursor is hidden before the migration")
	}
	migrateUp(t, app)
	if !hidden() {
		t.Error("the cursor is not hidden after the migration")
	}
	if err := hiddenCursorDown(app); err != nil {
		t.Fatal(err)
	}
	if hidden() {
		t.Error("down left the cursor hidden")
	}
}
