package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/auth/authtest"
)

func TestClientCredentialsTokensAreReusedAndRenewed(t *testing.T) {
	srv := authtest.New(authtest.Options{ClientID: "switchboard", ClientSecret: "client-secret-1"})
	defer srv.Close()
	values := map[string]any{"auth": KindClientCredentials, "oauth_token_url": srv.URL + "/token", "oauth_client_id": "switchboard"}
	saved := &keeper{}
	env := connectors.Env{Shared: connectors.NewShared(), Secrets: saved}
	c := client(t, srv.URL+"/api", resolve(t, values, map[string]string{"oauth_client_secret": "client-secret-1"}), env)
	for range 3 {
		if err := get(t, c, "me"); err != nil {
			t.Fatal(err)
		}
	}
	if srv.Grants() != 1 || saved.get(AccessTokenSecret) == "" {
		t.Fatalf("%d tokens for 3 calls (kept: %v), want 1, kept", srv.Grants(), saved.get(AccessTokenSecret) != "")
	}
	srv.RevokeAccess()
	if err := get(t, c, "me"); err != nil || srv.Grants() != 2 {
		t.Fatalf("after the app dropped the token: %v, %d tokens; want a new token and success", err, srv.Grants())
	}
	wrong := client(t, srv.URL+"/api", resolve(t, values, map[string]string{"oauth_client_secret": "client-secret-2"}), connectors.Env{})
	err := get(t, wrong, "me")
	if class, _ := connectors.Classify(err); class != connectors.ClassPermanent || !strings.Contains(err.Error(), "login refused") {
		t.Fatalf("a wrong client secret = %v (%s), want a permanent refusal", err, class)
	}
}

// connect runs the authorization code flow as a person would: the consent
// page (the server agrees at once) sends the browser back with a code.
func connect(t *testing.T, ac *AuthCode, redirect string) map[string]string {
	t.Helper()
	authURL, verifier, err := ac.AuthCodeURL(redirect, "state-1")
	if err != nil {
		t.Fatal(err)
	}
	back := follow(t, authURL)
	if back.Query().Get("state") != "state-1" || back.Query().Get("code") == "" {
		t.Fatalf("the consent page sent the browser to %s", back)
	}
	if _, err := ac.ExchangeCode(context.Background(), redirect, back.Query().Get("code"), "wrong-"+verifier); err == nil {
		t.Fatal("a code was exchanged with another PKCE verifier")
	}
	back = follow(t, authURL)
	secrets, err := ac.ExchangeCode(context.Background(), redirect, back.Query().Get("code"), verifier)
	if err != nil {
		t.Fatal(err)
	}
	return secrets
}

// follow asks for an address and returns where it redirects.
func follow(t *testing.T, address string) *url.URL {
	t.Helper()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(address)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusFound {
		t.Fatalf("%s answered %d, %v", address, res.StatusCode, err)
	}
	return loc
}

func codeConfig(t *testing.T, srv *authtest.Server, secrets map[string]string) connectors.Config {
	all := map[string]string{"oauth_client_secret": "client-secret-1"}
	for k, v := range secrets {
		all[k] = v
	}
	return resolve(t, map[string]any{"auth": KindOAuth2, "oauth_auth_url": srv.URL + "/authorize",
		"oauth_token_url": srv.URL + "/token", "oauth_client_id": "switchboard", "oauth_scopes": "orders"}, all)
}

