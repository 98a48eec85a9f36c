package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors/httpjson/fake"
)

// requireEnv returns the named variables, skipping the test when one is
// missing, or failing it when SWITCHBOARD_REQUIRE_IT=1 (as in CI).
func requireEnv(t *testing.T, names ...string) []string {
	t.Helper()
	values := make([]string, len(names))
	for i, name := range names {
		values[i] = os.Getenv(name)
		if values[i] == "" {
			if os.Getenv("SWITCHBOARD_REQUIRE_IT") == "1" {
				t.Fatalf("%s is not set: start the test servers (scripts/test.sh does)", name)
			}
			t.Skipf("%s is not set: the test server is absent", name)
		}
	}
	return values
}

// TestOutageGetsEveryRecordAndOneAlert: a target that answers 503 for a
// while (until it is marked down, then through probes that find it
// answering and writes that fail again) gets every record once it
// recovers, and the owner gets one mail for the outage and one when it is
// over, not one per record or per relapse.
func TestOutageGetsEveryRecordAndOneAlert(t *testing.T) {
	env := requireEnv(t, "SWITCHBOARD_IT_SMTP_ADDR", "SWITCHBOARD_IT_MAILPIT_API")
	smtpHost, smtpPort, _ := strings.Cut(env[0], ":")
	mailpit := env[1]
	clearMail(t, mailpit)

	const records = 300
	shop := fake.New()
	for i := range records {
		shop.Seed("products", map[string]any{"id": fmt.Sprint(i), "sku": fmt.Sprintf("SKU-%03d", i), "name": "Chair"})
	}
	shop.FailWrites(http.StatusServiceUnavailable, -1) // until the target is marked down
	srv := httptest.NewServer(shop)
	defer srv.Close()

	dir := t.TempDir()
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	a := serve(t, dir, []string{"SWITCHBOARD_RETRY_BASE=50ms", "SWITCHBOARD_RETRY_MAX=200ms",
		"SWITCHBOARD_PROBE_INTERVAL=300ms", "SWITCHBOARD_DOWN_AFTER=3"})
	token := a.superuser(t)
	port := 0
	fmt.Sscan(smtpPort, &port)
	if status := a.call(t, http.MethodPatch, "/api/settings", token, map[string]any{
		"meta": map[string]any{"appName": "Switchboard", "appURL": a.base, "senderName": "Switchboard", "senderAddress": "switchboard@example.com"},
		"smtp": map[string]any{"enabled": true, "host": smtpHost, "port": port},
	}, nil); status != http.StatusOK {
		t.Fatalf("saving SMTP settings: %d", status)
	}
	flow := setUpHTTPFlow(t, a, token, srv.URL)
	var flowRec struct {
		Integration string `json:"integration"`
		Target      string `json:"target"`
	}
	a.call(t, http.MethodGet, "/api/collections/flows/records/"+flow, token, nil, &flowRec)
	a.call(t, http.MethodPatch, "/api/collections/integrations/records/"+flowRec.Integration, token,
		map[string]any{"alert_emails": "owner@example.com"}, nil)

	a.runFlow(t, token, flow)
	// Failures count once per probe interval: the outage is called after
	// failing for two intervals.
	waitFor(t, "the target to be marked down", func() bool { return a.connectionStatus(t, token, flowRec.Target) == "down" })
	shop.FailWrites(http.StatusServiceUnavailable, 20) // a few rounds of probed, failing again, down
	waitFor(t, "every record to arrive", func() bool {
		return shop.Created() == records && a.count(t, token, "status!='succeeded'") == 0
	})
	if got := a.connectionStatus(t, token, flowRec.Target); got != "ok" {
		t.Fatalf("target status %q after the outage", got)
	}
	a.stop() // a mail the appliance would still send is sent by the time it has stopped
	subjects := mails(t, mailpit)
	if len(subjects) != 2 || !strings.Contains(strings.Join(subjects, "|"), "is not answering") ||
		!strings.Contains(strings.Join(subjects, "|"), "is back") {
		t.Fatalf("mails %q; want one for the outage and one when it is over", subjects)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (a *appliance) connectionStatus(t *testing.T, token, id string) string {
	var rec struct {
		Status string `json:"status"`
	}
	a.call(t, http.MethodGet, "/api/collections/connections/records/"+id, token, nil, &rec)
	return rec.Status
}

func clearMail(t *testing.T, api string) {
	req, _ := http.NewRequest(http.MethodDelete, api+"/api/v1/messages", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("emptying mailpit: %v", err)
	}
	res.Body.Close()
}

// mails returns the subjects of the mails mailpit holds.
func mails(t *testing.T, api string) []string {
	res, err := http.Get(api + "/api/v1/messages")
	if err != nil {
		t.Fatalf("reading mailpit: %v", err)
	}
	defer res.Body.Close()
	var list struct {
		Messages []struct {
			Subject string `json:"Subject"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil {
		t.Fatalf("reading mailpit: %v", err)
	}
	out := make([]string, len(list.Messages))
	for i, m := range list.Messages {
		out[i] = m.Subject
	}
	return out
}
