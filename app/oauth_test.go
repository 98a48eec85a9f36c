package app

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/secrets"
	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/httpjson/fake"
	"github.com/switchboard-app/switchboard/connectors/memory"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/rest/auth/authtest"
)

// connectEnv is Switchboard served over HTTP, a shop behind an in-process
// OAuth2 authorization server, and a flow of products from a memory store
// into the shop through an oauth2 http connection.
type connectEnv struct {
	env    *testEnv
	server *httptest.Server // Switchboard
	auth   *authtest.Server
	shop   *fake.Server
	conn   *core.Record
	source *memory.Store
	flow   *core.Record
}

func newConnectEnv(t *testing.T) *connectEnv {
	t.Helper()
	ce := &connectEnv{env: newTestEnv(t), shop: fake.New()}
	useMailServer(ce.env.app)
	ce.env.sb.engine.cfg = fastEngine.withDefaults()
	var mux atomic.Pointer[http.Handler]
	ce.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*mux.Load()).ServeHTTP(w, r) }))
	t.Cleanup(ce.server.Close)
	ce.auth = authtest.New(authtest.Options{ClientID: "switchboard", ClientSecret: "client-secret-1",
		RedirectBase: ce.server.URL + "/", API: ce.shop})
	t.Cleanup(ce.auth.Close)
	ce.conn = ce.env.saveConnection(t, "Shop", "http", map[string]any{"base_url": ce.auth.URL + "/api", "auth": auth.KindOAuth2,
		"oauth_auth_url": ce.auth.URL + "/authorize", "oauth_token_url": ce.auth.URL + "/token", "oauth_client_id": "switchboard"},
		map[string]string{"oauth_client_secret": "client-secret-1"})
	store := fmt.Sprintf("oauth-src-%d", storeSeq.Add(1))
	src := ce.env.saveConnection(t, "Catalogue", "memory", map[string]any{"store": store}, nil)
	ce.source = memory.Open(store)
	integ := newRecord(t, ce.env.app, "integrations", map[string]any{"name": "Catalogue <-> Shop", "a": src.Id, "b": ce.conn.Id,
		"enabled": true, "alert_emails": "owner@example.com"})
	ce.flow = newRecord(t, ce.env.app, "flows", map[string]any{"integration": integ.Id, "name": "products", "entity": "product",
		"source": src.Id, "target": ce.conn.Id, "enabled": true, "schedule": ""})
	m := servedMux(t, ce.env)
	mux.Store(&m)
	return ce
}

// browser keeps cookies and shows redirects instead of following them.
type browser struct{ client *http.Client }

func newBrowser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(t *testing.T, address, token string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, address, nil)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// startConnect presses Connect as an editor and gives consent at the app:
// it returns the callback address the app sends the browser to.
func (ce *connectEnv) startConnect(t *testing.T, b *browser) string {
	t.Helper()
	return consent(t, b, ce.server.URL, ce.conn.Id, ce.env.tokens[RoleEditor])
}

func (ce *connectEnv) connected(t *testing.T) {
	t.Helper()
	connectOAuth(t, ce.server.URL, ce.conn.Id, ce.env.tokens[RoleEditor])
}

func (ce *connectEnv) statuses(t *testing.T) map[string]int {
	t.Helper()
	return (&flowEnv{testEnv: ce.env, flow: ce.flow}).statuses(t)
}

func (ce *connectEnv) run(t *testing.T, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		ce.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%d", i), "Chair"))
	}
	eventually(t, "the run to start", func() bool {
		_, err := ce.env.sb.engine.RunFlow(ce.flow.Id, TriggerManual)
		return err == nil
	})
}

