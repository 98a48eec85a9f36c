package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(compactDeliveriesUp, compactDeliveriesDown)
}

// compactDeliveriesUp makes the row a webhook call leaves in deliveries
// smaller (242 bytes and 111 of its content index, for every call):
//   - a call without a delivery id keeps an empty delivery key instead of a
//     second copy of its content key, and the delivery key index leaves out
//     the empty ones;
//   - the content key is the first 128 bits of the body's SHA-256 in hex
//     ("s:" and 32 digits, after the signed time when there is one) instead
//     of all 256 ("sha256:" and 64 digits): two bodies alike in 128 bits
//     are not met by chance, and the key is written into the row and its
//     index;
//   - the row has no `updated` time: a delivery is never updated.
//
// The keys stored before are shortened the same way, so that a replay of
// a call seen before the upgrade is still recognised.
func compactDeliveriesUp(app core.App) error {
	c, err := deliveriesWithoutKeyIndex(app)
	if err != nil {
		return err
	}
	steps := []struct{ what, sql string }{
		{"dropping delivery keys that repeat the content key", `UPDATE deliveries SET delivery = '' WHERE delivery = content`},
		{"shortening content keys", `UPDATE OR IGNORE deliveries
			SET content = substr(content, 1, instr(content, 'sha256:') - 1) || 's:' || substr(content, instr(content, 'sha256:') + 7, 32)
			WHERE instr(content, 'sha256:') > 0`},
	}
	for _, s := range steps {
		if _, err := app.DB().NewQuery(s.sql).Execute(); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	if f, ok := c.Fields.GetByName("delivery").(*core.TextField); ok {
		f.Required = false
		f.Help = "the app's delivery id; empty when it sends none"
	}
	c.Fields.RemoveByName("updated")
	c.AddIndex("idx_deliveries_flow_delivery", true, "flow, delivery", "delivery != ''")
	return save(app, c)
}

// compactDeliveriesDown restores the delivery keys and the `updated` time;
// the content keys stay short, so a replay of a call seen before the
// downgrade is recognised by its delivery id only.
func compactDeliveriesDown(app core.App) error {
	c, err := deliveriesWithoutKeyIndex(app)
	if err != nil {
		return err
	}
	if _, err := app.DB().NewQuery(`UPDATE deliveries SET delivery = content WHERE delivery = ''`).Execute(); err != nil {
		return fmt.Errorf("restoring delivery keys: %w", err)
	}
	if f, ok := c.Fields.GetByName("delivery").(*core.TextField); ok {
		f.Required = true
	}
	c.Fields.Add(&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true})
	c.AddIndex("idx_deliveries_flow_delivery", true, "flow, delivery", "delivery != content")
	return save(app, c)
}

// deliveriesWithoutKeyIndex drops the delivery key index, whose condition
// the migration changes with the keys, and returns the collection.
func deliveriesWithoutKeyIndex(app core.App) (*core.Collection, error) {
	c, err := app.FindCollectionByNameOrId("deliveries")
	if err != nil {
		return nil, err
	}
	c.RemoveIndex("idx_deliveries_flow_delivery")
	return c, save(app, c)
}
