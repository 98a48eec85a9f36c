package app

import "github.com/pocketbase/pocketbase/core"

const usersCollection = "users"

func (s *Switchboard) bindUsers() {
	s.app.OnRecordUpdate(usersCollection).BindFunc(endTokensOnAccessChange)
}

// endTokensOnAccessChange renews a user's token key when their disabled
// switch or their role changes, whoever changes it (the REST API, the web
// UI, a command or Go code): every token issued before, API tokens and the
// web UI's sessions alike, ends at once, and a token of a disabled user
// does not come back when they are enabled again.
func endTokensOnAccessChange(e *core.RecordEvent) error {
	old := e.Record.Original()
	if old.GetBool("disabled") != e.Record.GetBool("disabled") || old.GetString("role") != e.Record.GetString("role") {
		e.Record.RefreshTokenKey()
	}
	return e.Next()
}
