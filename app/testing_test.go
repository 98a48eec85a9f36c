package app

import (
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/hook"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files"
	"github.com/switchboard-app/switchboard/connectors/httpjson"
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
	Reads:    []connectors.Entity{connectors.Order},
	Webhooks: true, // memory.New receives them
}

func testRegistry(t testing.TB) *connectors.Registry {
	reg := connectors.NewRegistry()
	if err := reg.Register(memory.Spec, memory.New); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(testSpec, memory.New); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(files.FolderSpec(), files.NewFolder); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(httpjson.Spec, httpjson.New); err != nil {
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

// fixtureDir is a data folder with the schema and one user per role,
// built once: hashing passwords for every test would take most of the
// suite's time. Each test app works on its own copy.
var fixtureDir string

func TestMain(m *testing.M) {
	dir, err := buildFixture()
	if err != nil {
		fmt.Fprintln(os.Stderr, "building the test fixture:", err)
		os.Exit(1)
	}
	fixtureDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func buildFixture() (string, error) {
	dir, err := os.MkdirTemp("", "switchboard-fixture-")
	if err != nil {
		return "", err
	}
	base := core.NewBaseApp(core.BaseAppConfig{DataDir: dir, DBConnect: DBConnect})
	if err := base.Bootstrap(); err != nil {
		return "", err
	}
	defer func() { _ = base.ResetBootstrapState() }()
	if err := base.RunAllMigrations(); err != nil {
		return "", err
	}
	for _, role := range Roles {
		if err := saveAuth(base, "users", role+"@example.com", map[string]any{"role": role}); err != nil {
			return "", err
		}
	}
	return dir, saveAuth(base, core.CollectionNameSuperusers, "root@example.com", nil)
}

func saveAuth(app core.App, collection, email string, fields map[string]any) error {
	col, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		return err
	}
	rec := core.NewRecord(col)
	rec.SetEmail(email)
	rec.SetPassword("Passw0rd!123")
	for k, v := range fields {
		rec.Set(k, v)
	}
	return app.Save(rec)
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	t.Setenv("SWITCHBOARD_SECRET_KEY", "")
	app, err := tests.NewTestAppWithConfig(core.BaseAppConfig{DataDir: fixtureDir, DBConnect: DBConnect})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Cleanup)
	keepCronStopped(app)
	errOut = io.Discard
	env := &testEnv{app: app, users: map[string]*core.Record{}, tokens: map[string]string{}}
	env.sb = Register(app, Options{Registry: testRegistry(t)})
	env.sb.checkSecrets()
	for _, role := range Roles {
		rec, err := app.FindAuthRecordByEmail("users", role+"@example.com")
		if err != nil {
			t.Fatal(err)
		}
		env.users[role] = rec
		env.tokens[role] = mustToken(t, rec)
	}
	root, err := app.FindAuthRecordByEmail(core.CollectionNameSuperusers, "root@example.com")
	if err != nil {
		t.Fatal(err)
	}
	env.tokens["superuser"] = mustToken(t, root)
	return env
}

// keepCronStopped stops the ticker of PocketBase's cron, which a served
// test app starts: its jobs (PocketBase's cleanups, at the top of the hour
// and two minutes past) would otherwise run beside the test's cleanup,
// which resets the app's databases without a lock, and the race detector
// fails the test that ends at that moment. Switchboard's schedules do not
// use it.
func keepCronStopped(app core.App) {
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Id:       "testKeepCronStopped",
		Priority: 1000, // after PocketBase's own handler starts the ticker
		Func: func(e *core.ServeEvent) error {
			app.Cron().Stop()
			return e.Next()
		},
	})
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
