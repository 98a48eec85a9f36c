package pb_migrations

import (
	"testing"

	"github.com/pocketbase/dbx"
)

// TestUISessionsTable: an upgrade makes the table of the UI's sessions,
// keyed by the token's hash, and going down drops it.
func TestUISessionsTable(t *testing.T) {
	app := appBefore(t, "1766500000_ui_sessions.go")
	migrateUp(t, app)
	insert := app.DB().NewQuery(`INSERT INTO ui_sessions (hash, user, token_key, created, expires)
		VALUES ({:hash}, 'user00000000001', 'key', 1, 2)`).Bind(dbx.Params{"hash": []byte("0123456789abcdef0123456789abcdef")})
	if _, err := insert.Execute(); err != nil {
		t.Fatalf("storing a session: %v", err)
	}
	if _, err := insert.Execute(); err == nil {
		t.Fatal("a second session with the same hash was stored")
	}
	var index string
	if err := app.DB().NewQuery(`SELECT name FROM sqlite_master WHERE tbl_name = 'ui_sessions' AND type = 'index'
		AND sql LIKE '%(expires)%'`).Row(&index); err != nil {
		t.Fatalf("no index on the sessions' end: %v", err)
	}
	if err := uiSessionsDown(app); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := app.DB().NewQuery(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'ui_sessions'`).Row(&n); err != nil || n != 0 {
		t.Fatalf("after going down, ui_sessions is still there (%d, %v)", n, err)
	}
}
