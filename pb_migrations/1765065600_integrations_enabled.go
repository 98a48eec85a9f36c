package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(integrationsEnabledUp, nil)
}

// integrationsEnabledUp enables every existing integration. Until now the
// engine ignored an integration's enabled switch and ran its flows
// whatever it said; from now on a disabled integration stops its flows,
// so the switch starts out where the engine's behaviour was.
func integrationsEnabledUp(app core.App) error {
	_, err := app.DB().NewQuery("UPDATE integrations SET enabled = TRUE").Execute()
	return err
}
