package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// hookApp registers webhooks: POST /webhooks {url, secret, entity}
// answers {"id"}; DELETE /webhooks/{id} removes one.
type hookApp struct {
	mu         sync.Mutex
	registered map[string]map[string]string
	made       int
	removed    int
}

func (a *hookApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/webhooks":
		var reg map[string]string
		_ = json.NewDecoder(r.Body).Decode(&reg)
		a.made++
		id := fmt.Sprintf("wh-%d", a.made)
		a.registered[id] = reg
		_ = json.NewEncoder(w).Encode(map[string]any{"id": id})
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/webhooks/"):
		id := strings.TrimPrefix(r.URL.Path, "/webhooks/")
		if _, ok := a.registered[id]; !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		delete(a.registered, id)
		a.removed++
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// only returns the one registration, or nil when there is none.
func (a *hookApp) only(t *testing.T) map[string]string {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.registered) > 1 {
		t.Fatalf("%d registrations, want at most one: %v", len(a.registered), a.registered)
	}
	for _, reg := range a.registered {
		return reg
	}
	return nil
}

func TestAWebhookFlowIsRegisteredInItsAppWhileItIsEnabled(t *testing.T) {
	env := newTestEnv(t)
	env.sb.engine.cfg = fastEngine.withDefaults()
	app := &hookApp{registered: map[string]map[string]string{}}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	src := env.saveConnection(t, "App", "http", map[string]any{"base_url": srv.URL, "webhook_register_path": "webhooks"}, nil)
	dst := env.saveConnection(t, "Store", "memory", map[string]any{"store": "registered-hooks"}, nil)
	integ := newRecord(t, env.app, "integrations", map[string]any{"name": "App <-> Store", "a": src.Id, "b": dst.Id, "enabled": true})
	flow := newRecord(t, env.app, flowsCollection, map[string]any{"integration": integ.Id, "name": "orders", "entity": "order",
		"source": src.Id, "target": dst.Id, "enabled": true, "webhook": true, "schedule": ""})
	if err := env.sb.engine.Start(); err != nil { // registers what was set up while it was stopped
		t.Fatal(err)
	}
	t.Cleanup(env.sb.engine.Stop)
	registered := func() bool { return app.only(t) != nil }
	gone := func() bool { return app.only(t) == nil }
	eventually(t, "the registration at start", registered)
	reg := app.only(t)
	secret, err := env.sb.WebhookSecret(flow)
	if err != nil || secret == "" || secret == flow.GetString("webhook_secret") {
		t.Fatalf("the flow's webhook secret opens as %q (%v); stored %q", secret, err, flow.GetString("webhook_secret"))
	}
	if reg["url"] != strings.TrimRight(env.app.Settings().Meta.AppURL, "/")+"/hooks/"+flow.Id ||
		reg["secret"] != secret || reg["entity"] != "order" {
		t.Fatalf("registered %v", reg)
	}
	set := func(rec *core.Record, field string, v any) {
		rec.Set(field, v)
		if err := env.app.Save(rec); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		what   string
		change func()
		want   func() bool
	}{
		{"the flow disabled", func() { set(flow, "enabled", false) }, gone},
		{"the flow enabled", func() { set(flow, "enabled", true) }, registered},
		{"webhooks off", func() { set(flow, "webhook", false) }, gone},
		{"webhooks on", func() { set(flow, "webhook", true) }, registered},
		{"the integration disabled", func() { set(integ, "enabled", false) }, gone},
		{"the integration enabled", func() { set(integ, "enabled", true) }, registered},
		{"the flow deleted", func() {
			if err := env.app.Delete(flow); err != nil {
				t.Fatal(err)
			}
		}, gone},
	}
	for _, step := range steps {
		step.change()
		eventually(t, step.what, step.want)
	}
	app.mu.Lock()
	defer app.mu.Unlock()
	if app.made != 4 || app.removed != 4 {
		t.Fatalf("%d registrations made and %d removed, want 4 and 4", app.made, app.removed)
	}
}
