package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

func init() {
	m.Register(uiUsersUp, nil)
}

// uiLanguages are the languages the web UI speaks.
var uiLanguages = []string{"en", "nl", "es"}

// uiUsersUp gives users what the web UI needs: a language and a time
// zone of their own (empty: the browser's), and a switch an admin turns
// to disable an account, which PocketBase's auth rule then refuses at
// sign-in. A user may change their own language and zone, never their
// role or whether they are disabled.
func uiUsersUp(app core.App) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	users.Fields.Add(
		&core.SelectField{Name: "language", Values: uiLanguages, MaxSelect: 1,
			Help: "the web UI's language; empty: the browser's"},
		&core.TextField{Name: "timezone", Max: 100, Help: "IANA time zone such as Europe/Amsterdam; empty: the browser's"},
		&core.BoolField{Name: "disabled", Help: "a disabled user cannot sign in"},
	)
	users.AuthRule = types.Pointer("disabled = false")
	users.UpdateRule = types.Pointer(`@request.auth.role = "admin" || (id = @request.auth.id && ` +
		`@request.body.role:isset = false && @request.body.disabled:isset = false)`)
	return save(app, users)
}
