package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

func TestFlowsAPI(t *testing.T) {
	const flowsURL = "/api/collections/flows/records"
	body := func(env *testEnv, entity, source, target, extra string) string {
		integ, _ := env.app.FindFirstRecordByData("integrations", "name", "Shop <-> ERP")
		return `{"integration":"` + integ.Id + `","name":"f","entity":"` + entity + `","source":"` + id(t, env, source) +
			`","target":"` + id(t, env, target) + `","enabled":true` + extra + `}`
	}
	post := func(name, entity, source, target, extra string, status int, want ...string) scenario {
		return scenario{name: name, as: "editor", method: http.MethodPost, url: fixed(flowsURL), seed: seedIntegration,
			status: status, want: want, notWant: []string{"webhook_secret"},
			bodyOf: func(env *testEnv) string { return body(env, entity, source, target, extra) }}
	}
	scenarios := []scenario{
		post("a flow gets the default schedule", "order", "Shop", "ERP", "", 200, `"schedule":"@every 5m"`),
		post("an empty schedule means manual only", "order", "Shop", "ERP", `,"schedule":""`, 200, `"schedule":""`),
		post("a bad schedule is refused", "order", "Shop", "ERP", `,"schedule":"every tuesday"`, 400, `"schedule":{"code":"validation_invalid_schedule"`),
		post("source and target must differ", "order", "Shop", "Shop", "", 400, `"validation_same_connection"`),
		post("the source must read the entity", "stock", "Shop", "ERP", "", 400, `"source":{"code":"validation_unsupported_entity","message":"Test Shop cannot read stocks."}`),
		post("the target must write the entity", "order", "ERP", "Shop", "", 400, `"target":{"code":"validation_unsupported_entity"`),
		post("the connections must be the integration's", "order", "Shop", "Other", "", 400, `"validation_not_in_integration"`),
		post("a mapping expression that does not parse is refused", "order", "Shop", "ERP",
			`,"mapping":{"in":[{"target":"number","expr":"trim(order_number"}]}`, 400,
			`"mapping":{"in.number":{"code":"validation_invalid_mapping"`, `unexpected token`),
		post("a target field the model lacks is refused", "order", "Shop", "ERP",
			`,"mapping":{"in":[{"target":"totals.totl","expr":"1"}]}`, 400,
			`"in.totals.totl":{"code":"validation_invalid_mapping"`),
		post("an unknown rule kind is refused", "order", "Shop", "ERP", `,"rules":[{"kind":"bogus","field":"status"}]`, 400,
			`"rules":{"code":"validation_invalid_rules","message":"Order: field status: rule 1 (bogus): unknown kind`),
		post("a rule reading a field the model lacks is refused", "order", "Shop", "ERP",
			`,"rules":[{"name":"markup","kind":"expr","field":"totals.total","expr":"totals.totl * 1.2"}]`, 400,
			`"rules":{"code":"validation_invalid_rules","message":"Order: field totals.total: column 8: rule 1 (markup): totals.totl is not a field of order`),
		post("a rule's value that cannot be its field's is refused", "order", "Shop", "ERP",
			`,"rules":[{"kind":"default","field":"totals.total","value":"\"abc\""}]`, 400,
			`"rules":{"code":"validation_invalid_rules","message":"Order: field totals.total: rule 1 (default): cannot parse \"abc\" as decimal`),
		post("a write mapping reading a field the model lacks is refused", "order", "Shop", "ERP",
			`,"mapping":{"out":[{"target":"grand_total","expr":"grand_total"}]}`, 400,
			`"mapping":{"out.grand_total":{"code":"validation_invalid_mapping","message":"Order: field grand_total: column 1: grand_total is not a field of order`),
		post("rules that are not a list are refused under rules", "order", "Shop", "ERP", `,"rules":"hello"`, 400,
			`"rules":{"code":"validation_invalid_rules","message":"Must be a list of rules, not a string."}`),
		post("a mapping that is not an object is refused under mapping", "order", "Shop", "ERP", `,"mapping":[1]`, 400,
			`"mapping":{"code":"validation_invalid_mapping","message":"Must be an object of \"in\" and \"out\" (lists of fields) and \"tables\", not an array."}`),
		post("a mapping's direction that is not a list is named", "order", "Shop", "ERP", `,"mapping":{"in":5}`, 400,
			`"mapping":{"code":"validation_invalid_mapping","message":"Must be an object of \"in\" and \"out\" (lists of fields) and \"tables\": in is a number."}`),
		post("a rule's misspelled key is refused, not left out", "order", "Shop", "ERP",
			`,"rules":[{"kind":"expr","field":"status","expr":"'cancelled'","wen":"totals.total < 1"}]`, 400,
			`"rules":{"code":"validation_invalid_rules","message":"Must be a list of rules: it has the unknown key \"wen\"."}`),
		post("a mapping field's misspelled key is refused", "order", "Shop", "ERP",
			`,"mapping":{"in":[{"target":"number","exp":"order_number"}]}`, 400,
			`"mapping":{"code":"validation_invalid_mapping","message":"Must be an object of \"in\" and \"out\" (lists of fields) and \"tables\": it has the unknown key \"exp\"."}`),
		post("a good mapping and rule are taken", "order", "Shop", "ERP",
			`,"mapping":{"in":[{"target":"number","expr":"trim(order_number)"}]},"rules":[{"kind":"filter","when":"status == 'cancelled'","reason":"cancelled"}]`, 200),
	}
	for _, sc := range scenarios {
		sc.run(t)
	}
}

