package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
)

// loginApp is an API with a login request: POST /auth/login with
// {"user", "secret"} answers {"data": {"token", "ttl"}}; other calls need
// "Token <token>" in X-Auth. Tokens can be expired on the app's side.
type loginApp struct {
	mu      sync.Mutex
	logins  int
	refused int // logins refused for a wrong user or password
	valid   map[string]bool
	ttl     any
}

func (a *loginApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/auth/login" {
		var body struct{ User, Secret string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || r.Method != http.MethodPost {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if body.User != `shop "one"` || body.Secret != "pa$$-1234" {
			a.refused++
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"wrong user or password"}`))
			return
		}
		a.logins++
		token := fmt.Sprintf("tok-%d", a.logins)
		a.valid[token] = true
		_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"token": token, "ttl": a.ttl}})
		return
	}
	if !a.valid[strings.TrimPrefix(r.Header.Get("X-Auth"), "Token ")] {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":"token expired"}`))
		return
	}
	_, _ = w.Write([]byte(`{}`))
}

func (a *loginApp) expireAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.valid = map[string]bool{}
}

func (a *loginApp) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.logins
}

func loginConfig(t *testing.T, password string, secrets map[string]string) connectors.Config {
	all := map[string]string{"password": password}
	for k, v := range secrets {
		all[k] = v
	}
	return resolve(t, map[string]any{"auth": KindLogin, "username": `shop "one"`, "login_path": "auth/login",
		"login_body": `{"user": "{username}", "secret": "{password}"}`, "login_token_path": "data.token",
		"login_expires_path": "data.ttl", "login_header": "X-Auth", "login_prefix": "Token "}, all)
}

func TestALoginTokenIsSharedAndReusedUntilRefused(t *testing.T) {
	app := &loginApp{valid: map[string]bool{}, ttl: 3600}
	srv := httptest.NewServer(app)
	defer srv.Close()
	saved := &keeper{}
	env := connectors.Env{Shared: connectors.NewShared(), Secrets: saved}
	first, second := client(t, srv.URL, loginConfig(t, "pa$$-1234", nil), env), client(t, srv.URL, loginConfig(t, "pa$$-1234", nil), env)
	for range 3 {
		if err := get(t, first, "orders"); err != nil {
			t.Fatal(err)
		}
		if err := get(t, second, "orders"); err != nil {
			t.Fatal(err)
		}
	}
	if app.count() != 1 {
		t.Fatalf("%d logins for 6 calls of two instances of one connection, want 1", app.count())
	}
	app.expireAll() // the app drops its tokens: calls are refused 401
	for _, err := range getAtOnce(t, first, "orders", 8) {
		if err != nil {
			t.Fatalf("a call after the token expired: %v", err)
		}
	}
	if app.count() != 2 {
		t.Fatalf("%d logins, want 2: one more after the app refused the token, however many calls were refused", app.count())
	}
	if saved.get(LoginTokenSecret) != "tok-2" || !strings.Contains(saved.get(LoginInfoSecret), `"expires"`) {
		t.Fatalf("the kept token is %q (%q), want tok-2 and its expiry", saved.get(LoginTokenSecret), saved.get(LoginInfoSecret))
	}
}

