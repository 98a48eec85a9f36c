package pb_migrations

import "testing"

// TestUnchangedEngineFieldsMigration: on the database of the version
// before, the migration lets the engine's fields be sent back unchanged,
// still guarded for disabled users; down puts the old rules back.
func TestUnchangedEngineFieldsMigration(t *testing.T) {
	app := appBefore(t, "1766800000_unchanged_engine_fields.go")
	rule := func(name string) string {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatal(err)
		}
		return *c.UpdateRule
	}
	beforeConn, beforeUsers := rule("connections"), rule("users")
	if beforeConn != *whileEnabled(connectionWriteRule) || beforeUsers != *whileEnabled(userEditRule) {
		t.Fatalf("the rules before: %q, %q", beforeConn, beforeUsers)
	}
	migrateUp(t, app)
	if got, want := rule("connections"), *whileEnabled(connectionUpdateRule); got != want {
		t.Errorf("the connections' rule: %q, want %q", got, want)
	}
	if got, want := rule("users"), `@request.auth.disabled = false && ((@request.auth.role = "admin" && id != @request.auth.id) || (id = @request.auth.id && `+
		`(@request.body.role:isset = false || @request.body.role = role) && (@request.body.disabled:isset = false || @request.body.disabled = disabled)))`; got != want {
		t.Errorf("the users' rule: %q, want %q", got, want)
	}
	if err := unchangedEngineFieldsDown(app); err != nil {
		t.Fatal(err)
	}
	if rule("connections") != beforeConn || rule("users") != beforeUsers {
		t.Errorf("down left %q, %q", rule("connections"), rule("users"))
	}
}
