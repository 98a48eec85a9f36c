package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(unchangedEngineFieldsUp, unchangedEngineFieldsDown)
}

// unchangedEngineFieldsUp lets a client that reads a record and saves it
// back whole do so: a connection's health fields and a user's own role
// and disabled switch may be sent again with the values they have. A
// change to them is refused as before.
func unchangedEngineFieldsUp(app core.App) error {
	return setUpdateRules(app, connectionUpdateRule, userSaveRule)
}

func unchangedEngineFieldsDown(app core.App) error {
	return setUpdateRules(app, connectionWriteRule, userEditRule)
}

// setUpdateRules sets the update rules of connections and users, guarded
// for disabled users like every rule.
func setUpdateRules(app core.App, connections, users *string) error {
	for name, rule := range map[string]*string{"connections": connections, "users": users} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		c.UpdateRule = whileEnabled(rule)
		if err := save(app, c); err != nil {
			return err
		}
	}
	return nil
}