// TestTheTokenPrefixIsAScheme: a prefix typed without its space (as a form
// that trims values keeps "Bearer ") still sends "Bearer <token>".
func TestTheTokenPrefixIsAScheme(t *testing.T) {
	tests := []struct{ prefix, want string }{
		{"Bearer ", "Bearer tok"},
		{"Bearer", "Bearer tok"},
		{"Token2", "Token2 tok"},
		{"", "tok"},
		{"token=", "token=tok"},
		{"Basic:", "Basic:tok"},
	}
	for _, tt := range tests {
		if got := tokenValue(tt.prefix, "tok"); got != tt.want {
			t.Errorf("tokenValue(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
	}
	app := &loginApp{valid: map[string]bool{}, ttl: 3600}
	srv := httptest.NewServer(app)
	defer srv.Close()
	cfg := loginConfig(t, "pa$$-1234", nil)
	cfg.Values["login_prefix"] = "Token"
	c := client(t, srv.URL, cfg, connectors.Env{Shared: connectors.NewShared(), Secrets: &keeper{}})
	if err := get(t, c, "orders"); err != nil {
		t.Fatalf("a call with the prefix %q: %v", "Token", err)
	}
}

func TestAKeptLoginTokenIsReusedOnlyForItsCredentials(t *testing.T) {
	app := &loginApp{valid: map[string]bool{}, ttl: 3600}
	srv := httptest.NewServer(app)
	defer srv.Close()
	saved := &keeper{}
	if err := get(t, client(t, srv.URL, loginConfig(t, "pa$$-1234", nil), connectors.Env{Shared: connectors.NewShared(), Secrets: saved}), "x"); err != nil {
		t.Fatal(err)
	}
	kept := map[string]string{LoginTokenSecret: saved.get(LoginTokenSecret), LoginInfoSecret: saved.get(LoginInfoSecret)}
	// Switchboard starts again: the kept token is used, no login.
	if err := get(t, client(t, srv.URL, loginConfig(t, "pa$$-1234", kept), connectors.Env{Shared: connectors.NewShared()}), "x"); err != nil {
		t.Fatal(err)
	}
	if app.count() != 1 {
		t.Fatalf("%d logins, want 1: the kept token should have been reused", app.count())
	}
	// Another password: the kept token is not used (and the login fails).
	err := get(t, client(t, srv.URL, loginConfig(t, "other-1234", kept), connectors.Env{Shared: connectors.NewShared()}), "x")
	if class, _ := connectors.Classify(err); class != connectors.ClassPermanent ||
		err.Error() != "login refused: POST /auth/login: 401 Unauthorized: wrong user or password" {
		t.Fatalf("a login with the wrong password = %v (%s)", err, class)
	}
}

func TestTheLoginTokenLifetimeComesFromTheAnswer(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		ttl  any
		want time.Time
	}{
		{"seconds", 90, now.Add(90 * time.Second)},
		{"seconds as text", "90", now.Add(90 * time.Second)},
		{"a date and time", "2026-03-01T13:30:00Z", now.Add(90 * time.Minute)},
		{"nothing: the configured lifetime", nil, now.Add(time.Hour)},
		// An end already past (the app's clock, or a local time written
		// as UTC) would make every call log in again: the token works,
		// and a 401 says when it no longer does.
		{"a date and time already past: the configured lifetime", "2026-03-01T07:00:00Z", now.Add(time.Hour)},
		{"a date and time just now: the configured lifetime", "2026-03-01T12:00:00Z", now.Add(time.Hour)},
		{"no seconds: the configured lifetime", 0, now.Add(time.Hour)},
		// An end as a Unix time ("expires_at"), in seconds or milliseconds,
		// is an end, not a lifetime of 56 years, or one too long for a
		// duration that would make every call log in again.
		{"a Unix time in seconds", now.Add(90 * time.Minute).Unix(), now.Add(90 * time.Minute)},
		{"a Unix time in seconds as text", strconv.FormatInt(now.Add(90*time.Minute).Unix(), 10), now.Add(90 * time.Minute)},
		{"a Unix time in milliseconds", now.Add(90 * time.Minute).UnixMilli(), now.Add(90 * time.Minute)},
		{"a Unix time already past: the configured lifetime", now.Add(-5 * time.Hour).Unix(), now.Add(time.Hour)},
		{"a Unix time in milliseconds already past: the configured lifetime", now.Add(-5 * time.Hour).UnixMilli(), now.Add(time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &login{expiresPath: "data.ttl", lifetime: time.Hour}
			var answer any
			data, _ := json.Marshal(map[string]any{"data": map[string]any{"ttl": tt.ttl}})
			_ = json.Unmarshal(data, &answer)
			if got := l.expiry(answer, now); !got.Equal(tt.want) {
				t.Fatalf("expiry = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestAShortLivedLoginTokenIsRenewedBeforeItExpires(t *testing.T) {
	st := &loginState{token: "t", obtained: time.Unix(1000, 0), expires: time.Unix(1010, 0)}
	if !st.fresh(time.Unix(1008, 0)) || st.fresh(time.Unix(1009, 500_000_000)) {
		t.Fatal("a 10-second token must be used until a second before it expires, not after")
	}
}

func TestALoginAnswerWithoutTokenIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{"session":"x"}}`))
	}))
	defer srv.Close()
	err := get(t, client(t, srv.URL, loginConfig(t, "pa$$-1234", nil), connectors.Env{}), "x")
	if err == nil || err.Error() != `login: the answer holds no token at "data.token"` {
		t.Fatalf("got %v", err)
	}
}

// TestALoginAnsweredWithARefusalIn200SaysWhy: an app that refuses a login
// with 200 and its words in the answer ({"success": false, "message":
// …}) is named with those words; what else the answer holds (a session
// at another path) is never quoted.
func TestALoginAnsweredWithARefusalIn200SaysWhy(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"success": false, "message": "Invalid user name or password"}`, `login: the answer holds no token at "data.token": Invalid user name or password`},
		{`{"error": "account_locked", "error_description": "Too many attempts"}`, `login: the answer holds no token at "data.token": Too many attempts`},
		{`{"detail": {"session": "sess-secret-9"}}`, `login: the answer holds no token at "data.token"`},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(tt.body))
		}))
		err := get(t, client(t, srv.URL, loginConfig(t, "pa$$-1234", nil), connectors.Env{Shared: connectors.NewShared()}), "x")
		srv.Close()
		if err == nil || err.Error() != tt.want {
			t.Errorf("a login answered %s = %v, want %q", tt.body, err, tt.want)
		}
	}
}

