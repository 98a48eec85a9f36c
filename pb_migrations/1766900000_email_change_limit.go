package pb_migrations

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(emailChangeLimitUp, emailChangeLimitDown)
}

// emailChangeLimit limits the requests for an e-mail change as the other
// account mails are limited: each sends a mail to the address it names,
// which any signed-in user chooses, so without it the appliance's mail
// server would send a viewer's 100 mails a second to anybody.
var emailChangeLimit = core.RateLimitRule{Label: "*:requestEmailChange", MaxRequests: 5, Duration: 60}

// rateLimitsWithEmailChange are Switchboard's default rules since
// 1766900000_email_change_limit.go: rateLimits, with emailChangeLimit
// beside the other account mails.
func rateLimitsWithEmailChange() []core.RateLimitRule {
	at := slices.IndexFunc(rateLimits, func(r core.RateLimitRule) bool { return r.Label == "*:requestOTP" }) + 1
	return slices.Insert(slices.Clone(rateLimits), at, emailChangeLimit)
}

// emailChangeLimitUp adds emailChangeLimit to limits that are still
// Switchboard's defaults (a new data folder, or one whose administrator
// never changed them); configured limits are left alone.
func emailChangeLimitUp(app core.App) error {
	limits := &app.Settings().RateLimits
	if !limits.Enabled || !slices.Equal(limits.Rules, rateLimits) {
		return nil
	}
	limits.Rules = rateLimitsWithEmailChange()
	return app.Save(app.Settings())
}

// emailChangeLimitDown takes emailChangeLimit out again when the limits
// are still the ones emailChangeLimitUp set.
func emailChangeLimitDown(app core.App) error {
	limits := &app.Settings().RateLimits
	if !limits.Enabled || !slices.Equal(limits.Rules, rateLimitsWithEmailChange()) {
		return nil
	}
	limits.Rules = slices.Clone(rateLimits)
	return app.Save(app.Settings())
}
