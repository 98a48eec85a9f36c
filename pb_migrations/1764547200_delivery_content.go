package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(deliveryContentUp, deliveryContentDown)
}

// deliveryContentUp keeps each webhook delivery's content hash beside its
// delivery id, each unique per flow, so that a captured body sent again
// with another delivery id, or with none, is recognised. Deliveries stored
// before have no content hash; the partial index leaves them out.
func deliveryContentUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId("deliveries")
	if err != nil {
		return err
	}
	c.Fields.Add(&core.TextField{Name: "content", Max: 300,
		Help: "the SHA-256 of the body, with the signed time when the signature covers one"})
	c.AddIndex("idx_deliveries_flow_content", true, "flow, content", "content != ''")
	return save(app, c)
}

func deliveryContentDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId("deliveries")
	if err != nil {
		return err
	}
	c.RemoveIndex("idx_deliveries_flow_content")
	c.Fields.RemoveByName("content")
	return save(app, c)
}