func TestLoggingInWhileEveryCallSlotIsTaken(t *testing.T) {
	app := &loginApp{valid: map[string]bool{}, ttl: 3600}
	srv := httptest.NewServer(app)
	defer srv.Close()
	cfg := loginConfig(t, "pa$$-1234", nil)
	pacer := pace.New(pace.Settings{InFlight: 1})
	a, err := New(cfg, connectors.Env{}, Deps{BaseURL: srv.URL, Pacer: pacer})
	if err != nil {
		t.Fatal(err)
	}
	c, err := rest.New(rest.Options{BaseURL: srv.URL, Auth: a, Pacer: pacer})
	if err != nil {
		t.Fatal(err)
	}
	// The one slot for calls in flight is taken by the call that needs the
	// token the login is about to fetch: the login must not wait for a
	// slot (nor for the slots of the calls waiting for the same token).
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Do(ctx, rest.Request{Path: "orders"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a call while logging in: %v", err)
		}
	}
}

// TestAnotherLoginBodyIsAnotherLogin: the login body says who signs in as
// much as the user name does (a company, a tenant, a database). A token
// of the body before, shared while Switchboard runs or kept in the
// secrets, must not be used for the new one.
func TestAnotherLoginBodyIsAnotherLogin(t *testing.T) {
	app := &loginApp{valid: map[string]bool{}, ttl: 3600}
	srv := httptest.NewServer(app)
	defer srv.Close()
	saved := &keeper{}
	env := connectors.Env{Shared: connectors.NewShared(), Secrets: saved}
	if err := get(t, client(t, srv.URL, loginConfig(t, "pa$$-1234", nil), env), "x"); err != nil {
		t.Fatal(err)
	}
	kept := map[string]string{LoginTokenSecret: saved.get(LoginTokenSecret), LoginInfoSecret: saved.get(LoginInfoSecret)}
	for _, tc := range []struct {
		name string
		env  connectors.Env
	}{
		{"while running", env},
		{"after a restart", connectors.Env{Shared: connectors.NewShared()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := app.count()
			cfg := loginConfig(t, "pa$$-1234", kept)
			cfg.Values["login_body"] = `{"user": "{username}", "secret": "{password}", "company": "200"}`
			if err := get(t, client(t, srv.URL, cfg, tc.env), "x"); err != nil {
				t.Fatal(err)
			}
			if app.count() != before+1 {
				t.Fatalf("%d logins for another login body, want 1: the token of the body before was used", app.count()-before)
			}
		})
	}
}

func (a *loginApp) refusals() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.refused
}

// TestARefusedLoginIsNotRepeated: many apps lock an account after a few
// refused logins. Workers that call at once with a wrong password, and the
// calls after them, get the one refusal; the login is not sent again with
// the same credentials for a while, and at once with new ones.
func TestARefusedLoginIsNotRepeated(t *testing.T) {
	app := &loginApp{valid: map[string]bool{}, ttl: 3600}
	srv := httptest.NewServer(app)
	defer srv.Close()
	env := connectors.Env{Shared: connectors.NewShared(), Secrets: &keeper{}}
	wrong := client(t, srv.URL, loginConfig(t, "wrong-1234", nil), env)
	errs := append(getAtOnce(t, wrong, "orders", 8), get(t, wrong, "orders"))
	for _, err := range errs {
		if class, _ := connectors.Classify(err); class != connectors.ClassPermanent || !strings.Contains(err.Error(), "login refused: POST /auth/login: 401 Unauthorized: wrong user or password") {
			t.Fatalf("a call with a wrong password = %v (%s), want the login's refusal", err, class)
		}
	}
	if app.refusals() != 1 {
		t.Fatalf("%d logins refused for 9 calls with one wrong password, want 1", app.refusals())
	}
	if err := get(t, client(t, srv.URL, loginConfig(t, "pa$$-1234", nil), env), "orders"); err != nil || app.count() != 1 {
		t.Fatalf("a call once the password was corrected: %v (%d logins), want a login at once", err, app.count())
	}
}

