// Package xerotest is a fake Xero for tests: the spectest fake of Xero's
// own Accounting API spec (shared/specs/xero), which refuses every request
// the spec does not allow, behind an OAuth2 authorization server
// (connectors/rest/auth/authtest) as Xero's identity service, with what
// the connector relies on: the organisations connected (GET /connections)
// and the xero-tenant-id every call names, Xero's limits per organisation
// (calls a minute, a day and at once, with the X-MinLimit-Remaining,
// X-DayLimit-Remaining and X-Rate-Limit-Problem headers and 429s),
// Idempotency-Key, where filters, order, If-Modified-Since and pages, and
// contacts (unique names), items (unique codes), tax rates, and invoices
// whose lines, taxes and totals it computes, with Xero's validation
// errors. Its clock moves a second with every write.
package xerotest

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest/auth/authtest"
	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// The app's credentials at the fake identity service, and where it may
// send a person back to.
const (
	ClientID     = "XEROTESTCLIENT0000000000000001"
	ClientSecret = "xero-test-client-secret-7d41c9"
	RedirectURL  = "https://switchboard.example/api/switchboard/oauth/callback"
)

// The store's collections.
const (
	Contacts    = "Contacts"
	Items       = "Items"
	Invoices    = "Invoices"
	CreditNotes = "CreditNotes"
)

// Tenant is an organisation connected to the app.
type Tenant struct {
	ID, Name string
}

// DemoCompany is the organisation a fake has unless it is given others.
var DemoCompany = Tenant{ID: "4a1b6c3d-2e5f-4a70-8b91-c2d3e4f50617", Name: "Demo Company (NL)"}

// Limits are Xero's limits per organisation.
type Limits struct {
	PerMinute, PerDay, AtOnce int
}

// Xero is a fake Xero: its identity service and its Accounting API.
type Xero struct {
	*spectest.Server
	// Identity is the authorization server; URL the Accounting API's
	// address behind it.
	Identity *authtest.Server
	URL      string

	mu       sync.Mutex
	tenants  []Tenant
	limits   Limits
	calls    map[string][]time.Time // by tenant, in the last minute
	today    map[string]int
	inFlight map[string]int
	replies  map[string]reply // by tenant and idempotency key
	now      time.Time
}

// New starts a fake with its organisations (DemoCompany when none) that
// sends a person back to RedirectURL; it skips the test when the spec is
// absent (see spectest.Load).
func New(t testing.TB, tenants ...Tenant) *Xero {
	t.Helper()
	return NewReturningTo(t, "https://switchboard.example/", tenants...)
}

// NewReturningTo starts a fake as New does whose consent page sends a
// person back to an address under redirectBase: a running appliance's.
func NewReturningTo(t testing.TB, redirectBase string, tenants ...Tenant) *Xero {
	t.Helper()
	if len(tenants) == 0 {
		tenants = []Tenant{DemoCompany}
	}
	x := &Xero{Server: spectest.New(t, spectest.Load(t, spectest.Xero)), tenants: tenants,
		limits: Limits{PerMinute: 60, PerDay: 5000, AtOnce: 5}, calls: map[string][]time.Time{}, today: map[string]int{},
		inFlight: map[string]int{}, replies: map[string]reply{}, now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	x.Identity = authtest.New(authtest.Options{ClientID: ClientID, ClientSecret: ClientSecret,
		RedirectBase: redirectBase, API: http.HandlerFunc(x.serve)})
	t.Cleanup(x.Identity.Close)
	x.URL = x.Identity.URL + "/api" + x.Spec().Base
	x.routes()
	return x
}

// SetLimits changes the limits per organisation.
func (x *Xero) SetLimits(l Limits) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.limits = l
}

// SetTenants changes the organisations connected.
func (x *Xero) SetTenants(tenants ...Tenant) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.tenants = tenants
}

// Config is a connection's config for the fake, pacing off.
func (x *Xero) Config() map[string]any {
	return map[string]any{"api_url": x.URL, "oauth_auth_url": x.Identity.URL + "/authorize", "oauth_token_url": x.Identity.URL + "/token",
		"oauth_client_id": ClientID, "rate_limit": 0}
}

// Connect runs the Connect of a connection as a person does (Xero's
// consent page agrees at once) and returns the secrets it keeps: the
// client secret and the tokens.
func Connect(t testing.TB, c connectors.OAuth2Connector) map[string]string {
	t.Helper()
	secrets := authtest.Connect(t, c, RedirectURL)
	secrets["oauth_client_secret"] = ClientSecret
	return secrets
}

// tick is the time of a write: the clock, which then moves a second.
func (x *Xero) tick() time.Time {
	x.mu.Lock()
	defer x.mu.Unlock()
	at := x.now
	x.now = x.now.Add(time.Second)
	return at
}

// MSDate writes a time as Xero does: /Date(1741856400000+0000)/.
func MSDate(t time.Time) string { return fmt.Sprintf("/Date(%d+0000)/", t.UnixMilli()) }

// uuid is the nth id of a collection, as a UUID.
func uuid(collection string, n int) string {
	var h uint32
	for _, c := range collection {
		h = h*31 + uint32(c)
	}
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", h, n>>16&0xffff, n>>8&0xfff, n&0xfff, n)
}
