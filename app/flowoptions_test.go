package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// TestFlowOptionsAreCheckedWhenSaved: a flow's options must fit the
// engine's flow fields at the top level and, under "source" and "target",
// its connectors' flow fields for reading and for writing; what does not
// is refused with a 400 naming the option.
func TestFlowOptionsAreCheckedWhenSaved(t *testing.T) {
	const flowsURL = "/api/collections/flows/records"
	body := func(env *testEnv, options string) string {
		integ, _ := env.app.FindFirstRecordByData("integrations", "name", "Shop <-> ERP")
		return `{"integration":"` + integ.Id + `","name":"f","entity":"order","source":"` + id(t, env, "Shop") +
			`","target":"` + id(t, env, "ERP") + `","options":` + options + `}`
	}
	optionErr := func(path ...string) string {
		return `"options":{"` + strings.Join(path, `":{"`) + `":{"code":"validation_invalid_option"`
	}
	post := func(name, options string, status int, want ...string) scenario {
		return scenario{name: name, as: "editor", method: http.MethodPost, url: fixed(flowsURL), status: status, want: want,
			seed: seedIntegration, bodyOf: func(env *testEnv) string { return body(env, options) }}
	}
	scenarios := []scenario{
		post("the engine's options are kept as given", `{"ordered":true}`, 200, `"options":{"ordered":true}`),
		post("no options at all", `null`, 200, `"options":null`),
		post("an unknown engine option", `{"orderd":true}`, 400, optionErr("orderd"), "Unknown field."),
		post("an engine option of the wrong type", `{"ordered":"maybe"}`, 400, optionErr("ordered"), "Must be true or false, got maybe."),
		post("an option the source's connector does not have", `{"source":{"pattern":"*.csv"}}`, 400,
			optionErr("source", "pattern"), "Unknown field."),
		post("source options that are not an object", `{"source":"*.csv"}`, 400,
			`"options":{"source":{"code":"validation_invalid_option","message":"Must be an object of option names and values."}}`),
		post("options that are not an object", `["*.csv"]`, 400,
			`"options":{"code":"validation_invalid_option","message":"Must be an object of option names and values."}`),
		post("every bad option is named at once", `{"orderd":1,"source":{"x":1},"target":{"y":1}}`, 400,
			optionErr("orderd"), `"source":{"x":{"code":"validation_invalid_option"`, `"target":{"y":{"code":"validation_invalid_option"`),
		post("a bad option and a bad mapping are named together", `{"orderd":1},"mapping":{"in":[{"target":"totals.totl","expr":"1"}]}`, 400,
			optionErr("orderd"), `"in.totals.totl":{"code":"validation_invalid_mapping"`),
	}
	for _, sc := range scenarios {
		sc.run(t)
	}
}

// TestARunRefusesOptionsThatNoLongerFit: a flow whose stored options do
// not resolve (saved before the checks, or its connection changed
// connector since) does not run, and the error names every bad option.
func TestARunRefusesOptionsThatNoLongerFit(t *testing.T) {
	env := newTestEnv(t)
	env.sb.engine.cfg = fastEngine.withDefaults()
	src := env.saveConnection(t, "Source", "memory", map[string]any{"store": fmt.Sprintf("stale-%d", storeSeq.Add(1))}, nil)
	dst := env.saveConnection(t, "Target", "memory", map[string]any{"store": fmt.Sprintf("stale-%d", storeSeq.Add(1))}, nil)
	integ := newRecord(t, env.app, "integrations", map[string]any{"name": "Stale", "a": src.Id, "b": dst.Id, "enabled": true})
	col, err := env.app.FindCollectionByNameOrId(flowsCollection)
	if err != nil {
		t.Fatal(err)
	}
	flow := core.NewRecord(col)
	for k, v := range map[string]any{"integration": integ.Id, "name": "stale", "entity": "product", "source": src.Id,
		"target": dst.Id, "enabled": true, "options": map[string]any{"ordered": "maybe", "source": map[string]any{"pattern": "*"}}} {
		flow.Set(k, v)
	}
	if err := env.app.SaveNoValidate(flow); err != nil {
		t.Fatal(err)
	}
	if err := env.sb.engine.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.sb.engine.Stop)
	_, err = env.sb.engine.RunFlow(flow.Id, TriggerManual)
	want := `flow "stale": options: ordered: must be true or false, got maybe; source.pattern: unknown field`
	if err == nil || err.Error() != want {
		t.Fatalf("RunFlow = %v, want %s", err, want)
	}
}
