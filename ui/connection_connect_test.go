package ui

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/rest/auth/authtest"
)

// TestConnectButtonConnectsAnOAuth2Connection: an editor presses Connect,
// consents at the app, and comes back to the connection's page connected;
// a connection with other credentials has no such button.
func TestConnectButtonConnectsAnOAuth2Connection(t *testing.T) {
	e := newEnv(t, false, true)
	server := authtest.New(authtest.Options{ClientID: "switchboard", ClientSecret: "client-secret-1",
		RedirectBase: "http://example.com/"})
	t.Cleanup(server.Close)
	saved, err := e.sb.SaveConnection(nil, app.ConnectionInput{Name: "Shop", Connector: "http",
		Config: map[string]any{"base_url": server.URL + "/api", "auth": auth.KindOAuth2,
			"oauth_auth_url": server.URL + "/authorize", "oauth_token_url": server.URL + "/token", "oauth_client_id": "switchboard"},
		Secrets: map[string]string{"oauth_client_secret": "client-secret-1"}})
	if err != nil {
		t.Fatal(err)
	}
	id := saved.Record.Id
	ed := e.as(editor)
	mustContain(t, "the OAuth2 connection's page", ed.get("/connections/"+id), `action="/connections/`+id+`/connect"`)
	mustNotContain(t, "the folder connection's page", ed.get("/connections/"+e.demo.SupplierID), `/connect"`)

	rec := ed.post("/connections/"+id+"/connect", nil)
	consent := consentURL(t, rec)
	if rec.Code != http.StatusOK || !strings.HasPrefix(consent, server.URL+"/authorize?") {
		t.Fatalf("Connect = %d to %q: %s", rec.Code, consent, truncated(body(rec)))
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(consent)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	callback, err := url.Parse(res.Header.Get("Location"))
	if err != nil || callback.Path != "/api/switchboard/oauth/callback" {
		t.Fatalf("the app sent the browser to %q (%v)", res.Header.Get("Location"), err)
	}
	rec = ed.get(callback.RequestURI())
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/connections/"+id {
		t.Fatalf("callback = %d to %q: %s", rec.Code, rec.Header().Get("Location"), truncated(body(rec)))
	}
	conn, _ := e.app.FindRecordById("connections", id)
	if names := app.SecretNames(conn); !strings.Contains(strings.Join(names, ","), "oauth_refresh_token") &&
		!strings.Contains(strings.Join(names, ","), "oauth_access_token") {
		t.Fatalf("no token kept after the connect: secrets %v", names)
	}
	if rec := e.as(operator).post("/connections/"+id+"/connect", nil); rec.Code != http.StatusForbidden {
		t.Fatalf("an operator pressing Connect got %d, want 403", rec.Code)
	}
}

// consentURL is the app's consent page that the answer to Connect sends
// the browser to: its page refreshes to it at once, and links to it for a
// browser that does not refresh. Both must name the same address.
func consentURL(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	page := html.UnescapeString(rec.Body.String())
	refresh := regexp.MustCompile(`<meta http-equiv="refresh" content="0; url=([^"]+)">`).FindStringSubmatch(page)
	link := regexp.MustCompile(`<a class="button" href="([^"]+)"`).FindStringSubmatch(page)
	if refresh == nil || link == nil || refresh[1] != link[1] {
		t.Fatalf("Connect's page (%d) neither refreshes to the consent page nor links to it: %s", rec.Code, truncated(page))
	}
	return refresh[1]
}

// TestAFailedConnectLeadsBackToTheConnection: when the app refuses the
// connect (the user said no at its consent page) or the code cannot be
// traded, the page that says so links back to the connection's page,
// where Connect can be pressed again, instead of ending there.
func TestAFailedConnectLeadsBackToTheConnection(t *testing.T) {
	e := newEnv(t, false, true)
	server := authtest.New(authtest.Options{ClientID: "switchboard", ClientSecret: "client-secret-1",
		RedirectBase: "http://example.com/"})
	t.Cleanup(server.Close)
	saved, err := e.sb.SaveConnection(nil, app.ConnectionInput{Name: "Shop", Connector: "http",
		Config: map[string]any{"base_url": server.URL + "/api", "auth": auth.KindOAuth2,
			"oauth_auth_url": server.URL + "/authorize", "oauth_token_url": server.URL + "/token", "oauth_client_id": "switchboard"},
		Secrets: map[string]string{"oauth_client_secret": "client-secret-1"}})
	if err != nil {
		t.Fatal(err)
	}
	id := saved.Record.Id
	ed := e.as(editor)
	for _, tc := range []struct {
		name, query string
		status      int
	}{
		{"refused at the app", "error=access_denied&error_description=The+user+said+no", http.StatusBadRequest},
		{"a code the app does not know", "code=not-a-code", http.StatusBadGateway},
	} {
		consent, err := url.Parse(consentURL(t, ed.post("/connections/"+id+"/connect", nil)))
		if err != nil {
			t.Fatal(err)
		}
		rec := ed.get("/api/switchboard/oauth/callback?state=" + url.QueryEscape(consent.Query().Get("state")) + "&" + tc.query)
		if rec.Code != tc.status {
			t.Errorf("%s: %d %s", tc.name, rec.Code, truncated(body(rec)))
		}
		mustContain(t, tc.name, rec, "Not connected", `<a href="/connections/`+id+`">`)
	}
}
