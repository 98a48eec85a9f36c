package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(initUp, initDown)
}

// collections in creation order; relations point backwards only.
var initSteps = []func(core.App) error{
	addUserRoles,
	createConnections,
	createIntegrations,
	createFlows,
	createRuns,
	createTransactions,
	createXrefs,
	createUsage,
	createMeta,
}

func initUp(app core.App) error {
	for _, step := range initSteps {
		if err := step(app); err != nil {
			return err
		}
	}
	return nil
}

func initDown(app core.App) error {
	for _, name := range []string{"sb_meta", "usage", "xrefs", "transactions", "runs", "flows", "integrations", "connections"} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		if err := app.Delete(c); err != nil {
			return fmt.Errorf("deleting collection %s: %w", name, err)
		}
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	users.Fields.RemoveByName("role")
	return app.Save(users)
}

func addUserRoles(app core.App) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return fmt.Errorf("finding users: %w", err)
	}
	users.Fields.Add(&core.SelectField{Name: "role", Values: roles, MaxSelect: 1, Required: true,
		Help: "admin: everything; editor: connections, flows, mappings; operator: run, retry, activity; viewer: read only"})
	users.ListRule, users.ViewRule = userViewRule, userViewRule
	users.CreateRule, users.DeleteRule = adminRule, adminRule
	users.UpdateRule = userUpdateRule
	users.OAuth2.Enabled = false
	return save(app, users)
}

func createConnections(app core.App) error {
	c := core.NewBaseCollection("connections")
	c.Fields.Add(
		&core.TextField{Name: "name", Required: true, Max: 200},
		&core.TextField{Name: "connector", Required: true, Max: 100},
		&core.JSONField{Name: "config", MaxSize: 256 << 10},
		// Not Hidden, so that the API can take it; the Switchboard hooks seal
		// what is submitted and keep it out of every answer.
		&core.JSONField{Name: "secrets", MaxSize: 256 << 10,
			Help: "sealed with the appliance's secret key; write-only through the API"},
		&core.SelectField{Name: "status", Values: []string{"unknown", "ok", "down", "failing"}, MaxSelect: 1},
		&core.TextField{Name: "status_message", Max: 2000},
		&core.DateField{Name: "checked"},
	)
	addTimestamps(c)
	c.AddIndex("idx_connections_name", true, "name", "")
	setRules(c, anyRoleRule, configWriteRule, editorRule)
	return save(app, c)
}

func createIntegrations(app core.App) error {
	conns, err := app.FindCollectionByNameOrId("connections")
	if err != nil {
		return err
	}
	c := core.NewBaseCollection("integrations")
	c.Fields.Add(
		&core.TextField{Name: "name", Required: true, Max: 200},
		&core.RelationField{Name: "a", CollectionId: conns.Id, MaxSelect: 1, Required: true},
		&core.RelationField{Name: "b", CollectionId: conns.Id, MaxSelect: 1, Required: true},
		&core.BoolField{Name: "enabled"},
		&core.TextField{Name: "alert_emails", Max: 2000, Help: "comma-separated addresses that get failure alerts"},
	)
	addTimestamps(c)
	c.AddIndex("idx_integrations_name", true, "name", "")
	setRules(c, anyRoleRule, editorRule, editorRule)
	return save(app, c)
}

func createFlows(app core.App) error {
	conns, err := app.FindCollectionByNameOrId("connections")
	if err != nil {
		return err
	}
	integrations, err := app.FindCollectionByNameOrId("integrations")
	if err != nil {
		return err
	}
	c := core.NewBaseCollection("flows")
	c.Fields.Add(
		&core.RelationField{Name: "integration", CollectionId: integrations.Id, MaxSelect: 1, Required: true, CascadeDelete: true},
		&core.TextField{Name: "name", Required: true, Max: 200},
		&core.SelectField{Name: "entity", Values: entities, MaxSelect: 1, Required: true},
		&core.RelationField{Name: "source", CollectionId: conns.Id, MaxSelect: 1, Required: true},
		&core.RelationField{Name: "target", CollectionId: conns.Id, MaxSelect: 1, Required: true},
		&core.TextField{Name: "schedule", Max: 200, Help: `cron expression or "@every 5m"; empty runs only on demand`},
		&core.BoolField{Name: "webhook"},
		&core.TextField{Name: "webhook_secret", Hidden: true, Max: 500},
		&core.BoolField{Name: "enabled"},
		&core.JSONField{Name: "options", MaxSize: 256 << 10},
		&core.JSONField{Name: "mapping", MaxSize: 1 << 20},
		&core.JSONField{Name: "rules", MaxSize: 1 << 20},
	)
	addTimestamps(c)
	c.AddIndex("idx_flows_integration", false, "integration", "")
	setRules(c, anyRoleRule, editorRule, editorRule)
	return save(app, c)
}

var entities = []string{"product", "customer", "order", "stock", "invoice", "shipment"}

func createRuns(app core.App) error {
	flows, err := app.FindCollectionByNameOrId("flows")
	if err != nil {
		return err
	}
	c := core.NewBaseCollection("runs")
	c.Fields.Add(
		&core.RelationField{Name: "flow", CollectionId: flows.Id, MaxSelect: 1, Required: true, CascadeDelete: true},
		&core.SelectField{Name: "trigger", Values: []string{"schedule", "webhook", "manual", "retry", "file"}, MaxSelect: 1, Required: true},
		&core.DateField{Name: "started"},
		&core.DateField{Name: "finished"},
		&core.NumberField{Name: "read", OnlyInt: true},
		&core.NumberField{Name: "succeeded", OnlyInt: true},
		&core.NumberField{Name: "failed", OnlyInt: true},
		&core.NumberField{Name: "skipped", OnlyInt: true},
		&core.TextField{Name: "error", Max: 10000},
	)
	addTimestamps(c)
	c.AddIndex("idx_runs_flow_started", false, "flow, started DESC", "")
	setRules(c, anyRoleRule, nil, nil)
	return save(app, c)
}

