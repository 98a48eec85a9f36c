package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(recordIdentityUp, nil)
}

// recordIdentityUp keys record identity by what it is about instead of by
// the flow that made it: an xref links a source record to its target record
// per (source connection, target connection, entity, source id), and keeps
// the record's business key, so that deleting and recreating a flow
// forgets nothing and one flow finds what another created. A transaction
// outlives its flow when it failed: it stays, with the flow's name, until
// it is resolved.
func recordIdentityUp(app core.App) error {
	for _, step := range []func(core.App) error{addXrefIdentity, fillXrefIdentity, rekeyXrefs, keepFailedTransactions} {
		if err := step(app); err != nil {
			return err
		}
	}
	return nil
}

func addXrefIdentity(app core.App) error {
	c, err := app.FindCollectionByNameOrId("xrefs")
	if err != nil {
		return err
	}
	conns, err := app.FindCollectionByNameOrId("connections")
	if err != nil {
		return err
	}
	c.Fields.Add(
		&core.RelationField{Name: "source", CollectionId: conns.Id, MaxSelect: 1, CascadeDelete: true},
		&core.RelationField{Name: "target", CollectionId: conns.Id, MaxSelect: 1, CascadeDelete: true},
		&core.TextField{Name: "entity", Max: 50},
		&core.TextField{Name: "key", Max: 500, Help: "the record's business key: order number, SKU, e-mail"},
	)
	return save(app, c)
}

// fillXrefIdentity gives existing xrefs their flow's connections and
// entity, and the business key of their latest transaction.
func fillXrefIdentity(app core.App) error {
	_, err := app.DB().NewQuery(`UPDATE xrefs SET
		source = (SELECT f.source FROM flows f WHERE f.id = xrefs.flow),
		target = (SELECT f.target FROM flows f WHERE f.id = xrefs.flow),
		entity = (SELECT f.entity FROM flows f WHERE f.id = xrefs.flow),
		key = COALESCE((SELECT t.key FROM transactions t WHERE t.flow = xrefs.flow AND t.source_id = xrefs.source_id
			ORDER BY t.created DESC LIMIT 1), '')`).Execute()
	if err != nil {
		return fmt.Errorf("filling xrefs: %w", err)
	}
	// Two flows between the same connections for the same entity kept an
	// xref each for one record: the one written last wins.
	_, err = app.DB().NewQuery(`DELETE FROM xrefs WHERE id NOT IN (
		SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY source, target, entity, source_id
			ORDER BY updated DESC, id DESC) AS n FROM xrefs) WHERE n = 1)`).Execute()
	if err != nil {
		return fmt.Errorf("merging xrefs of flows between the same connections: %w", err)
	}
	return nil
}

func rekeyXrefs(app core.App) error {
	c, err := app.FindCollectionByNameOrId("xrefs")
	if err != nil {
		return err
	}
	c.RemoveIndex("idx_xrefs_flow_source")
	c.RemoveIndex("idx_xrefs_flow_target")
	c.Fields.RemoveByName("flow")
	for _, name := range []string{"source", "target"} {
		c.Fields.GetByName(name).(*core.RelationField).Required = true
	}
	c.Fields.GetByName("entity").(*core.TextField).Required = true
	c.AddIndex("idx_xrefs_identity", true, "source, target, entity, source_id", "")
	c.AddIndex("idx_xrefs_key", false, "source, target, entity, key", "")
	return save(app, c)
}

// keepFailedTransactions lets a transaction outlive its flow: the engine
// deletes a deleted flow's finished transactions itself and keeps the
// failed ones, with the flow's name, until they are resolved.
func keepFailedTransactions(app core.App) error {
	c, err := app.FindCollectionByNameOrId("transactions")
	if err != nil {
		return err
	}
	flow := c.Fields.GetByName("flow").(*core.RelationField)
	flow.Required, flow.CascadeDelete = false, false
	c.Fields.Add(&core.TextField{Name: "flow_name", Max: 200, Help: "the name of the flow, once it was deleted"})
	return save(app, c)
}
