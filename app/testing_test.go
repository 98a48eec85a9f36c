package app

import (
	"io"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/memory"
	_ "github.com/switchboard-app/switchboard/pb_migrations"
)

// testSpec is a connector with required plain and secret fields.
var testSpec = connectors.Spec{
	Name: "testshop", Title: "Test Shop", Category: connectors.CategoryWebshop,
	Auth: []connectors.AuthKind{connectors.AuthAPIKey},
	Fields: []connectors.Field{
		{Name: "url", Title: "URL", Type: connectors.TypeURL, Required: true, Help: "The shop's address."},
		{Name: "api_key", Title: "API key", Type: connectors.TypeString, Required: true, Secret: true, Help: "The key."},
	},
	Reads: []connectors.Entity{connectors.Order},
}

func testRegistry(t testing.TB) *connectors.Registry {
	reg := connectors.NewRegistry()
	if err := reg.Register(memory.Spec, memory.New); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(testSpec, memory.New); err != nil {
		t.Fatal(err)
	}
	return reg
}

// testEnv is a test app with Switchboard registered and one user per role.
type testEnv struct {
	app    *tests.TestApp
	sb     *Switchboard
	users  map[string]*core.Record
	tokens map[string]string
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	t.Setenv("SWITCHBOARD_SECRET_KEY", "")
	app, err := tests.NewTestAppWithConfig(core.BaseAppConfig{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Cleanup)
	errOut = io.Discard
	env := &testEnv{app: app, users: map[string]*core.Record{}, tokens: map[string]string{}}
	env.sb = Register(app, Options{Registry: testRegistry(t)})
	env.sb.checkSecrets()
	for _, role := range Roles {
		env.addUser(t, role)
	}
	env.addSuperuser(t)
	return env
}

func (env *testEnv) addUser(t testing.TB, role string) {
	t.Helper()
	users, err := env.app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	rec := core.NewRecord(users)
	rec.SetEmail(role + "@example.com")
	rec.SetPassword("Passw0rd!123")
	rec.Set("role", role)
	if err := env.app.Save(rec); err != nil {
		t.Fatalf("adding %s: %v", role, err)
	}
	env.users[role] = rec
	env.tokens[role] = mustToken(t, rec)
}

func (env *testEnv) addSuperuser(t testing.TB) {
	t.Helper()
	col, err := env.app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		t.Fatal(err)
	}
	rec := core.NewRecord(col)
	rec.SetEmail("root@example.com")
	rec.SetPassword("Passw0rd!123")
	if err := env.app.Save(rec); err != nil {
		t.Fatal(err)
	}
	env.tokens["superuser"] = mustToken(t, rec)
}

func mustToken(t testing.TB, rec *core.Record) string {
	t.Helper()
	token, err := rec.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// saveConnection saves a connection through Go with sealed secrets.
func (env *testEnv) saveConnection(t testing.TB, name, connector string, config map[string]any, plain map[string]string) *core.Record {
	t.Helper()
	col, err := env.app.FindCollectionByNameOrId(connectionsCollection)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := env.sb.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	sealed := map[string]string{}
	for k, v := range plain {
		if sealed[k], err = ring.Seal(v, secretContext(k)); err != nil {
			t.Fatal(err)
		}
	}
	rec := core.NewRecord(col)
	rec.Set("name", name)
	rec.Set("connector", connector)
	rec.Set("config", config)
	rec.Set("secrets", sealed)
	if err := env.app.Save(rec); err != nil {
		t.Fatalf("saving connection %s: %v", name, err)
	}
	return rec
}
