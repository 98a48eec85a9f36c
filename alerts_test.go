package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors/httpjson/fake"
)

// TestFailureAlertWaitsForTheMailServer: failures that could not be mailed
// because the mail server did not answer are not lost: once the SMTP
// settings are right, one mail reaches the server with all of them, its
// subject in words, an HTML part linking to the flow's failed transactions
// on the Activity page, and a text part.
func TestFailureAlertWaitsForTheMailServer(t *testing.T) {
	env := requireEnv(t, "SWITCHBOARD_IT_SMTP_ADDR", "SWITCHBOARD_IT_MAILPIT_API")
	smtpHost, smtpPort, _ := strings.Cut(env[0], ":")
	mailpit := env[1]
	clearMail(t, mailpit)

	shop := fake.New()
	for i := range 3 {
		shop.Seed("products", map[string]any{"id": fmt.Sprint(i), "sku": fmt.Sprintf("SKU-%d", i), "name": "Chair"})
	}
	shop.FailWrites(http.StatusUnprocessableEntity, -1)
	srv := httptest.NewServer(shop)
	defer srv.Close()

	dir := t.TempDir()
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	a := serve(t, dir, nil)
	token := a.superuser(t)
	_, closed, _ := net.SplitHostPort(freeAddr(t)) // nothing listens there
	setSMTP(t, a, token, "127.0.0.1", closed)
	flow := setUpHTTPFlow(t, a, token, srv.URL)
	var flowRec struct {
		Integration string `json:"integration"`
	}
	a.call(t, http.MethodGet, "/api/collections/flows/records/"+flow, token, nil, &flowRec)
	a.call(t, http.MethodPatch, "/api/collections/integrations/records/"+flowRec.Integration, token,
		map[string]any{"alert_emails": "owner@example.com"}, nil)

	a.runFlow(t, token, flow)
	waitFor(t, "three failures", func() bool { return a.count(t, token, "status='failed'") == 3 })
	waitFor(t, "the alert to be held", func() bool {
		return strings.Contains(unsentReason(t, a, token, flow), "the mail server did not take the alert")
	})
	if got := mails(t, mailpit); len(got) != 0 {
		t.Fatalf("mails %q before the mail server was set", got)
	}

	setSMTP(t, a, token, smtpHost, smtpPort)
	waitFor(t, "the alert mail", func() bool { return len(mails(t, mailpit)) > 0 })
	msg := firstMail(t, mailpit)
	link := a.base + "/activity?flow=" + flow + "&status=failed"
	if msg.Subject != "3 products failed in Shop -> ERP" || !strings.Contains(msg.HTML, `href="`+strings.ReplaceAll(link, "&", "&amp;")+`"`) ||
		!strings.Contains(msg.Text, link) || strings.Count(msg.Text, "422 Unprocessable") != 3 {
		t.Fatalf("mail %q\nhtml:\n%s\ntext:\n%s", msg.Subject, msg.HTML, msg.Text)
	}
	waitFor(t, "the reason to be cleared", func() bool { return unsentReason(t, a, token, flow) == "" })
}

// setSMTP points the appliance's mail settings at host:port.
func setSMTP(t *testing.T, a *appliance, token, host, port string) {
	t.Helper()
	n := 0
	fmt.Sscan(port, &n)
	if status := a.call(t, http.MethodPatch, "/api/settings", token, map[string]any{
		"meta": map[string]any{"appName": "Switchboard", "appURL": a.base, "senderName": "Switchboard", "senderAddress": "switchboard@example.com"},
		"smtp": map[string]any{"enabled": true, "host": host, "port": n},
	}, nil); status != http.StatusOK {
		t.Fatalf("saving SMTP settings: %d", status)
	}
}

// unsentReason reads why the flow's failures were not mailed yet.
func unsentReason(t *testing.T, a *appliance, token, flow string) string {
	t.Helper()
	var list struct {
		Items []struct {
			UnsentReason string `json:"unsent_reason"`
		} `json:"items"`
	}
	a.call(t, http.MethodGet, "/api/collections/alerts/records?filter="+urlQuery("flow='"+flow+"'"), token, nil, &list)
	if len(list.Items) == 0 {
		return ""
	}
	return list.Items[0].UnsentReason
}

// mailpitMessage is a mail as mailpit's API gives it.
type mailpitMessage struct {
	Subject string `json:"Subject"`
	HTML    string `json:"HTML"`
	Text    string `json:"Text"`
}

// firstMail reads the oldest mail mailpit holds.
func firstMail(t *testing.T, api string) mailpitMessage {
	t.Helper()
	var list struct {
		Messages []struct {
			ID string `json:"ID"`
		} `json:"messages"`
	}
	getJSON(t, api+"/api/v1/messages", &list)
	var msg mailpitMessage
	getJSON(t, api+"/api/v1/message/"+list.Messages[len(list.Messages)-1].ID, &msg)
	return msg
}

func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("reading mailpit: %v", err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatalf("reading mailpit: %v", err)
	}
}