// TestIntegrationOfOneConnectionIsRefused: an integration's two
// connections must differ, through the API as through Go.
func TestIntegrationOfOneConnectionIsRefused(t *testing.T) {
	scenario{name: "the same connection twice", as: "editor", method: http.MethodPost,
		url: fixed("/api/collections/integrations/records"), seed: seedIntegration, status: 400,
		want: []string{`"b":{"code":"validation_same_connection","message":"Must differ from the first connection."`},
		bodyOf: func(env *testEnv) string {
			return `{"name":"Loop","a":"` + id(t, env, "Shop") + `","b":"` + id(t, env, "Shop") + `"}`
		}}.run(t)
}

func id(t testing.TB, env *testEnv, name string) string {
	if name == "Other" {
		if _, err := env.app.FindFirstRecordByData(connectionsCollection, "name", "Other"); err != nil {
			env.saveConnection(t, "Other", "memory", map[string]any{"store": "other"}, nil)
		}
	}
	rec, err := env.app.FindFirstRecordByData(connectionsCollection, "name", name)
	if err != nil {
		t.Fatalf("connection %s: %v", name, err)
	}
	return rec.Id
}

// TestWebhooksOnlyFromASourceThatTakesThem: a flow whose source takes no
// webhooks (a folder) cannot be saved with webhooks on, which would give
// it an address that nothing can call; with webhooks off it saves.
func TestWebhooksOnlyFromASourceThatTakesThem(t *testing.T) {
	ends := newFolderAndStore(t)
	for _, webhook := range []bool{true, false} {
		err := ends.saveFlow(fmt.Sprintf("products %v", webhook), ends.files, ends.store, map[string]any{"webhook": webhook})
		switch {
		case webhook && (err == nil || !strings.Contains(err.Error(), "takes no webhooks")):
			t.Fatalf("a folder flow with webhooks on saved: %v", err)
		case !webhook && err != nil:
			t.Fatalf("a folder flow with webhooks off: %v", err)
		}
	}
}

// TestAFieldTheTargetCannotWriteIsRefusedAtSave: a write mapping whose
// field a folder target cannot write with the flow's options (a name XML
// cannot hold, a field outside the CSV columns) is refused when the flow
// is saved, naming the field, instead of failing every record.
func TestAFieldTheTargetCannotWriteIsRefusedAtSave(t *testing.T) {
	ends := newFolderAndStore(t)
	tests := []struct {
		name    string
		target  map[string]any
		out     string
		refused string // "" when it saves
	}{
		{"an XML element name with a space", map[string]any{"format": "xml"}, "Product Title", `"Product Title" is not a valid XML element name`},
		{"an XML name beginning with a digit", map[string]any{"format": "xml"}, "1Title", `"1Title" is not a valid XML element name`},
		{"an XML attribute name with a space", map[string]any{"format": "xml"}, "Title.@bad attr", `"bad attr" is not a valid XML attribute name`},
		{"good XML names", map[string]any{"format": "xml"}, "Title.@id", ""},
		{"a field outside the CSV columns", map[string]any{"format": "csv", "columns": "sku,name"}, "location", "not one of the CSV columns sku, name"},
		{"a CSV column", map[string]any{"format": "csv", "columns": "sku,name"}, "name", ""},
		{"any name in a CSV file without columns", map[string]any{"format": "csv"}, "Product Title", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ends.saveFlow(fmt.Sprintf("products %d", i), ends.store, ends.files, map[string]any{
				"options": map[string]any{"target": tt.target},
				"mapping": map[string]any{"out": []any{map[string]any{"target": tt.out, "expr": "sku"}}}})
			switch {
			case tt.refused == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.refused != "" && (err == nil || !strings.Contains(err.Error(), tt.refused)):
				t.Fatalf("saved with %v; want it refused with %q", err, tt.refused)
			}
		})
	}
}

