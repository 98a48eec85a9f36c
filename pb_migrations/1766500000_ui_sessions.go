package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(uiSessionsUp, uiSessionsDown)
}

// uiSessionsUp makes the table of the web UI's sessions (ui/session.go).
// The browser's cookie holds a random token that is no PocketBase auth
// token, so the REST API does not take it; the table holds only its
// SHA-256 (hash), the user, the user's token key at sign-in (a session
// whose user's key has changed since, by a new role, a disabled switch or
// a new password, is over) and when it began and ends, in Unix
// milliseconds. Signing out deletes the row; sign-ins prune the rows that
// have ended.
func uiSessionsUp(app core.App) error {
	return runSteps(app, []sqlStep{
		{"creating ui_sessions", `CREATE TABLE IF NOT EXISTS ui_sessions
			(hash BLOB PRIMARY KEY, user TEXT NOT NULL, token_key TEXT NOT NULL,
			created INTEGER NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID`},
		{"indexing them by their end", `CREATE INDEX IF NOT EXISTS idx_ui_sessions_expires ON ui_sessions (expires)`},
	})
}

// uiSessionsDown drops the sessions: a version before this one signs in
// with auth tokens in the cookie, and its users sign in again.
func uiSessionsDown(app core.App) error {
	return runSteps(app, []sqlStep{{"dropping ui_sessions", `DROP TABLE IF EXISTS ui_sessions`}})
}