// TestAFailedLoginIsNotRepeated: apps refuse a login with other statuses
// than 401 or 403 too (400 or 422 "invalid credentials"), or answer it
// without the token the connection looks for. Such a login fails the same
// way next time: calls at once and the calls after them get the one
// failure for a while, instead of each posting the credentials again.
func TestAFailedLoginIsNotRepeated(t *testing.T) {
	tests := []struct {
		name   string
		status int
		answer string
		want   string
	}{
		{"400", http.StatusBadRequest, `{"message":"invalid credentials"}`, "login: POST /auth/login: 400 Bad Request: invalid credentials"},
		{"422", http.StatusUnprocessableEntity, `{"message":"invalid credentials"}`, "login: POST /auth/login: 422 Unprocessable Entity: invalid credentials"},
		{"no token", http.StatusOK, `{"data":{"session":"x"}}`, `login: the answer holds no token at "data.token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			logins := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				if r.URL.Path == "/auth/login" {
					logins++
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.answer))
			}))
			defer srv.Close()
			c := client(t, srv.URL, loginConfig(t, "pa$$-1234", nil), connectors.Env{Shared: connectors.NewShared(), Secrets: &keeper{}})
			errs := append(getAtOnce(t, c, "orders", 8), get(t, c, "orders"))
			for _, err := range errs {
				if class, _ := connectors.Classify(err); class != connectors.ClassPermanent || err.Error() != tt.want {
					t.Fatalf("a call whose login fails = %v (%s), want %q", err, class, tt.want)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if logins != 1 {
				t.Fatalf("%d logins for 9 calls whose login fails the same way, want 1", logins)
			}
		})
	}
}

// TestATokenRefusedRightAfterALoginIsNotLoggedInForAgain: a login token
// the app refuses again right after a login made for an earlier refusal
// (the token sent in another header than the app reads, or with another
// prefix) is not logged in for by every call: the calls get an error that
// names the fields to check, and the app one login more, not one per call.
func TestATokenRefusedRightAfterALoginIsNotLoggedInForAgain(t *testing.T) {
	app := &loginApp{valid: map[string]bool{}, ttl: 3600}
	srv := httptest.NewServer(app)
	defer srv.Close()
	cfg := loginConfig(t, "pa$$-1234", nil)
	cfg.Values["login_header"] = "X-Token" // the app reads X-Auth
	c := client(t, srv.URL, cfg, connectors.Env{Shared: connectors.NewShared(), Secrets: &keeper{}})
	for i := range 5 {
		err := get(t, c, "orders")
		if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassPermanent {
			t.Fatalf("call %d with the token in the wrong header = %v (%s), want a permanent error", i+1, err, class)
		}
		if i > 0 && !strings.Contains(err.Error(), `login_header "X-Token"`) {
			t.Fatalf("call %d: %v, want an error naming login_header", i+1, err)
		}
	}
	if app.count() != 2 {
		t.Fatalf("%d logins for 5 calls whose token is always refused, want 2: the first, and one more for the first refusal", app.count())
	}
	app.expireAll()
	if err := get(t, client(t, srv.URL, loginConfig(t, "pa$$-1234", nil), connectors.Env{Shared: connectors.NewShared()}), "orders"); err != nil {
		t.Fatalf("a call with the token in the right header: %v", err)
	}
}

// TestALoginTokenWhoseEndIsPastIsReused: a login answer whose end is
// already past (the app's clock is behind, or it writes its local time as
// UTC) gives a token that works: it is reused, not logged in for by every
// call.
func TestALoginTokenWhoseEndIsPastIsReused(t *testing.T) {
	app := &loginApp{valid: map[string]bool{}, ttl: time.Now().Add(-3 * time.Hour).UTC().Format(time.RFC3339)}
	srv := httptest.NewServer(app)
	defer srv.Close()
	c := client(t, srv.URL, loginConfig(t, "pa$$-1234", nil), connectors.Env{Shared: connectors.NewShared(), Secrets: &keeper{}})
	for range 3 {
		if err := get(t, c, "orders"); err != nil {
			t.Fatal(err)
		}
	}
	if app.count() != 1 {
		t.Fatalf("%d logins for 3 calls, want 1", app.count())
	}
}

// TestALoginAnswerThatIsNotJSONIsNotQuoted: a login answer that is not
// JSON may be the session token itself, as text: the error says what the
// answer is, never what it holds.
func TestALoginAnswerThatIsNotJSONIsNotQuoted(t *testing.T) {
	for _, tc := range []struct{ name, ctype string }{
		{"text", "text/plain"},
		{"JSON that is not", "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				_, _ = w.Write([]byte("sess-7f3a9c1e55"))
			}))
			defer srv.Close()
			err := get(t, client(t, srv.URL, loginConfig(t, "pa$$-1234", nil), connectors.Env{Shared: connectors.NewShared()}), "x")
			if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassPermanent ||
				strings.Contains(err.Error(), "sess-7f3a9c1e55") || !strings.Contains(err.Error(), "not JSON") {
				t.Fatalf("a login answered with a text = %v (%s), want a permanent error saying it is not JSON, without the answer", err, class)
			}
		})
	}
}