// folderAndStore is an integration of a folder and a memory store, whose
// flows the tests save.
type folderAndStore struct {
	t            *testing.T
	env          *testEnv
	files, store *core.Record
	integration  string
}

func newFolderAndStore(t *testing.T) *folderAndStore {
	env := newTestEnv(t)
	if _, err := CreateFilesDir(env.app.DataDir()); err != nil {
		t.Fatal(err)
	}
	fs := &folderAndStore{t: t, env: env,
		files: env.saveConnection(t, "Files", "folder", map[string]any{"folder": "."}, nil),
		store: env.saveConnection(t, "Store", "memory", map[string]any{"store": "checks"}, nil)}
	fs.integration = newRecord(t, env.app, "integrations", map[string]any{"name": "Files <-> Store",
		"a": fs.files.Id, "b": fs.store.Id, "enabled": true}).Id
	return fs
}

// saveFlow saves a product flow from source to target with fields, and
// answers the save's error.
func (fs *folderAndStore) saveFlow(name string, source, target *core.Record, fields map[string]any) error {
	flows, err := fs.env.app.FindCollectionByNameOrId(flowsCollection)
	if err != nil {
		fs.t.Fatal(err)
	}
	flow := core.NewRecord(flows)
	flow.Load(map[string]any{"integration": fs.integration, "name": name, "entity": "product",
		"source": source.Id, "target": target.Id, "schedule": ""})
	flow.Load(fields)
	return fs.env.app.Save(flow)
}

// TestChangingAnIntegrationsConnectionMovesItsFlows: an integration given
// another connection kept its flows on the one it left, so they went on
// reading or writing a connection that was no longer the integration's,
// and every later save of them was refused ("must be one of the
// integration's two connections"). The flows move with it, in the same
// save; a flow that cannot use the new connection refuses the change,
// naming it, and nothing changes.
func TestChangingAnIntegrationsConnectionMovesItsFlows(t *testing.T) {
	w := newWorld(t)
	flow, _ := w.env.app.FindRecordById(flowsCollection, w.ids["flows"])
	integ := "/api/collections/integrations/records/" + flow.GetString("integration")
	shop, _ := w.env.app.FindFirstRecordByData(connectionsCollection, "name", "Shop") // testshop: reads orders, writes nothing

	status, body := w.call(http.MethodPatch, integ, RoleEditor, `{"b":"`+shop.Id+`"}`)
	if status != http.StatusBadRequest || !strings.Contains(body, `"b":{"code":"validation_flow_cannot_move"`) || !strings.Contains(body, `orders`) {
		t.Fatalf("a connection the flow cannot write to = %d %s, want 400 naming the flow", status, body)
	}
	if rec, _ := w.env.app.FindRecordById("integrations", flow.GetString("integration")); rec.GetString("b") != w.conn.b {
		t.Fatal("the refused change was saved")
	}
	if rec, _ := w.env.app.FindRecordById(flowsCollection, flow.Id); rec.GetString("target") != w.conn.b {
		t.Fatal("the flow moved although the change was refused")
	}

	spare := w.ids["connections"]
	if status, body := w.call(http.MethodPatch, integ, RoleEditor, `{"a":"`+spare+`"}`); status != http.StatusOK {
		t.Fatalf("moving the source = %d %s", status, body)
	}
	rec, _ := w.env.app.FindRecordById(flowsCollection, flow.Id)
	if rec.GetString("source") != spare || rec.GetString("target") != w.conn.b {
		t.Fatalf("the flow reads %s and writes %s, want %s and %s", rec.GetString("source"), rec.GetString("target"), spare, w.conn.b)
	}
	if status, body := w.call(http.MethodPatch, "/api/collections/flows/records/"+flow.Id, RoleEditor, `{"name":"renamed"}`); status != http.StatusOK {
		t.Fatalf("saving the moved flow = %d %s", status, body)
	}
	// Swapping the two ends leaves the flows as they are: they keep their direction.
	if status, body := w.call(http.MethodPatch, integ, RoleEditor, `{"a":"`+w.conn.b+`","b":"`+spare+`"}`); status != http.StatusOK {
		t.Fatalf("swapping the ends = %d %s", status, body)
	}
	if rec, _ := w.env.app.FindRecordById(flowsCollection, flow.Id); rec.GetString("source") != spare || rec.GetString("target") != w.conn.b {
		t.Fatalf("swapping the ends moved the flow: %s -> %s", rec.GetString("source"), rec.GetString("target"))
	}
}
