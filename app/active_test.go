package app

import (
	"errors"
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestFlowEnabledAgreesWithSQL keeps the Go rule and its SQL twin in step
// over every combination of the two switches.
func TestFlowEnabledAgreesWithSQL(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	integ, _ := fe.app.FindRecordById("integrations", fe.flow.GetString("integration"))
	for _, c := range []struct{ flow, integration bool }{{true, true}, {true, false}, {false, true}, {false, false}} {
		fe.flow.Set("enabled", c.flow)
		integ.Set("enabled", c.integration)
		if err := fe.app.Save(fe.flow); err != nil {
			t.Fatal(err)
		}
		if err := fe.app.Save(integ); err != nil {
			t.Fatal(err)
		}
		var ids []string
		if err := fe.app.DB().NewQuery(enabledFlowsSQL).Column(&ids); err != nil {
			t.Fatal(err)
		}
		if inSQL := len(ids) == 1; inSQL != flowEnabled(fe.flow, integ) || inSQL != (c.flow && c.integration) {
			t.Errorf("flow %v, integration %v: SQL says %v, Go says %v", c.flow, c.integration, inSQL, flowEnabled(fe.flow, integ))
		}
	}
}

// TestDisabledIntegrationStopsItsFlows: the integration's switch stops its
// flows everywhere: schedule, run now, claims and webhooks.
func TestDisabledIntegrationStopsItsFlows(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, map[string]any{"schedule": "@every 1h"})
	if _, scheduled := fe.sb.engine.sched.entries[fe.flow.Id]; !scheduled {
		t.Fatal("the enabled flow is not scheduled")
	}
	integ, _ := fe.app.FindRecordById("integrations", fe.flow.GetString("integration"))
	integ.Set("enabled", false)
	if err := fe.app.Save(integ); err != nil {
		t.Fatal(err)
	}
	fe.sb.engine.sched.mu.Lock()
	_, scheduled := fe.sb.engine.sched.entries[fe.flow.Id]
	fe.sb.engine.sched.mu.Unlock()
	if scheduled {
		t.Error("a flow of a disabled integration is still scheduled")
	}
	if _, err := fe.sb.engine.RunFlow(fe.flow.Id, TriggerManual); !errors.Is(err, ErrFlowDisabled) {
		t.Errorf("run now = %v, want ErrFlowDisabled", err)
	}
	for _, id := range fe.sb.engine.activeFlows() {
		if id == fe.flow.Id {
			t.Error("a flow of a disabled integration is claimed from")
		}
	}
	integ.Set("enabled", true)
	if err := fe.app.Save(integ); err != nil {
		t.Fatal(err)
	}
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
}

func TestWebhookToADisabledIntegrationIsRefused(t *testing.T) {
	scenario{name: "a webhook for a flow of a disabled integration finds no flow", method: http.MethodPost, url: hookURL,
		body: hookBody, headers: signed("hook-secret", hookBody, "d-1"), status: 404,
		seed: func(t testing.TB, env *testEnv) {
			seedWebhookFlow(true)(t, env)
			integ, _ := env.app.FindFirstRecordByData("integrations", "name", "Shop <-> ERP")
			integ.Set("enabled", false)
			if err := env.app.Save(integ); err != nil {
				t.Fatal(err)
			}
		},
		after: func(t testing.TB, env *testEnv) {
			if n := countTransactions(t, env); n != 0 {
				t.Fatalf("%d transactions stored", n)
			}
		}}.run(t)
}

// TestDefaults: an integration made through the API is enabled unless the
// request says otherwise; a flow fed by webhooks polls only when told to.
func TestDefaults(t *testing.T) {
	integrationBody := func(env *testEnv, extra string) string {
		shop, _ := env.app.FindFirstRecordByData(connectionsCollection, "name", "Shop")
		erp, _ := env.app.FindFirstRecordByData(connectionsCollection, "name", "ERP")
		return `{"name":"New","a":"` + shop.Id + `","b":"` + erp.Id + `"` + extra + `}`
	}
	flowBody := func(env *testEnv, extra string) string {
		integ, _ := env.app.FindFirstRecordByData("integrations", "name", "Shop <-> ERP")
		return `{"integration":"` + integ.Id + `","name":"f","entity":"order","source":"` + id(t, env, "Shop") +
			`","target":"` + id(t, env, "ERP") + `"` + extra + `}`
	}
	post := func(name, collection string, body func(*testEnv, string) string, extra string, want string) scenario {
		return scenario{name: name, as: "editor", method: http.MethodPost, url: fixed("/api/collections/" + collection + "/records"),
			seed: seedIntegration, status: 200, want: []string{want},
			bodyOf: func(env *testEnv) string { return body(env, extra) }}
	}
	for _, sc := range []scenario{
		post("a new integration is enabled", "integrations", integrationBody, "", `"enabled":true`),
		post("unless the request says otherwise", "integrations", integrationBody, `,"enabled":false`, `"enabled":false`),
		post("a webhook flow has no schedule by default", "flows", flowBody, `,"webhook":true`, `"schedule":""`),
		post("unless one is set", "flows", flowBody, `,"webhook":true,"schedule":"@hourly"`, `"schedule":"@hourly"`),
		post("a polled flow gets the default schedule", "flows", flowBody, "", `"schedule":"@every 5m"`),
	} {
		sc.run(t)
	}
}

// TestEmptyScheduledRunsAreNotKept: a flow polled every five minutes
// would fill Activity with runs that read nothing.
func TestEmptyScheduledRunsAreNotKept(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	runs := func(trigger string) int {
		n, err := fe.app.CountRecords("runs", dbx.HashExp{"flow": fe.flow.Id, "trigger": trigger})
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	finished := func() bool {
		_, running := fe.sb.engine.runs.running[fe.flow.Id]
		return !running
	}
	for range 2 {
		fe.sb.engine.scheduledRun(fe.flow.Id)
		eventually(t, "the scheduled run to end", func() bool {
			fe.sb.engine.runs.mu.Lock()
			defer fe.sb.engine.runs.mu.Unlock()
			return finished()
		})
	}
	if n := runs(TriggerSchedule); n != 0 {
		t.Fatalf("%d empty scheduled runs kept", n)
	}
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.sb.engine.scheduledRun(fe.flow.Id)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
	if n := runs(TriggerSchedule); n != 1 {
		t.Fatalf("%d scheduled runs kept, want the one that read a record", n)
	}
	fe.run(t)
	eventually(t, "the manual run to be kept", func() bool { return runs(TriggerManual) == 1 })
}

// TestFullFeedWritesUnchangedRecords: a target that expects the whole feed
// every run (a price list) gets unchanged records too when the flow says
// so; otherwise they are skipped as unchanged.
func TestFullFeedWritesUnchangedRecords(t *testing.T) {
	for _, full := range []bool{false, true} {
		fe := newFlowEnv(t, connectors.Product, map[string]any{"options": map[string]any{OptionFullFeed: full}})
		fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
		fe.run(t)
		fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
		fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
		fe.run(t)
		want := map[string]int{StatusSucceeded: 1, StatusSkipped: 1}
		if full {
			want = map[string]int{StatusSucceeded: 2}
		}
		fe.waitStatuses(t, want)
		if writes := fe.target.Writes(); writes != want[StatusSucceeded] {
			t.Errorf("full feed %v: %d writes, want %d", full, writes, want[StatusSucceeded])
		}
	}
}
