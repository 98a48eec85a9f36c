package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(deliveryKeyIndexUp, deliveryKeyIndexDown)
}

// deliveryKeyIndexUp leaves out of the delivery key index the deliveries
// whose delivery key is their content key (a call without a delivery id):
// the content index already holds them, and each such call cost an entry
// in both. Deliveries stored before their content key was kept are given
// it first, when their delivery key was one, so that a replay of them is
// still recognised by the content index.
func deliveryKeyIndexUp(app core.App) error {
	if _, err := app.DB().NewQuery(`UPDATE OR IGNORE deliveries SET content = delivery
		WHERE content = '' AND delivery LIKE 'sha256:%'`).Execute(); err != nil {
		return fmt.Errorf("giving old deliveries their content key: %w", err)
	}
	c, err := app.FindCollectionByNameOrId("deliveries")
	if err != nil {
		return err
	}
	c.RemoveIndex("idx_deliveries_flow_delivery")
	c.AddIndex("idx_deliveries_flow_delivery", true, "flow, delivery", "delivery != content")
	return save(app, c)
}

func deliveryKeyIndexDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId("deliveries")
	if err != nil {
		return err
	}
	c.RemoveIndex("idx_deliveries_flow_delivery")
	c.AddIndex("idx_deliveries_flow_delivery", true, "flow, delivery", "")
	return save(app, c)
}