func TestAuthorizationCodeWithPKCE(t *testing.T) {
	const redirect = "https://switchboard.example/api/switchboard/oauth/callback"
	srv := authtest.New(authtest.Options{ClientID: "switchboard", ClientSecret: "client-secret-1", RedirectBase: "https://switchboard.example/"})
	defer srv.Close()
	secrets := connect(t, NewAuthCode(codeConfig(t, srv, nil), connectors.Env{Shared: connectors.NewShared()}, http.DefaultClient), redirect)
	if secrets[AccessTokenSecret] == "" || secrets[RefreshTokenSecret] == "" {
		t.Fatalf("the connect kept %v", secrets)
	}

	// The engine seals the secrets into the connection and opens it.
	saved := &keeper{}
	env := connectors.Env{Shared: connectors.NewShared(), Secrets: saved}
	c := client(t, srv.URL+"/api", codeConfig(t, srv, secrets), env)
	if err := get(t, c, "me"); err != nil || srv.Refreshes() != 0 {
		t.Fatalf("a call with a fresh token: %v, %d refreshes", err, srv.Refreshes())
	}

	// The app drops the access token: the refresh token gets a new one,
	// and the app rotates the refresh token; the new ones are kept.
	srv.RevokeAccess()
	if err := get(t, c, "me"); err != nil || srv.Refreshes() != 1 {
		t.Fatalf("a call after the access token was dropped: %v, %d refreshes", err, srv.Refreshes())
	}
	if saved.get(RefreshTokenSecret) == "" || saved.get(RefreshTokenSecret) == secrets[RefreshTokenSecret] {
		t.Fatal("the rotated refresh token was not kept")
	}
	// The old refresh token is dead: a connection still holding it must
	// be connected again.
	stale := client(t, srv.URL+"/api", codeConfig(t, srv, expired(secrets)), connectors.Env{Shared: connectors.NewShared()})
	if err := get(t, stale, "me"); !errors.Is(err, connectors.ErrReconnectNeeded) {
		t.Fatalf("a call with a rotated-away refresh token = %v, want reconnect needed", err)
	}

	// A person disconnects Switchboard in the app: reconnect needed.
	srv.RevokeAll()
	err := get(t, c, "me")
	if !errors.Is(err, connectors.ErrReconnectNeeded) || !strings.Contains(err.Error(), "the app refused the refresh token") {
		t.Fatalf("a call after the app revoked the tokens = %v, want reconnect needed", err)
	}
}

