package pb_migrations

import (
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// TestEmailChangeLimitMigration: limits that are Switchboard's defaults
// get the e-mail change limit, configured ones are left alone, and down
// takes it out again.
func TestEmailChangeLimitMigration(t *testing.T) {
	configured := []core.RateLimitRule{{Label: "/api/", MaxRequests: 5, Duration: 1}}
	tests := []struct {
		name   string
		before func(app core.App)
		rules  []core.RateLimitRule
	}{
		{"Switchboard's defaults", func(core.App) {}, rateLimitsWithEmailChange()},
		{"rules the administrator changed", func(app core.App) {
			app.Settings().RateLimits.Rules = slices.Clone(configured)
		}, configured},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := appBefore(t, "1766900000_email_change_limit.go")
			tt.before(app)
			if err := app.Save(app.Settings()); err != nil {
				t.Fatal(err)
			}
			migrateUp(t, app)
			if got := app.Settings().RateLimits.Rules; !slices.Equal(got, tt.rules) {
				t.Fatalf("rules = %+v, want %+v", got, tt.rules)
			}
		})
	}
	app := migratedApp(t)
	if !slices.Contains(app.Settings().RateLimits.Rules, emailChangeLimit) {
		t.Fatalf("a new data folder's rules %+v lack %+v", app.Settings().RateLimits.Rules, emailChangeLimit)
	}
	if err := emailChangeLimitDown(app); err != nil {
		t.Fatal(err)
	}
	if got := app.Settings().RateLimits.Rules; !slices.Equal(got, rateLimits) {
		t.Fatalf("down left %+v, want %+v", got, rateLimits)
	}
}
