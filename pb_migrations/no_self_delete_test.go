package pb_migrations

import "testing"

// TestNoSelfDeleteMigration: on the database of the version before, the
// migration keeps admins from deleting themselves, still guarded for
// disabled users; down lets them again.
func TestNoSelfDeleteMigration(t *testing.T) {
	app := appBefore(t, "1766100000_no_self_delete.go")
	deleteRule := func() string {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			t.Fatal(err)
		}
		return *users.DeleteRule
	}
	before := deleteRule()
	if before != *whileEnabled(adminRule) {
		t.Fatalf("the delete rule before: %q", before)
	}
	migrateUp(t, app)
	if got, want := deleteRule(), `@request.auth.disabled = false && (@request.auth.role = "admin" && id != @request.auth.id)`; got != want {
		t.Errorf("the delete rule: %q, want %q", got, want)
	}
	if err := noSelfDeleteDown(app); err != nil {
		t.Fatal(err)
	}
	if got := deleteRule(); got != before {
		t.Errorf("down left %q, want %q", got, before)
	}
}
