package pb_migrations

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// migrateUp applies every migration an app made by appBefore lacks, as an
// upgrade does.
func migrateUp(t *testing.T, app core.App) {
	t.Helper()
	if _, err := core.NewMigrationsRunner(app, core.AppMigrations).Up(); err != nil {
		t.Fatalf("upgrading: %v", err)
	}
}
