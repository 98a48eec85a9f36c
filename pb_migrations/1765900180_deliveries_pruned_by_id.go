package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(deliveriesPrunedByIDUp, deliveriesPrunedByIDDown)
}

// deliveriesPrunedByIDUp drops the deliveries' time index: the engine
// gives a delivery an id that begins with its time (app/ids.go), so the
// pruning of deliveries older than the replay window reads the primary
// key's index instead, and each webhook call writes one index entry fewer
// (37 bytes).
func deliveriesPrunedByIDUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId("deliveries")
	if err != nil {
		return err
	}
	c.RemoveIndex("idx_deliveries_created")
	return save(app, c)
}

func deliveriesPrunedByIDDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId("deliveries")
	if err != nil {
		return err
	}
	c.AddIndex("idx_deliveries_created", false, "created", "")
	return save(app, c)
}