// TestARenewedTokenIsKeptBeforeItIsUsed: when the renewed token cannot be
// kept (the save fails, as a crash between the refresh and the save
// would lose it), it is not used: the call fails as transient, and the
// next call keeps the same token first and then uses it, without a second
// refresh (the app rotated the refresh token away at the first).
func TestARenewedTokenIsKeptBeforeItIsUsed(t *testing.T) {
	const redirect = "https://switchboard.example/cb"
	var seen []string
	var mu sync.Mutex
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"name":"Shop X"}`))
	})
	srv := authtest.New(authtest.Options{ClientID: "switchboard", ClientSecret: "client-secret-1",
		RedirectBase: "https://switchboard.example/", API: api})
	defer srv.Close()
	secrets := connect(t, NewAuthCode(codeConfig(t, srv, nil), connectors.Env{Shared: connectors.NewShared()}, http.DefaultClient), redirect)
	saved := &keeper{}
	saved.failWith(errors.New("the database is locked"))
	c := client(t, srv.URL+"/api", codeConfig(t, srv, expired(secrets)), connectors.Env{Shared: connectors.NewShared(), Secrets: saved})

	err := get(t, c, "me")
	if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassTransient || !strings.Contains(err.Error(), "keeping the renewed OAuth2 token") {
		t.Fatalf("a call whose renewed token could not be kept = %v (%s), want a transient failure", err, class)
	}
	if len(seen) != 0 || srv.Refreshes() != 1 {
		t.Fatalf("the app got %d calls and %d refreshes; a token not kept must not be used", len(seen), srv.Refreshes())
	}

	saved.failWith(nil)
	if err := get(t, c, "me"); err != nil {
		t.Fatal(err)
	}
	if srv.Refreshes() != 1 || len(seen) != 1 || seen[0] != "Bearer "+saved.get(AccessTokenSecret) {
		t.Fatalf("%d refreshes, calls with %q, kept %q: want the one renewed token kept, then used", srv.Refreshes(), seen, saved.get(AccessTokenSecret))
	}
}

// expired marks kept tokens as about to expire.
func expired(secrets map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range secrets {
		out[k] = v
	}
	var info tokenInfo
	_ = json.Unmarshal([]byte(out[TokenInfoSecret]), &info)
	info.Obtained, info.Expiry = time.Now().Add(-time.Hour), time.Now().Add(time.Second)
	data, _ := json.Marshal(info)
	out[TokenInfoSecret] = string(data)
	return out
}

func TestATokenIsRefreshedBeforeItExpires(t *testing.T) {
	const redirect = "https://switchboard.example/cb"
	srv := authtest.New(authtest.Options{ClientID: "switchboard", ClientSecret: "client-secret-1", RedirectBase: "https://switchboard.example/"})
	defer srv.Close()
	secrets := connect(t, NewAuthCode(codeConfig(t, srv, nil), connectors.Env{Shared: connectors.NewShared()}, http.DefaultClient), redirect)
	c := client(t, srv.URL+"/api", codeConfig(t, srv, expired(secrets)), connectors.Env{Shared: connectors.NewShared()})
	if err := get(t, c, "me"); err != nil {
		t.Fatal(err)
	}
	if srv.Refreshes() != 1 || srv.Refusals() != 0 {
		t.Fatalf("%d refreshes and %d refused calls: a token about to expire must be refreshed before the call", srv.Refreshes(), srv.Refusals())
	}
}

func TestAConnectionNotConnectedYetNeedsConnecting(t *testing.T) {
	srv := authtest.New(authtest.Options{ClientID: "switchboard", ClientSecret: "client-secret-1"})
	defer srv.Close()
	err := get(t, client(t, srv.URL+"/api", codeConfig(t, srv, nil), connectors.Env{}), "me")
	if !errors.Is(err, connectors.ErrReconnectNeeded) || !strings.Contains(err.Error(), "press Connect") {
		t.Fatalf("a call before any connect = %v", err)
	}
}

// TestARefreshUsesTheConfigAsItIsNow: a person renews the client secret in
// the app's developer console (the old one is refused from then on) and
// types the new one into the connection. The tokens stay, shared by the
// connection while Switchboard runs; the next refresh must send the new
// secret, not the one the connection was first opened with.
func TestARefreshUsesTheConfigAsItIsNow(t *testing.T) {
	const redirect = "https://switchboard.example/cb"
	srv := authtest.New(authtest.Options{ClientID: "switchboard", ClientSecret: "client-secret-1", RedirectBase: "https://switchboard.example/"})
	defer srv.Close()
	secrets := connect(t, NewAuthCode(codeConfig(t, srv, nil), connectors.Env{Shared: connectors.NewShared()}, http.DefaultClient), redirect)
	env := connectors.Env{Shared: connectors.NewShared(), Secrets: &keeper{}}
	if err := get(t, client(t, srv.URL+"/api", codeConfig(t, srv, secrets), env), "me"); err != nil {
		t.Fatal(err)
	}

	srv.SetClientSecret("client-secret-2")
	renewed := map[string]string{}
	for k, v := range secrets {
		renewed[k] = v
	}
	renewed["oauth_client_secret"] = "client-secret-2"
	c := client(t, srv.URL+"/api", codeConfig(t, srv, renewed), env)
	srv.RevokeAccess() // the access token ends: the next call refreshes
	if err := get(t, c, "me"); err != nil || srv.Refreshes() != 1 {
		t.Fatalf("a refresh after the client secret was changed: %v (%d refreshes), want the new secret used", err, srv.Refreshes())
	}
}

// TestTokenEndpointTroublesAreClassifiedByStatus: an authorization server
// that limits calls or has a problem of its own says so with its status
// (RFC 6749 section 5.2's error codes come with 4xx; servers add their own
// to 429 and 5xx answers). Such a token request is tried again later, after
// the Retry-After, not taken for refused credentials.
func TestTokenEndpointTroublesAreClassifiedByStatus(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		retryAfter  string
		body        string
		class       connectors.Class
		rateLimited bool
		wait        time.Duration
		words       string
	}{
		{"rate limited", http.StatusTooManyRequests, "30", `{"error":"rate_limit_exceeded","error_description":"too many token requests"}`,
			connectors.ClassTransient, true, 30 * time.Second, "too many token requests"},
		{"rate limited without a body", http.StatusTooManyRequests, "", "", connectors.ClassTransient, true, 0, "429 Too Many Requests"},
		{"temporarily unavailable", http.StatusServiceUnavailable, "120", `{"error":"temporarily_unavailable"}`,
			connectors.ClassTransient, false, 2 * time.Minute, "temporarily_unavailable"},
		{"server error", http.StatusInternalServerError, "", `{"error":"server_error","error_description":"the token store is down"}`,
			connectors.ClassTransient, false, 0, "the token store is down"},
		{"wrong client secret", http.StatusUnauthorized, "", `{"error":"invalid_client","error_description":"client authentication failed"}`,
			connectors.ClassPermanent, false, 0, "login refused: client authentication failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			cfg := resolve(t, map[string]any{"auth": KindClientCredentials, "oauth_token_url": srv.URL + "/token",
				"oauth_client_id": "switchboard", "oauth_auth_style": "header"}, map[string]string{"oauth_client_secret": "client-secret-1"})
			err := get(t, client(t, srv.URL+"/api", cfg, connectors.Env{Shared: connectors.NewShared()}), "me")
			class, wait := connectors.Classify(err)
			_, limited := connectors.IsRateLimited(err)
			if err == nil || class != tc.class || limited != tc.rateLimited || wait != tc.wait || !strings.Contains(err.Error(), tc.words) {
				t.Fatalf("token request answered %d: %v (%s, rate limited %v, wait %s); want %s, rate limited %v, wait %s, saying %q",
					tc.status, err, class, limited, wait, tc.class, tc.rateLimited, tc.wait, tc.words)
			}
		})
	}
}

// TestARefusedClientSecretIsNotRepeated: workers that call at once with a
// wrong client secret, and the calls after them, get the one refusal; the
// token request is not sent again with the same credentials for a while,
// and at once with a corrected secret.
func TestARefusedClientSecretIsNotRepeated(t *testing.T) {
	var mu sync.Mutex
	asked := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, secret, _ := r.BasicAuth()
		mu.Lock()
		asked[secret]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/token" && secret != "client-secret-1" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"client authentication failed"}`))
			return
		}
		_, _ = w.Write([]byte(`{"access_token":"at-1","token_type":"Bearer","expires_in":3600}`))
	}))
	defer srv.Close()
	count := func(secret string) int {
		mu.Lock()
		defer mu.Unlock()
		return asked[secret]
	}
	shared := connectors.NewShared()
	open := func(secret string) *rest.Client {
		return client(t, srv.URL+"/api", resolve(t, map[string]any{"auth": KindClientCredentials, "oauth_token_url": srv.URL + "/token",
			"oauth_client_id": "switchboard", "oauth_auth_style": "header"}, map[string]string{"oauth_client_secret": secret}),
			connectors.Env{Shared: shared, Secrets: &keeper{}})
	}
	wrong := open("client-secret-0")
	for _, err := range append(getAtOnce(t, wrong, "me", 8), get(t, wrong, "me")) {
		if class, _ := connectors.Classify(err); class != connectors.ClassPermanent || !strings.Contains(err.Error(), "login refused: client authentication failed") {
			t.Fatalf("a call with a wrong client secret = %v (%s), want the token request's refusal", err, class)
		}
	}
	if count("client-secret-0") != 1 {
		t.Fatalf("%d token requests refused for 9 calls with one wrong client secret, want 1", count("client-secret-0"))
	}
	if err := get(t, open("client-secret-1"), "me"); err != nil || count("client-secret-1") != 1 {
		t.Fatalf("a call once the client secret was corrected: %v (%d token requests), want a token at once", err, count("client-secret-1"))
	}
}