func createTransactions(app core.App) error {
	flows, err := app.FindCollectionByNameOrId("flows")
	if err != nil {
		return err
	}
	runs, err := app.FindCollectionByNameOrId("runs")
	if err != nil {
		return err
	}
	c := core.NewBaseCollection("transactions")
	c.Fields.Add(
		&core.RelationField{Name: "flow", CollectionId: flows.Id, MaxSelect: 1, Required: true, CascadeDelete: true},
		&core.RelationField{Name: "run", CollectionId: runs.Id, MaxSelect: 1},
		&core.SelectField{Name: "status", Values: []string{"pending", "running", "succeeded", "skipped", "failed", "retrying", "resolved"}, MaxSelect: 1, Required: true},
		&core.TextField{Name: "key", Max: 500},
		&core.TextField{Name: "source_id", Max: 500},
		&core.TextField{Name: "target_id", Max: 500},
		&core.NumberField{Name: "attempts", OnlyInt: true},
		&core.DateField{Name: "next_attempt"},
		&core.TextField{Name: "error", Max: 20000},
		&core.SelectField{Name: "error_class", Values: []string{"transient", "permanent"}, MaxSelect: 1},
		&core.TextField{Name: "payloads", Hidden: true, Max: 16 << 20,
			Help: "the payload of each stage, compressed; served decoded by the Switchboard API"},
		&core.NumberField{Name: "duration_ms", OnlyInt: true},
	)
	addTimestamps(c)
	// Activity by flow and time, by status, by business key (exact, as the
	// API's filter compares); every index ends in id so that keyset
	// pagination (created, id) is exact. A run's transactions are found
	// through their flow and time. Every index costs each insert, so there
	// are no more than the Activity page needs.
	c.AddIndex("idx_tx_created", false, "created DESC, id DESC", "")
	c.AddIndex("idx_tx_flow_created", false, "flow, created DESC, id DESC", "")
	c.AddIndex("idx_tx_flow_status_created", false, "flow, status, created DESC, id DESC", "")
	c.AddIndex("idx_tx_status_created", false, "status, created DESC, id DESC", "")
	c.AddIndex("idx_tx_key", false, "key, created DESC, id DESC", "")
	c.AddIndex("idx_tx_due", false, "flow, status, next_attempt", "")
	setRules(c, anyRoleRule, nil, nil)
	return save(app, c)
}

func createXrefs(app core.App) error {
	flows, err := app.FindCollectionByNameOrId("flows")
	if err != nil {
		return err
	}
	c := core.NewBaseCollection("xrefs")
	c.Fields.Add(
		&core.RelationField{Name: "flow", CollectionId: flows.Id, MaxSelect: 1, Required: true, CascadeDelete: true},
		&core.TextField{Name: "source_id", Required: true, Max: 500},
		&core.TextField{Name: "target_id", Max: 500},
		&core.TextField{Name: "hash", Max: 128},
	)
	addTimestamps(c)
	c.AddIndex("idx_xrefs_flow_source", true, "flow, source_id", "")
	c.AddIndex("idx_xrefs_flow_target", false, "flow, target_id", "")
	setRules(c, anyRoleRule, nil, nil)
	return save(app, c)
}

func createUsage(app core.App) error {
	conns, err := app.FindCollectionByNameOrId("connections")
	if err != nil {
		return err
	}
	c := core.NewBaseCollection("usage")
	c.Fields.Add(
		&core.RelationField{Name: "connection", CollectionId: conns.Id, MaxSelect: 1, Required: true, CascadeDelete: true},
		&core.TextField{Name: "month", Required: true, Pattern: `^\d{4}-\d{2}$`, Max: 7},
		&core.NumberField{Name: "reads", OnlyInt: true},
		&core.NumberField{Name: "writes", OnlyInt: true},
	)
	addTimestamps(c)
	c.AddIndex("idx_usage_connection_month", true, "connection, month", "")
	c.AddIndex("idx_usage_month", false, "month", "")
	setRules(c, anyRoleRule, nil, nil)
	return save(app, c)
}

// createMeta holds the appliance's own facts, such as the secret-key
// canary; superusers only.
func createMeta(app core.App) error {
	c := core.NewBaseCollection("sb_meta")
	c.Fields.Add(
		&core.TextField{Name: "key", Required: true, Max: 200},
		&core.TextField{Name: "value", Max: 100000},
	)
	addTimestamps(c)
	c.AddIndex("idx_sb_meta_key", true, "key", "")
	return save(app, c)
}

func addTimestamps(c *core.Collection) {
	c.Fields.Add(
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
}

// setRules sets read rules (list, view) and write rules (create, update)
// and the delete rule.
func setRules(c *core.Collection, read, write, del *string) {
	c.ListRule, c.ViewRule = read, read
	c.CreateRule, c.UpdateRule = write, write
	c.DeleteRule = del
}

func save(app core.App, c *core.Collection) error {
	if err := app.Save(c); err != nil {
		return fmt.Errorf("saving collection %s: %w", c.Name, err)
	}
	return nil
}
