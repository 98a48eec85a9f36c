package pb_migrations

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(rateLimitsUp, rateLimitsDown)
}

// rateLimits are Switchboard's default request limits, per client IP in
// fixed windows of Duration seconds: sign-ins (any auth collection,
// superusers too), the requests that send mail to an account, and the
// REST API as a whole, generously. Webhooks (/hooks/) are limited per flow
// by the engine instead. Superusers' requests are not limited.
var rateLimits = []core.RateLimitRule{
	{Label: "*:auth", MaxRequests: 10, Duration: 60},
	{Label: "*:requestPasswordReset", MaxRequests: 5, Duration: 60},
	{Label: "*:requestVerification", MaxRequests: 5, Duration: 60},
	{Label: "*:requestOTP", MaxRequests: 5, Duration: 60},
	{Label: "/api/batch", MaxRequests: 3, Duration: 1},
	{Label: "/api/", MaxRequests: 1000, Duration: 10},
}

// pocketBaseRateLimits are PocketBase's own defaults (v0.39), which it
// ships turned off: settings that still hold them were never configured.
var pocketBaseRateLimits = []core.RateLimitRule{
	{Label: "*:auth", MaxRequests: 2, Duration: 3},
	{Label: "*:create", MaxRequests: 20, Duration: 5},
	{Label: "/api/batch", MaxRequests: 3, Duration: 1},
	{Label: "/api/", MaxRequests: 300, Duration: 10},
}

// rateLimitsUp turns the rate limits on, with Switchboard's rules, in a
// data folder whose administrator has not configured them (they are off
// with PocketBase's default rules): new data folders and existing ones.
// Configured limits are left alone; the dashboard changes them either way.
func rateLimitsUp(app core.App) error {
	limits := &app.Settings().RateLimits
	if limits.Enabled || !slices.Equal(limits.Rules, pocketBaseRateLimits) {
		return nil
	}
	limits.Rules = slices.Clone(rateLimits)
	limits.Enabled = true
	return app.Save(app.Settings())
}

// rateLimitsDown gives back PocketBase's defaults, turned off, when the
// limits are still the ones rateLimitsUp set.
func rateLimitsDown(app core.App) error {
	limits := &app.Settings().RateLimits
	if !limits.Enabled || !slices.Equal(limits.Rules, rateLimits) {
		return nil
	}
	limits.Rules = slices.Clone(pocketBaseRateLimits)
	limits.Enabled = false
	return app.Save(app.Settings())
}