// TestALoginOrTokenRequestToldToWaitIsNotRepeated: an app that answers a
// login or a token request 429 (or 503) with a Retry-After is not asked
// again before that time by the calls waiting for the token, nor by the
// calls after them: each gets the answer the app gave.
func TestALoginOrTokenRequestToldToWaitIsNotRepeated(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		cfg    func(t *testing.T, base string) connectors.Config
		words  string
	}{
		{"login rate limited", http.StatusTooManyRequests, func(t *testing.T, _ string) connectors.Config { return loginConfig(t, "pa$$-1234", nil) },
			"login: POST /auth/login: 429 Too Many Requests: slow down"},
		{"login unavailable", http.StatusServiceUnavailable, func(t *testing.T, _ string) connectors.Config { return loginConfig(t, "pa$$-1234", nil) },
			"login: POST /auth/login: 503 Service Unavailable: slow down"},
		{"login over its limit with a 403", http.StatusForbidden, func(t *testing.T, _ string) connectors.Config { return loginConfig(t, "pa$$-1234", nil) },
			"login: POST /auth/login: 403 Forbidden: slow down"},
		{"token rate limited", http.StatusTooManyRequests, func(t *testing.T, base string) connectors.Config {
			return resolve(t, map[string]any{"auth": KindClientCredentials, "oauth_token_url": base + "/auth/login",
				"oauth_client_id": "switchboard", "oauth_auth_style": "header"}, map[string]string{"oauth_client_secret": "client-secret-1"})
		}, "429 Too Many Requests: slow down"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			asked := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/auth/login" {
					t.Errorf("a call to %s without a token", r.URL.Path)
					return
				}
				mu.Lock()
				asked++
				mu.Unlock()
				w.Header().Set("Retry-After", "30")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(`{"error":"slow_down","error_description":"slow down","message":"slow down"}`))
			}))
			defer srv.Close()
			c := client(t, srv.URL, tc.cfg(t, srv.URL), connectors.Env{Shared: connectors.NewShared(), Secrets: &keeper{}})
			for _, err := range append(getAtOnce(t, c, "orders", 8), get(t, c, "orders")) {
				class, wait := connectors.Classify(err)
				if err == nil || class != connectors.ClassTransient || wait <= 0 || wait > 30*time.Second || !strings.Contains(err.Error(), tc.words) {
					t.Fatalf("a call whose token request was told to wait = %v (%s, wait %s), want %q, transient, after at most 30s", err, class, wait, tc.words)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if asked != 1 {
				t.Fatalf("%d token requests for 9 calls within the Retry-After of the first, want 1", asked)
			}
		})
	}
}

