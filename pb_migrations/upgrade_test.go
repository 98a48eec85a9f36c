package pb_migrations

import (
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// appBefore returns an app whose schema is what the migrations before the
// named one made: a data folder of an earlier release. migrateFrom then
// applies the rest, as an upgrade does.
func appBefore(t *testing.T, file string) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir()})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.ResetBootstrapState() })
	if err := runMigrations(app, func(name string) bool { return name < file }); err != nil {
		t.Fatalf("migrating up to %s: %v", file, err)
	}
	return app
}

// migrateFrom applies the named migration and every later one.
func migrateFrom(t *testing.T, app core.App, file string) {
	t.Helper()
	if err := runMigrations(app, func(name string) bool { return name >= file }); err != nil {
		t.Fatalf("migrating from %s: %v", file, err)
	}
}

func runMigrations(app core.App, take func(name string) bool) error {
	var list core.MigrationsList
	for _, m := range core.AppMigrations.Items() {
		if take(strings.TrimSuffix(m.File, ".go")) {
			list.Add(m)
		}
	}
	_, err := core.NewMigrationsRunner(app, list).Up()
	return err
}
