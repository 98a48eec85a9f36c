package ui

import "github.com/pocketbase/pocketbase/core"

// ContentSecurityPolicy is sent with every page: nothing but the
// appliance's own files, no inline script, no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders adds the headers every page and file of the UI carries.
func securityHeaders(e *core.RequestEvent) error {
	h := e.Response.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	return e.Next()
}

// noStore keeps every page and download out of browser and proxy caches:
// they show what only the signed-in user may read (payloads, a flow's
// webhook secret, users' addresses), which Back or a shared machine's
// cache would otherwise show again after signing out. Static files, whose
// addresses change with their content, are left to cache.
func noStore(e *core.RequestEvent) error {
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.Next()
}