// TestAnAccessTokenRefusedRightAfterARenewalIsNotRenewedAgain: an API that
// refuses every access token (scopes it lacks, tokens of another
// authorization server) gets one renewal for its first 401, not one per
// call: a token refused again right after a renewal fails the call with
// an error that names what to check.
func TestAnAccessTokenRefusedRightAfterARenewalIsNotRenewedAgain(t *testing.T) {
	var mu sync.Mutex
	grants := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/token" {
			grants++
			_, _ = fmt.Fprintf(w, `{"access_token":"at-%d","token_type":"Bearer","expires_in":3600}`, grants)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":"insufficient scope"}`))
	}))
	defer srv.Close()
	cfg := resolve(t, map[string]any{"auth": KindClientCredentials, "oauth_token_url": srv.URL + "/token",
		"oauth_client_id": "switchboard", "oauth_auth_style": "header"}, map[string]string{"oauth_client_secret": "client-secret-1"})
	c := client(t, srv.URL+"/api", cfg, connectors.Env{Shared: connectors.NewShared(), Secrets: &keeper{}})
	for i := range 5 {
		err := get(t, c, "me")
		if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassPermanent {
			t.Fatalf("call %d with refused tokens = %v (%s), want a permanent error", i+1, err, class)
		}
		if i > 0 && !strings.Contains(err.Error(), "oauth_scopes") {
			t.Fatalf("call %d: %v, want an error naming oauth_scopes", i+1, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if grants != 2 {
		t.Fatalf("%d tokens for 5 calls whose tokens are always refused, want 2: the first, and one more for the first refusal", grants)
	}
}

// TestAConnectDuringARefreshIsKept: a person presses Connect again (to
// connect another account, or other scopes) while a call refreshes the
// old token. The refresh ends after the connect: the tokens of the
// connect stay kept and are used, not replaced by the refreshed old ones.
func TestAConnectDuringARefreshIsKept(t *testing.T) {
	refreshing, release := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/token" && r.FormValue("grant_type") == "refresh_token":
			close(refreshing)
			<-release
			_, _ = w.Write([]byte(`{"access_token":"old-2","refresh_token":"old-r2","token_type":"Bearer","expires_in":3600}`))
		case r.URL.Path == "/token":
			_, _ = w.Write([]byte(`{"access_token":"new-1","refresh_token":"new-r1","token_type":"Bearer","expires_in":3600}`))
		default:
			_, _ = fmt.Fprintf(w, `{"auth":%q}`, r.Header.Get("Authorization"))
		}
	}))
	defer srv.Close()
	info, _ := json.Marshal(tokenInfo{Type: "Bearer", Expiry: time.Now().Add(time.Second), Obtained: time.Now().Add(-time.Hour), Key: "k1"})
	cfg := resolve(t, map[string]any{"auth": KindOAuth2, "oauth_auth_url": srv.URL + "/authorize", "oauth_token_url": srv.URL + "/token",
		"oauth_client_id": "switchboard", "oauth_auth_style": "body"},
		map[string]string{"oauth_client_secret": "client-secret-1", AccessTokenSecret: "old-1", RefreshTokenSecret: "old-r1", TokenInfoSecret: string(info)})
	saved := &keeper{}
	env := connectors.Env{Shared: connectors.NewShared(), Secrets: saved}
	c := client(t, srv.URL+"/api", cfg, env)

	called := make(chan error, 1)
	go func() { called <- get(t, c, "me") }()
	<-refreshing
	connected := make(chan error, 1)
	go func() { // the engine's callback: exchange the code, keep the secrets
		secrets, err := NewAuthCode(cfg, env, http.DefaultClient).ExchangeCode(context.Background(), "https://sb.example/cb", "code-1", "verifier-1")
		if err == nil {
			err = saved.SaveSecrets(context.Background(), secrets)
		}
		connected <- err
	}()
	time.Sleep(50 * time.Millisecond)
	close(release)
	if err := <-called; err != nil {
		t.Fatal(err)
	}
	if err := <-connected; err != nil {
		t.Fatal(err)
	}
	if got := saved.get(RefreshTokenSecret); got != "new-r1" {
		t.Fatalf("the kept refresh token is %q after a connect during a refresh, want the connect's new-r1", got)
	}
	var answer struct{ Auth string }
	if _, err := c.DoJSON(context.Background(), rest.Request{Path: "me"}, &answer); err != nil || answer.Auth != "Bearer new-1" {
		t.Fatalf("a call after the connect sent %q (%v), want the connect's token", answer.Auth, err)
	}
}

