package app

// Security tests: a connection's stored secrets are never sent to a new
// address. Changing where a connection points clears the secrets that the
// same save does not set again, and the answer says so.

import (
	"net/http"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/memory"
	"github.com/switchboard-app/switchboard/connectors/shopify"
)

// hostSpec is a connector addressed by host and port fields, as the FTP
// and SFTP connectors are.
var hostSpec = connectors.Spec{
	Name: "hostshop", Title: "Host Shop", Category: connectors.CategoryFiles,
	Auth: []connectors.AuthKind{connectors.AuthPassword},
	Fields: []connectors.Field{
		{Name: "host", Title: "Host", Type: connectors.TypeString, Required: true},
		{Name: "port", Title: "Port", Type: connectors.TypeInt, Default: 22},
		{Name: "username", Title: "User", Type: connectors.TypeString},
		{Name: "password", Title: "Password", Type: connectors.TypeString, Secret: true},
	},
	Reads: []connectors.Entity{connectors.Order},
}

// seedAddressed saves the connections these tests change: "ERP" (HTTP/JSON
// at https://erp.example.com/api, a bearer token and a Basic password),
// "Files" (hostshop at files.example.com) and "Shop" (testshop, whose
// api_key is required).
func seedAddressed(t testing.TB, env *testEnv) {
	useHTTP(t, env)
	if err := env.sb.registry.Register(hostSpec, memory.New); err != nil {
		t.Fatal(err)
	}
	env.saveConnection(t, "ERP", "http", map[string]any{"base_url": "https://erp.example.com/api", "auth": "bearer"},
		map[string]string{"token": "old-token-1", "password": "old-password-1"})
	env.saveConnection(t, "Files", "hostshop", map[string]any{"host": "files.example.com", "username": "shop"},
		map[string]string{"password": "old-password-1"})
	seedShop(t, env)
	if err := env.sb.registry.Register(shopify.Spec, shopify.New); err != nil {
		t.Fatal(err)
	}
	env.saveConnection(t, "Shopify", "shopify", map[string]any{"shop": "https://store.myshopify.com", "auth": "oauth2",
		"oauth_client_id": "switchboard"}, map[string]string{"oauth_client_secret": "old-client-secret-1", "oauth_refresh_token": "old-refresh-1"})
}

func connectionURL(name string) func(*testEnv) string {
	return func(env *testEnv) string {
		rec, err := env.app.FindFirstRecordByData(connectionsCollection, "name", name)
		if err != nil {
			panic(err)
		}
		return connectionsURL + "/" + rec.Id
	}
}

