package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(disabledUsersUp, disabledUsersDown)
}

// disabledUsersUp makes a disabled user's token worth nothing on the
// collections' API, as on Switchboard's own routes: every rule a user can
// meet, of every collection but PocketBase's system ones (whose rules
// cannot change), begins with enabledGuard. Nobody sets their own role or
// disabled switch any more, admins included, so that a disabled admin
// cannot enable themselves. Users disabled before now get a new token
// key, so that their old tokens stay dead when they are enabled again
// (from now on Switchboard renews the key whenever the switch changes).
func disabledUsersUp(app core.App) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	users.UpdateRule = userEditRule
	if err := save(app, users); err != nil {
		return err
	}
	if err := mapRules(app, whileEnabled); err != nil {
		return err
	}
	return renewDisabledTokenKeys(app)
}

func disabledUsersDown(app core.App) error {
	if err := mapRules(app, withoutGuard); err != nil {
		return err
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	users.UpdateRule = uiUserUpdateRule
	return save(app, users)
}

// mapRules replaces every user rule (userRules) of every collection but
// the system ones by f of it.
func mapRules(app core.App, f func(*string) *string) error {
	all, err := app.FindAllCollections()
	if err != nil {
		return err
	}
	for _, c := range all {
		if c.System {
			continue
		}
		for _, rule := range userRules(c) {
			*rule = f(*rule)
		}
		if err := save(app, c); err != nil {
			return err
		}
	}
	return nil
}

// renewDisabledTokenKeys gives every disabled user a new token key, which
// ends every token issued to them before.
func renewDisabledTokenKeys(app core.App) error {
	disabled, err := app.FindAllRecords("users", dbx.HashExp{"disabled": true})
	if err != nil {
		return fmt.Errorf("finding disabled users: %w", err)
	}
	for _, user := range disabled {
		user.RefreshTokenKey()
		if err := app.SaveNoValidate(user); err != nil {
			return fmt.Errorf("renewing the token key of user %s: %w", user.Id, err)
		}
	}
	return nil
}