// TestATokenEndpointThatGivesNoTokenIsNamed: a token URL that answers 200
// without a token (a web page, the API itself, JSON without
// access_token) is set wrong: the calls fail, permanent, naming
// oauth_token_url, and the address is not asked again for every call.
func TestATokenEndpointThatGivesNoTokenIsNamed(t *testing.T) {
	for _, tc := range []struct{ name, ctype, body string }{
		{"a web page", "text/html; charset=utf-8", "<!doctype html><title>Sign in</title>"},
		{"JSON without access_token", "application/json", `{"status":"ok"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			asked := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				asked++
				mu.Unlock()
				w.Header().Set("Content-Type", tc.ctype)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			cfg := resolve(t, map[string]any{"auth": KindClientCredentials, "oauth_token_url": srv.URL + "/login",
				"oauth_client_id": "switchboard", "oauth_auth_style": "header"}, map[string]string{"oauth_client_secret": "client-secret-1"})
			c := client(t, srv.URL+"/api", cfg, connectors.Env{Shared: connectors.NewShared(), Secrets: &keeper{}})
			for _, err := range append(getAtOnce(t, c, "me", 4), get(t, c, "me")) {
				if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), "oauth_token_url") {
					t.Fatalf("a call whose token URL gives no token = %v (%s), want a permanent error naming oauth_token_url", err, class)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if asked != 1 {
				t.Fatalf("the token URL was asked %d times for 5 calls, want 1", asked)
			}
		})
	}
}
