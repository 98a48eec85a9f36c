package pb_migrations

import (
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

func statuses(t *testing.T, app core.App) []string {
	t.Helper()
	conns, err := app.FindCollectionByNameOrId("connections")
	if err != nil {
		t.Fatal(err)
	}
	return conns.Fields.GetByName("status").(*core.SelectField).Values
}

func TestAConnectionCanNeedReconnecting(t *testing.T) {
	app := migratedApp(t)
	if got := statuses(t, app); !slices.Contains(got, "reconnect_needed") || !slices.Contains(got, "down") {
		t.Fatalf("connection statuses %v, want reconnect_needed besides the others", got)
	}
	if err := reconnectNeededUp(app); err != nil || len(statuses(t, app)) != len(slices.Compact(slices.Sorted(slices.Values(statuses(t, app))))) {
		t.Fatalf("running the migration again: %v, statuses %v", err, statuses(t, app))
	}
	if err := reconnectNeededDown(app); err != nil || slices.Contains(statuses(t, app), "reconnect_needed") {
		t.Fatalf("down: %v, statuses %v", err, statuses(t, app))
	}
}
