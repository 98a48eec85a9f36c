package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(noSelfDeleteUp, noSelfDeleteDown)
}

// noSelfDeleteUp keeps an admin from deleting their own account through
// the REST API, as they cannot take their own role or disable themselves:
// the appliance's last admin would have locked everybody out of its
// users, connections and settings. Another admin deletes them.
func noSelfDeleteUp(app core.App) error {
	return setUsersDeleteRule(app, userDeleteRule)
}

func noSelfDeleteDown(app core.App) error {
	return setUsersDeleteRule(app, adminRule)
}

// setUsersDeleteRule sets the users' delete rule, guarded for disabled
// users like every rule.
func setUsersDeleteRule(app core.App, rule *string) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	users.DeleteRule = whileEnabled(rule)
	return save(app, users)
}
