package pb_migrations

import (
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

const sealedWebhookSecretsMigration = "1766000000_sealed_webhook_secrets.go"

// TestSealedWebhookSecretsMigrationMakesRoomForASealedSecret: before it, a
// flow's webhook secret is at most 500 characters, too few for a long
// secret sealed; after it, such a sealed value saves, and the plain
// secrets stored before are kept as they were (Switchboard seals them at
// its next start, with the key).
func TestSealedWebhookSecretsMigrationMakesRoomForASealedSecret(t *testing.T) {
	app := appBefore(t, sealedWebhookSecretsMigration)
	a := saveRecord(t, app, "connections", map[string]any{"name": "Shop", "connector": "memory", "config": map[string]any{"store": "a"}})
	b := saveRecord(t, app, "connections", map[string]any{"name": "ERP", "connector": "memory", "config": map[string]any{"store": "b"}})
	integ := saveRecord(t, app, "integrations", map[string]any{"name": "Shop <-> ERP", "a": a, "b": b, "enabled": true})
	flowID := saveRecord(t, app, "flows", map[string]any{"integration": integ, "name": "orders", "entity": "order",
		"source": a, "target": b, "webhook": true})
	sealedLong := "sb1:0a1b2c3d:" + strings.Repeat("A", 704)
	if err := setFlowSecret(app, flowID, sealedLong); err == nil {
		t.Fatal("a 717-character webhook secret saved before the migration; the test proves nothing")
	}
	if err := setFlowSecret(app, flowID, "plain-legacy-secret"); err != nil {
		t.Fatal(err)
	}
	migrateUp(t, app)
	flow, err := app.FindRecordById("flows", flowID)
	if err != nil {
		t.Fatal(err)
	}
	if got := flow.GetString("webhook_secret"); got != "plain-legacy-secret" {
		t.Fatalf("the migration changed the stored secret to %q", got)
	}
	if err := setFlowSecret(app, flowID, sealedLong); err != nil {
		t.Fatalf("a sealed long secret after the migration: %v", err)
	}
	col, _ := app.FindCollectionByNameOrId("flows")
	if f, ok := col.Fields.GetByName("webhook_secret").(*core.TextField); !ok || !f.Hidden {
		t.Fatal("flows.webhook_secret is no longer a hidden text field")
	}
}

func setFlowSecret(app core.App, flowID, value string) error {
	flow, err := app.FindRecordById("flows", flowID)
	if err != nil {
		return err
	}
	flow.Set("webhook_secret", value)
	return app.Save(flow)
}
