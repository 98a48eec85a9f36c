package main

import (
	"net/http"
	"testing"
)

// TestWebhookAddressIsWhereServeListens: until an admin sets the
// Application URL, a flow's webhook address (and its alert mails' link)
// names the address and scheme serve listens on: plain HTTP for --http,
// though PocketBase's server always carries a TLS configuration.
func TestWebhookAddressIsWhereServeListens(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	a := serve(t, dir, nil)
	token := a.superuser(t)
	flow, _ := webhookFlow(t, a, token)
	var hook struct {
		URL string `json:"url"`
	}
	a.call(t, http.MethodGet, "/api/switchboard/flows/"+flow+"/webhook", token, nil, &hook)
	if want := a.base + "/hooks/" + flow; hook.URL != want {
		t.Fatalf("the webhook address is %q, want %q", hook.URL, want)
	}
}
