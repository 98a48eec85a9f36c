package app

import (
	"context"
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors/rest/auth"
)

// seedOAuthShop saves "Shop", an HTTP/JSON connection with OAuth2 whose
// engine keeps an access and a refresh token in its secrets.
func seedOAuthShop(t testing.TB, env *testEnv) *core.Record {
	t.Helper()
	useHTTP(t, env)
	return env.saveConnection(t, "Shop", "http", map[string]any{"base_url": "https://shop.example.com/api", "auth": auth.KindOAuth2,
		"oauth_auth_url": "https://shop.example.com/authorize", "oauth_token_url": "https://shop.example.com/token",
		"oauth_client_id": "switchboard"},
		map[string]string{"oauth_client_secret": "client-secret-1", auth.AccessTokenSecret: "old-access",
			auth.RefreshTokenSecret: "old-refresh"})
}

// rotateTokens is the engine keeping the tokens of a refresh whose app
// rotated the refresh token.
func rotateTokens(t testing.TB, env *testEnv, conn *core.Record) {
	t.Helper()
	if err := env.sb.saveSecrets(conn, map[string]string{auth.AccessTokenSecret: "new-access",
		auth.RefreshTokenSecret: "new-refresh"}); err != nil {
		t.Fatal(err)
	}
}

// TestAConnectionSavedWhileItsTokenRotatesKeepsTheNewToken: a connection's
// edit, through the API, the web UI's save or the engine's own saves of
// its status, keeps the secrets it does not change as they are stored when
// it is written, not as they were when the connection was read: the engine
// keeps a rotated refresh token in that moment, and put back, the old one
// was refused by the app after a restart and the connection had to be
// connected again. The secrets the edit sets or removes, and its other
// fields, are saved.
func TestAConnectionSavedWhileItsTokenRotatesKeepsTheNewToken(t *testing.T) {
	rotated := map[string]string{"oauth_client_secret": "client-secret-1", auth.AccessTokenSecret: "new-access",
		auth.RefreshTokenSecret: "new-refresh"}
	named := func(want string) func(testing.TB, *testEnv) {
		return func(t testing.TB, env *testEnv) {
			if _, err := env.app.FindFirstRecordByData(connectionsCollection, "name", want); err != nil {
				t.Fatalf("the edit is lost: no connection named %q (%v)", want, err)
			}
		}
	}
	// rotateOnUpdate keeps new tokens once an API update has read the
	// connection, before it writes it.
	rotateOnUpdate := func(t testing.TB, env *testEnv) {
		conn := seedOAuthShop(t, env)
		once := false
		env.app.OnRecordUpdateRequest(connectionsCollection).BindFunc(func(e *core.RecordRequestEvent) error {
			if !once {
				once = true
				rotateTokens(t, env, conn)
			}
			return e.Next()
		})
	}
	both := func(checks ...func(testing.TB, *testEnv)) func(testing.TB, *testEnv) {
		return func(t testing.TB, env *testEnv) {
			for _, check := range checks {
				check(t, env)
			}
		}
	}
	api := []scenario{
		{name: "an API edit of the name keeps the rotated token", as: "editor", method: http.MethodPatch,
			url: connectionURL("Shop"), body: `{"name":"Shop NL"}`, seed: rotateOnUpdate, status: 200,
			after: both(named("Shop NL"), secretsAre("Shop NL", rotated))},
		{name: "an API edit of a secret sets it and keeps the rotated token", as: "editor", method: http.MethodPatch,
			url: connectionURL("Shop"), body: `{"name":"Shop NL","secrets":{"oauth_client_secret":"client-secret-2"}}`,
			seed: rotateOnUpdate, status: 200,
			after: secretsAre("Shop NL", map[string]string{"oauth_client_secret": "client-secret-2",
				auth.AccessTokenSecret: "new-access", auth.RefreshTokenSecret: "new-refresh"})},
		{name: "an API edit removing a secret removes it and keeps the rotated token", as: "editor", method: http.MethodPatch,
			url: connectionURL("Shop"), body: `{"secrets":{"` + auth.AccessTokenSecret + `":""}}`,
			seed: rotateOnUpdate, status: 200,
			after: secretsAre("Shop", map[string]string{"oauth_client_secret": "client-secret-1",
				auth.RefreshTokenSecret: "new-refresh"})},
		{name: "an API edit of the address still clears the secrets, the rotated ones too", as: "editor", method: http.MethodPatch,
			url: connectionURL("Shop"), body: `{"config":{"base_url":"https://evil.example.com/api","auth":"oauth2",` +
				`"oauth_auth_url":"https://shop.example.com/authorize","oauth_token_url":"https://shop.example.com/token",` +
				`"oauth_client_id":"switchboard"},"secrets":{"oauth_client_secret":"client-secret-2"}}`,
			seed: rotateOnUpdate, status: 200, want: []string{`"secrets_set":["oauth_client_secret"]`},
			after: secretsAre("Shop", map[string]string{"oauth_client_secret": "client-secret-2"})},
	}
	for _, sc := range api {
		sc.run(t)
	}

	// Go saves: the record is read, the engine keeps new tokens, then the
	// record as read is saved.
	goSaves := []struct {
		name string
		save func(env *testEnv, rec *core.Record) error
		want map[string]string
	}{
		{"the web UI's save of a new name", func(env *testEnv, rec *core.Record) error {
			_, err := env.sb.SaveConnection(rec, ConnectionInput{Name: "Shop NL", Connector: "http",
				Config: configOf(rec)})
			return err
		}, rotated},
		{"the web UI's save of a new secret", func(env *testEnv, rec *core.Record) error {
			_, err := env.sb.SaveConnection(rec, ConnectionInput{Name: "Shop NL", Connector: "http",
				Config: configOf(rec), Secrets: map[string]string{"oauth_client_secret": "client-secret-2"}})
			return err
		}, map[string]string{"oauth_client_secret": "client-secret-2", auth.AccessTokenSecret: "new-access",
			auth.RefreshTokenSecret: "new-refresh"}},
		{"an engine's save of its status", func(env *testEnv, rec *core.Record) error {
			rec.Set("name", "Shop NL") // so that the check below finds it
			rec.Set("status", ConnDown)
			return env.app.Save(rec)
		}, rotated},
	}
	for _, tt := range goSaves {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			conn := seedOAuthShop(t, env)
			rec, err := env.app.FindRecordById(connectionsCollection, conn.Id)
			if err != nil {
				t.Fatal(err)
			}
			rotateTokens(t, env, conn)
			if err := tt.save(env, rec); err != nil {
				t.Fatal(err)
			}
			named("Shop NL")(t, env)
			secretsAre("Shop NL", tt.want)(t, env)
		})
	}
}

