package pb_migrations

import (
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// migratedApp returns an app on a new data folder with every migration run.
func migratedApp(t *testing.T) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir()})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.ResetBootstrapState() })
	if err := app.RunAllMigrations(); err != nil {
		t.Fatal(err)
	}
	return app
}

func TestRateLimitsAreOnByDefault(t *testing.T) {
	tests := []struct {
		name    string
		before  func(app core.App) // the settings as found before the migration
		enabled bool
		rules   []core.RateLimitRule
	}{
		{"a new data folder", func(core.App) {}, true, rateLimitsWithEmailChange()},
		{"a data folder with PocketBase's defaults", func(app core.App) {
			app.Settings().RateLimits = core.RateLimitsConfig{Rules: slices.Clone(pocketBaseRateLimits)}
		}, true, rateLimits},
		{"limits the administrator turned on", func(app core.App) {
			app.Settings().RateLimits = core.RateLimitsConfig{Enabled: true, Rules: slices.Clone(pocketBaseRateLimits)}
		}, true, pocketBaseRateLimits},
		{"rules the administrator changed, off", func(app core.App) {
			app.Settings().RateLimits = core.RateLimitsConfig{Rules: []core.RateLimitRule{{Label: "/api/", MaxRequests: 5, Duration: 1}}}
		}, false, []core.RateLimitRule{{Label: "/api/", MaxRequests: 5, Duration: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := migratedApp(t)
			tt.before(app)
			if err := app.Save(app.Settings()); err != nil {
				t.Fatal(err)
			}
			if err := rateLimitsUp(app); err != nil {
				t.Fatal(err)
			}
			if err := app.ReloadSettings(); err != nil {
				t.Fatal(err)
			}
			got := app.Settings().RateLimits
			if got.Enabled != tt.enabled || !slices.Equal(got.Rules, tt.rules) {
				t.Fatalf("rate limits = %+v, want enabled=%v rules %+v", got, tt.enabled, tt.rules)
			}
		})
	}
}

func TestRateLimitsDownGivesBackPocketBaseDefaults(t *testing.T) {
	app := migratedApp(t)
	if err := emailChangeLimitDown(app); err != nil { // the later migration's down runs first
		t.Fatal(err)
	}
	if err := rateLimitsDown(app); err != nil {
		t.Fatal(err)
	}
	if err := app.ReloadSettings(); err != nil {
		t.Fatal(err)
	}
	got := app.Settings().RateLimits
	if got.Enabled || !slices.Equal(got.Rules, pocketBaseRateLimits) {
		t.Fatalf("rate limits = %+v, want PocketBase's defaults, off", got)
	}
}

// TestPocketBaseDefaultsAreKnown notices a PocketBase whose default rate
// limits changed: the migration recognises unconfigured settings by them.
func TestPocketBaseDefaultsAreKnown(t *testing.T) {
	fresh := core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir()}).Settings().RateLimits
	if fresh.Enabled || !slices.Equal(fresh.Rules, pocketBaseRateLimits) {
		t.Fatalf("PocketBase's default rate limits are %+v, the migration knows %+v", fresh, pocketBaseRateLimits)
	}
}
