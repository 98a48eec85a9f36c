package pb_migrations

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(reconnectNeededUp, reconnectNeededDown)
}

// reconnectNeeded is the connection status of a connection that works
// only once a person connects it again, such as an OAuth2 connection whose
// refresh token the app revoked.
const reconnectNeeded = "reconnect_needed"

// reconnectNeededUp adds "reconnect_needed" to the connection statuses.
func reconnectNeededUp(app core.App) error {
	return setStatuses(app, func(values []string) []string {
		if slices.Contains(values, reconnectNeeded) {
			return values
		}
		return append(values, reconnectNeeded)
	})
}

// reconnectNeededDown takes the status away again; connections that held
// it are "failing", which a test or a run corrects.
func reconnectNeededDown(app core.App) error {
	if _, err := app.DB().NewQuery("UPDATE connections SET status = 'failing' WHERE status = 'reconnect_needed'").Execute(); err != nil {
		return err
	}
	return setStatuses(app, func(values []string) []string {
		return slices.DeleteFunc(slices.Clone(values), func(v string) bool { return v == reconnectNeeded })
	})
}

func setStatuses(app core.App, change func([]string) []string) error {
	conns, err := app.FindCollectionByNameOrId("connections")
	if err != nil {
		return err
	}
	status, ok := conns.Fields.GetByName("status").(*core.SelectField)
	if !ok {
		return nil
	}
	status.Values = change(status.Values)
	return save(app, conns)
}
