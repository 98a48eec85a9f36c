package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(alertReasonsUp, alertReasonsDown)
}

// alertReasonsUp adds why a flow's failures were not mailed yet: no alert
// addresses, no mail server, or the mail server's answer. Until a mail can
// go out, the failures stay counted for the first one that does.
func alertReasonsUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId("alerts")
	if err != nil {
		return fmt.Errorf("finding alerts: %w", err)
	}
	c.Fields.Add(&core.TextField{Name: "unsent_reason", Max: 2000,
		Help: "why the failures counted in unsent were not mailed yet; empty once a mail goes out"})
	if f, ok := c.Fields.GetByName("unsent").(*core.NumberField); ok {
		f.Help = "failures noticed since the last mail"
	}
	return save(app, c)
}

func alertReasonsDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId("alerts")
	if err != nil {
		return fmt.Errorf("finding alerts: %w", err)
	}
	c.Fields.RemoveByName("unsent_reason")
	return save(app, c)
}
