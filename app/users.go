package app

import (
	"fmt"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

const usersCollection = "users"

func (s *Switchboard) bindUsers() {
	s.app.OnRecordUpdate(usersCollection).BindFunc(endTokensOnAccessChange)
	s.app.OnRecordValidate(usersCollection).BindFunc(validateTimeZone)
	s.app.OnRecordAuthWithPasswordRequest(usersCollection).BindFunc(s.limitPasswordSignIns)
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

// validateTimeZone refuses a user's time zone that the web UI cannot load
// (it would show every time in UTC without a word), as the UI's own form
// does, however it is saved. Empty is the browser's zone. A zone stored
// before is left alone until it changes, so that other changes of its
// user (an admin disabling them) still save.
func validateTimeZone(e *core.RecordEvent) error {
	zone := e.Record.GetString("timezone")
	if orig := e.Record.Original(); zone == "" || (!e.Record.IsNew() && orig != nil && orig.GetString("timezone") == zone) {
		return e.Next()
	}
	if _, err := time.LoadLocation(zone); err != nil || strings.EqualFold(zone, "local") {
		return validation.Errors{"timezone": validation.NewError("validation_invalid_timezone",
			fmt.Sprintf("%q is not a time zone; use an IANA name such as Europe/Amsterdam, or leave it empty for the browser's", truncate(zone, 80)))}
	}
	return e.Next()
}