// configOf is a connection's config, as a form gives it.
func configOf(rec *core.Record) map[string]any {
	config, err := recordConfig(rec)
	if err != nil {
		panic(err)
	}
	return config
}

// TestATokenObtainedBeforeTheAddressChangedIsNotKept: a token that a
// connection opened at the old address obtains (a refresh under way when
// an editor gives the connection another address, a Connect finishing)
// is not kept in the connection at its new address: it would be sent to
// the new host at its next refresh. A token obtained at the same address
// is kept as always.
func TestATokenObtainedBeforeTheAddressChangedIsNotKept(t *testing.T) {
	tests := []struct {
		name    string
		baseURL string
		want    map[string]string
	}{
		{"another host", "https://evil.example.com/api", map[string]string{"oauth_client_secret": "client-secret-2"}},
		{"the same address", "https://shop.example.com/api/v2", map[string]string{"oauth_client_secret": "client-secret-2",
			auth.AccessTokenSecret: "new-access", auth.RefreshTokenSecret: "new-refresh"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			opened := seedOAuthShop(t, env)
			edited, err := env.app.FindRecordById(connectionsCollection, opened.Id)
			if err != nil {
				t.Fatal(err)
			}
			config := configOf(edited)
			config["base_url"] = tt.baseURL
			if _, err := env.sb.SaveConnection(edited, ConnectionInput{Name: "Shop", Connector: "http", Config: config,
				Secrets: map[string]string{"oauth_client_secret": "client-secret-2"}}); err != nil {
				t.Fatal(err)
			}
			keeper := secretKeeper{s: env.sb, opened: opened}
			err = keeper.SaveSecrets(context.Background(), map[string]string{auth.AccessTokenSecret: "new-access",
				auth.RefreshTokenSecret: "new-refresh"})
			if moved := len(tt.want) == 1; moved != (err != nil) {
				t.Fatalf("keeping the token: %v", err)
			}
			secretsAre("Shop", tt.want)(t, env)
		})
	}
}

// TestAnEditReadBeforeAnotherAddressDoesNotTakeItsSecrets: an edit read
// before another editor gave the connection a new address and typed its
// secrets again writes the old address back (the last save wins), with
// the secrets it read, not with those typed for the new address, which
// would go to the old host.
func TestAnEditReadBeforeAnotherAddressDoesNotTakeItsSecrets(t *testing.T) {
	env := newTestEnv(t)
	conn := seedOAuthShop(t, env)
	stale, err := env.app.FindRecordById(connectionsCollection, conn.Id)
	if err != nil {
		t.Fatal(err)
	}
	moved, err := env.app.FindRecordById(connectionsCollection, conn.Id)
	if err != nil {
		t.Fatal(err)
	}
	config := configOf(moved)
	config["base_url"] = "https://erp.example.com/api"
	if _, err := env.sb.SaveConnection(moved, ConnectionInput{Name: "Shop", Connector: "http", Config: config,
		Secrets: map[string]string{"oauth_client_secret": "secret-for-erp"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.sb.SaveConnection(stale, ConnectionInput{Name: "Shop NL", Connector: "http", Config: configOf(stale)}); err != nil {
		t.Fatal(err)
	}
	secretsAre("Shop NL", map[string]string{"oauth_client_secret": "client-secret-1", auth.AccessTokenSecret: "old-access",
		auth.RefreshTokenSecret: "old-refresh"})(t, env)
}