func (ce *connectEnv) connection(t *testing.T) *core.Record {
	t.Helper()
	rec, err := ce.env.app.FindRecordById(connectionsCollection, ce.conn.Id)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestTheConnectStateIsBoundToTheBrowserSession(t *testing.T) {
	ce := newConnectEnv(t)
	b := newBrowser()
	callback := ce.startConnect(t, b)
	forged, _ := url.Parse(callback)
	q := forged.Query()
	q.Set("state", "forged-state")
	forged.RawQuery = q.Encode()
	tests := []struct {
		name    string
		browser *browser
		address string
		status  int
		want    string
	}{
		{"a forged state", b, forged.String(), http.StatusBadRequest, "unknown, expired or already used"},
		{"another browser session", newBrowser(), callback, http.StatusBadRequest, "started in another browser session"},
		{"the browser that started it", b, callback, http.StatusOK, `&#34;Shop&#34; is connected`},
		{"the same state replayed", b, callback, http.StatusBadRequest, "unknown, expired or already used"},
	}
	for _, tt := range tests {
		res, body := tt.browser.get(t, tt.address, "")
		if res.StatusCode != tt.status || !strings.Contains(body, tt.want) {
			t.Fatalf("%s: %d %s; want %d %q", tt.name, res.StatusCode, body, tt.status, tt.want)
		}
		checkConnectPageHeaders(t, tt.name, res)
	}
	rec := ce.connection(t)
	sealed := sealedSecrets(rec)
	for _, name := range []string{auth.AccessTokenSecret, auth.RefreshTokenSecret, auth.TokenInfoSecret} {
		if !secrets.IsSealed(sealed[name]) {
			t.Errorf("secret %s is %q, want it sealed", name, sealed[name])
		}
	}
	if rec.GetString("status") != ConnOK {
		t.Fatalf("status %q after connecting", rec.GetString("status"))
	}
}

func TestAnOAuth2ConnectionRefreshesAndAsksToBeConnectedAgain(t *testing.T) {
	ce := newConnectEnv(t)
	ce.connected(t)
	plain, _ := ce.env.sb.ConnectionSecrets(ce.connection(t))
	ce.run(t, 0, 10)
	eventually(t, "10 products in the shop", func() bool { return ce.statuses(t)[StatusSucceeded] == 10 })

	// The access token dies between runs: the next run refreshes it.
	ce.auth.RevokeAccess()
	ce.run(t, 10, 20)
	eventually(t, "20 products in the shop", func() bool { return ce.statuses(t)[StatusSucceeded] == 20 })
	refreshed, _ := ce.env.sb.ConnectionSecrets(ce.connection(t))
	if ce.auth.Refreshes() != 1 || refreshed[auth.RefreshTokenSecret] == plain[auth.RefreshTokenSecret] {
		t.Fatalf("%d refreshes; the rotated refresh token kept: %v", ce.auth.Refreshes(),
			refreshed[auth.RefreshTokenSecret] != plain[auth.RefreshTokenSecret])
	}

	// Somebody disconnects Switchboard in the app: the connection needs
	// reconnecting, its records wait, one mail says so.
	ce.auth.RevokeAll()
	ce.run(t, 20, 25)
	eventually(t, "the connection to need reconnecting", func() bool { return ce.connection(t).GetString("status") == ConnReconnect })
	eventually(t, "the waiting records", func() bool { return ce.statuses(t)[StatusRetrying] == 5 })
	if got := ce.statuses(t); got[StatusFailed] != 0 {
		t.Fatalf("transactions by status %v: none may fail", got)
	}
	// The mail goes out after the status is saved, as the records wait.
	eventually(t, "the mail asking to connect again", func() bool { return ce.env.app.TestMailer.TotalSend() > 0 })
	if n := ce.env.app.TestMailer.TotalSend(); n != 1 || !strings.Contains(ce.env.app.TestMailer.FirstMessage().Subject, "must be connected again") {
		t.Fatalf("%d mails, want one saying the connection must be connected again", n)
	}
	if msg := ce.connection(t).GetString("status_message"); !strings.Contains(msg, "the app refused the refresh token") {
		t.Fatalf("status message %q", msg)
	}

	// Connected again: the waiting records go.
	ce.connected(t)
	eventually(t, "25 products in the shop", func() bool { return ce.statuses(t)[StatusSucceeded] == 25 })
	if rec := ce.connection(t); rec.GetString("status") != ConnOK || ce.shop.Created() != 25 {
		t.Fatalf("status %q, %d products in the shop", rec.GetString("status"), ce.shop.Created())
	}
	if n := ce.env.app.TestMailer.TotalSend(); n != 1 {
		t.Fatalf("%d mails, want only the one asking to connect again", n)
	}
}

func decodeInto(body string, v any) error { return json.Unmarshal([]byte(body), v) }

// TestAConnectEndsWithItsUsersAccess: a connect is finished by the
// callback, which carries no sign-in of its own; it saves the tokens only
// while the person who pressed Connect may still change the connection.
// One disabled, given a lower role or deleted in the meantime gets
// nothing saved, as their sessions and API tokens end at once.
func TestAConnectEndsWithItsUsersAccess(t *testing.T) {
	tests := []struct {
		name   string
		change func(app core.App, user *core.Record) error
	}{
		{"disabled", func(app core.App, user *core.Record) error { user.Set("disabled", true); return app.Save(user) }},
		{"made a viewer", func(app core.App, user *core.Record) error { user.Set("role", RoleViewer); return app.Save(user) }},
		{"deleted", func(app core.App, user *core.Record) error { return app.Delete(user) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce := newConnectEnv(t)
			b := newBrowser()
			callback := ce.startConnect(t, b)
			user, err := ce.env.app.FindRecordById("users", ce.env.users[RoleEditor].Id)
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.change(ce.env.app, user); err != nil {
				t.Fatal(err)
			}
			res, body := b.get(t, callback, "")
			if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "may no longer change") {
				t.Fatalf("the callback = %d %s; want 403", res.StatusCode, body)
			}
			if sealed := sealedSecrets(ce.connection(t)); sealed[auth.AccessTokenSecret] != "" || sealed[auth.RefreshTokenSecret] != "" {
				t.Fatalf("tokens saved for a connect whose user was %s", tt.name)
			}
		})
	}
}

