package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(engineUp, engineDown)
}

// engineUp adds what the sync engine keeps: each transaction's lane (the
// records that must go one at a time), each flow's cursor, webhook
// deliveries seen, alert throttling and connection health.
func engineUp(app core.App) error {
	for _, step := range []func(core.App) error{
		addTransactionLanes, addConnectionHealth, createFlowState, createDeliveries, createAlerts,
	} {
		if err := step(app); err != nil {
			return err
		}
	}
	return nil
}

func engineDown(app core.App) error {
	for _, name := range []string{"alerts", "deliveries", "flow_state"} {
		if c, err := app.FindCollectionByNameOrId(name); err == nil {
			if err := app.Delete(c); err != nil {
				return err
			}
		}
	}
	return nil
}

func addTransactionLanes(app core.App) error {
	c, err := app.FindCollectionByNameOrId("transactions")
	if err != nil {
		return err
	}
	c.Fields.Add(
		&core.TextField{Name: "lane", Hidden: true, Max: 600,
			Help: "records in one lane of a flow are processed one at a time, in order"},
		&core.TextField{Name: "note", Max: 2000, Help: "why a record was skipped or resolved"},
	)
	c.AddIndex("idx_tx_flow_lane", false, "flow, lane, status", "")
	return save(app, c)
}

func addConnectionHealth(app core.App) error {
	c, err := app.FindCollectionByNameOrId("connections")
	if err != nil {
		return err
	}
	c.Fields.Add(
		&core.DateField{Name: "down_since"},
		&core.NumberField{Name: "failures", OnlyInt: true, Help: "transient failures in a row"},
	)
	return save(app, c)
}

func createFlowState(app core.App) error {
	flows, err := app.FindCollectionByNameOrId("flows")
	if err != nil {
		return err
	}
	c := core.NewBaseCollection("flow_state")
	c.Fields.Add(
		&core.RelationField{Name: "flow", CollectionId: flows.Id, MaxSelect: 1, Required: true, CascadeDelete: true},
		&core.TextField{Name: "cursor", Max: 100000},
		&core.DateField{Name: "last_run"},
	)
	addTimestamps(c)
	c.AddIndex("idx_flow_state_flow", true, "flow", "")
	setRules(c, anyRoleRule, nil, nil)
	return save(app, c)
}

func createDeliveries(app core.App) error {
	flows, err := app.FindCollectionByNameOrId("flows")
	if err != nil {
		return err
	}
	c := core.NewBaseCollection("deliveries")
	c.Fields.Add(
		&core.RelationField{Name: "flow", CollectionId: flows.Id, MaxSelect: 1, Required: true, CascadeDelete: true},
		&core.TextField{Name: "delivery", Required: true, Max: 300, Help: "the app's delivery id, or the payload's hash"},
	)
	addTimestamps(c)
	c.AddIndex("idx_deliveries_flow_delivery", true, "flow, delivery", "")
	c.AddIndex("idx_deliveries_created", false, "created", "")
	return save(app, c)
}

func createAlerts(app core.App) error {
	flows, err := app.FindCollectionByNameOrId("flows")
	if err != nil {
		return err
	}
	c := core.NewBaseCollection("alerts")
	c.Fields.Add(
		&core.RelationField{Name: "flow", CollectionId: flows.Id, MaxSelect: 1, Required: true, CascadeDelete: true},
		&core.DateField{Name: "last_sent"},
		&core.NumberField{Name: "unsent", OnlyInt: true, Help: "failures since the last mail"},
	)
	addTimestamps(c)
	c.AddIndex("idx_alerts_flow", true, "flow", "")
	setRules(c, anyRoleRule, nil, nil)
	return save(app, c)
}