// secretsAre checks the secrets a connection keeps, opened.
func secretsAre(name string, want map[string]string) func(testing.TB, *testEnv) {
	return func(t testing.TB, env *testEnv) {
		rec, err := env.app.FindFirstRecordByData(connectionsCollection, "name", name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := env.sb.ConnectionSecrets(rec)
		if err != nil || len(got) != len(want) {
			t.Fatalf("%s keeps secrets %v (%v), want %v", name, got, err, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("%s keeps %s = %q, want %q", name, k, got[k], v)
			}
		}
	}
}

var bothOld = map[string]string{"token": "old-token-1", "password": "old-password-1"}

func TestChangedAddressClearsSecrets(t *testing.T) {
	erp, files := connectionURL("ERP"), connectionURL("Files")
	patch := func(name string, url func(*testEnv) string, body string, status int, want, notWant []string,
		after func(testing.TB, *testEnv)) scenario {
		return scenario{name: name, as: "editor", method: http.MethodPatch, url: url, body: body, seed: seedAddressed,
			status: status, want: want, notWant: notWant, after: after}
	}
	cleared := []string{`"secrets_cleared":["password","token"]`, `"secrets_set":[]`,
		`"secrets_cleared_message":"The address changed (base_url changed from \"https://erp.example.com/api\" to`, `so password, token were cleared`}
	kept := []string{`"secrets_set":["password","token"]`}
	scenarios := []scenario{
		patch("a new host clears the secrets and says so", erp, `{"config":{"base_url":"https://evil.example.com/api","auth":"bearer"}}`,
			200, cleared, nil, secretsAre("ERP", nil)),
		patch("a new port clears them", erp, `{"config":{"base_url":"https://erp.example.com:8443/api","auth":"bearer"}}`,
			200, cleared, nil, secretsAre("ERP", nil)),
		patch("a new scheme clears them", erp, `{"config":{"base_url":"http://erp.example.com/api","auth":"bearer"}}`,
			200, cleared, nil, secretsAre("ERP", nil)),
		patch("another path keeps them", erp, `{"config":{"base_url":"https://erp.example.com/v2/","auth":"bearer"}}`,
			200, kept, []string{secretsClearedField}, secretsAre("ERP", bothOld)),
		patch("the same origin written otherwise keeps them", erp, `{"config":{"base_url":"HTTPS://ERP.example.com:443/api","auth":"basic"}}`,
			200, kept, []string{secretsClearedField}, secretsAre("ERP", bothOld)),
		patch("a secret set in the same save is kept, the others are cleared", erp,
			`{"config":{"base_url":"https://new.example.com/api","auth":"bearer"},"secrets":{"token":"new-token-2"}}`,
			200, []string{`"secrets_cleared":["password"]`, `"secrets_set":["token"]`, `so password was cleared. Enter it again.`}, nil,
			secretsAre("ERP", map[string]string{"token": "new-token-2"})),
		patch("another connector clears them", erp,
			`{"connector":"testshop","config":{"url":"https://erp.example.com/api"},"secrets":{"api_key":"new-key-2"}}`,
			200, []string{`"secrets_cleared":["password","token"]`, `"secrets_set":["api_key"]`, `(connector changed from http to testshop)`}, nil,
			secretsAre("ERP", map[string]string{"api_key": "new-key-2"})),
		patch("a new host field clears them", files, `{"config":{"host":"other.example.com","username":"shop"}}`,
			200, []string{`"secrets_cleared":["password"]`, `host changed from \"files.example.com\" to \"other.example.com\"`}, nil,
			secretsAre("Files", nil)),
		patch("a new port field clears them", files, `{"config":{"host":"files.example.com","port":2222,"username":"shop"}}`,
			200, []string{`"secrets_cleared":["password"]`, `port changed from \"22\" to \"2222\"`}, nil, secretsAre("Files", nil)),
		patch("another user name keeps them", files, `{"config":{"host":"FILES.example.com","port":22,"username":"other"}}`,
			200, []string{`"secrets_set":["password"]`}, []string{secretsClearedField},
			secretsAre("Files", map[string]string{"password": "old-password-1"})),
		patch("a token URL that was empty, standing for the shop's own, cannot be set keeping the secrets", connectionURL("Shopify"),
			`{"config":{"shop":"https://store.myshopify.com","auth":"oauth2","oauth_client_id":"switchboard","oauth_token_url":"https://evil.example.com/token"}}`,
			400, []string{`"oauth_client_secret":{"code":"validation_invalid_field"`}, nil, func(t testing.TB, env *testEnv) {
				secretsAre("Shopify", map[string]string{"oauth_client_secret": "old-client-secret-1", "oauth_refresh_token": "old-refresh-1"})(t, env)
				rec, _ := env.app.FindFirstRecordByData(connectionsCollection, "name", "Shopify")
				if config, _ := recordConfig(rec); config["oauth_token_url"] != nil {
					t.Fatalf("the refused save changed the config to %v", config)
				}
			}),
		patch("a token URL that was empty, set with the client secret typed again, clears the refresh token", connectionURL("Shopify"),
			`{"config":{"shop":"https://store.myshopify.com","auth":"oauth2","oauth_client_id":"switchboard","oauth_token_url":"https://evil.example.com/token"},`+
				`"secrets":{"oauth_client_secret":"new-client-secret-2"}}`,
			200, []string{`"secrets_cleared":["oauth_refresh_token"]`, `oauth_token_url changed from \"\" to \"https://evil.example.com/token\"`}, nil,
			secretsAre("Shopify", map[string]string{"oauth_client_secret": "new-client-secret-2"})),
		patch("an authorization URL that was empty clears them too", connectionURL("Shopify"),
			`{"config":{"shop":"https://store.myshopify.com","auth":"oauth2","oauth_client_id":"switchboard","oauth_auth_url":"https://evil.example.com/authorize"},`+
				`"secrets":{"oauth_client_secret":"new-client-secret-2"}}`,
			200, []string{`"secrets_cleared":["oauth_refresh_token"]`}, nil,
			secretsAre("Shopify", map[string]string{"oauth_client_secret": "new-client-secret-2"})),
		patch("a required secret not set again refuses the save", connectionURL("Shop"), `{"config":{"url":"https://evil.example.com"}}`,
			400, []string{`"api_key":{"code":"validation_secret_needed_again","message":"The address changed (url changed from \"https://shop.example.com\" to \"https://evil.example.com\"); a stored secret is never sent to a new address: enter it again."`},
			nil, func(t testing.TB, env *testEnv) {
				secretsAre("Shop", map[string]string{"api_key": "hunter2"})(t, env)
				rec, _ := env.app.FindFirstRecordByData(connectionsCollection, "name", "Shop")
				if config, _ := recordConfig(rec); config["url"] != "https://shop.example.com" {
					t.Fatalf("the refused save changed the config to %v", config)
				}
			}),
		patch("a required secret set again is taken", connectionURL("Shop"),
			`{"config":{"url":"https://new.example.com"},"secrets":{"api_key":"new-key-2"}}`,
			200, []string{`"secrets_set":["api_key"]`}, []string{secretsClearedField},
			secretsAre("Shop", map[string]string{"api_key": "new-key-2"})),
	}
	for _, sc := range scenarios {
		sc.run(t)
	}
}

// TestChangedAddressClearsSecretsOnGoSaves: the rule holds for saves
// that do not come through the API.
func TestChangedAddressClearsSecretsOnGoSaves(t *testing.T) {
	env := newTestEnv(t)
	seedAddressed(t, env)
	rec, err := env.app.FindFirstRecordByData(connectionsCollection, "name", "Files")
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("config", map[string]any{"host": "elsewhere.example.com", "username": "shop"})
	if err := env.app.Save(rec); err != nil {
		t.Fatal(err)
	}
	secretsAre("Files", nil)(t, env)
	if got, _ := rec.Get(secretsClearedField).([]string); len(got) != 1 || got[0] != "password" {
		t.Fatalf("the saved record says %v were cleared, want [password]", rec.Get(secretsClearedField))
	}
}