// TestAConnectionTestKeepsTheTokensItsRefreshSaved: a test of an OAuth2
// connection whose access token died refreshes it, and the app rotates
// the refresh token. The test's verdict is saved on the connection as it
// is now, so that the new tokens are kept: saved on the record as it was
// read before the test, the old refresh token came back, and once the
// appliance restarted the app refused it and the connection had to be
// connected again.
func TestAConnectionTestKeepsTheTokensItsRefreshSaved(t *testing.T) {
	ce := newConnectEnv(t)
	ce.connected(t)
	before, _ := ce.env.sb.ConnectionSecrets(ce.connection(t))
	ce.auth.RevokeAccess()
	req, _ := http.NewRequest(http.MethodPost, ce.server.URL+APIPrefix+"/connections/"+ce.conn.Id+"/test", nil)
	req.Header.Set("Authorization", ce.env.tokens[RoleOperator])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ok":true`) || ce.auth.Refreshes() != 1 {
		t.Fatalf("the test = %d %s after %d refreshes, want ok after one", res.StatusCode, body, ce.auth.Refreshes())
	}
	rec := ce.connection(t)
	after, _ := ce.env.sb.ConnectionSecrets(rec)
	if after[auth.RefreshTokenSecret] == before[auth.RefreshTokenSecret] {
		t.Fatal("the rotated refresh token was lost: the old one is stored again")
	}
	if rec.GetString("status") != ConnOK || rec.GetDateTime("checked").IsZero() {
		t.Fatalf("status %q, checked %v: the verdict was not kept", rec.GetString("status"), rec.GetDateTime("checked"))
	}
}

// checkConnectPageHeaders fails unless the page a connect ends on carries
// the headers of the UI's pages: it loads and runs nothing, is framed by
// nobody, is kept by no cache, and its address (which holds the app's
// code) is sent as nobody's referrer.
func checkConnectPageHeaders(t *testing.T, what string, res *http.Response) {
	t.Helper()
	for name, want := range map[string]string{
		"Content-Security-Policy": connectPagePolicy,
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Cache-Control":           "no-store",
	} {
		if got := res.Header.Get(name); got != want {
			t.Errorf("%s: the page's %s is %q, want %q", what, name, got, want)
		}
	}
}
