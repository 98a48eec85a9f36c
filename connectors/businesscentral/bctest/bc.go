// Package bctest is a fake Microsoft Dynamics 365 Business Central for
// tests: the spectest fake of Business Central's own API v1.0 contract
// (shared/specs/ms-business-central), which refuses every request the
// contract does not allow, behind an OAuth2 server
// (connectors/rest/auth/authtest) as Entra ID's token endpoint, with what
// the connector relies on: the tenant and environment in the path, the
// companies, OData's $filter, $top, $expand and server-driven pages
// (Prefer: odata.maxpagesize, @odata.nextLink with $skiptoken), ETags and
// If-Match, customers and items numbered by Business Central, sales
// orders, invoices and quotes with their lines (items, tax groups,
// amounts), shipment methods, payment terms and currencies checked, and
// Business Central's errors. Its clock moves a second with every write.
package bctest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors/rest/auth/authtest"
	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// The app registered in Entra ID, and where the environment is.
const (
	ClientID     = "6f1c2e3d-4b5a-4c7d-8e9f-0a1b2c3d4e5f"
	ClientSecret = "bc-test-client-secret-~Q8d.2a"
	Tenant       = "contoso.onmicrosoft.com"
	Environment  = "production"
)

// The store's collections.
const (
	Customers      = "customers"
	Items          = "items"
	SalesOrders    = "salesOrders"
	SalesInvoices  = "salesInvoices"
	SalesQuotes    = "salesQuotes"
	ShipmentMethod = "shipmentMethods"
	PaymentTerms   = "paymentTerms"
	TaxGroups      = "taxGroups"
)

// Company is a company of the environment.
type Company struct {
	ID, Name string
}

// Cronus is the company a fake has unless it is given others.
var Cronus = Company{ID: "5d115c9c-44e3-ea11-bb43-000d3a2feca1", Name: "CRONUS NL"}

// BC is a fake Business Central environment.
type BC struct {
	*spectest.Server
	// Identity is the token endpoint's server; the API is behind it.
	Identity *authtest.Server

	mu        sync.Mutex
	companies []Company
	now       time.Time
	versions  int
}

// New starts a fake with its companies (Cronus when none); it skips the
// test when the contract is absent (see spectest.Load).
func New(t testing.TB, companies ...Company) *BC {
	t.Helper()
	if len(companies) == 0 {
		companies = []Company{Cronus}
	}
	b := &BC{Server: spectest.New(t, spectest.Load(t, spectest.BusinessCentral)), companies: companies,
		now: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}
	b.Alias("/v2.0/" + Tenant + "/" + Environment + "/api/v1.0")
	b.ErrorBody(func(status int, msg string) any { return odataError(code(status), msg) })
	b.Identity = authtest.New(authtest.Options{ClientID: ClientID, ClientSecret: ClientSecret, API: b.Server})
	t.Cleanup(b.Identity.Close)
	b.seed()
	b.routes()
	return b
}

// Config is a connection's config for the fake, pacing off.
func (b *BC) Config() map[string]any {
	return map[string]any{"tenant_id": Tenant, "environment": Environment, "api_url": b.Identity.URL + "/api",
		"oauth_token_url": b.Identity.URL + "/token", "oauth_client_id": ClientID, "rate_limit": 0}
}

// Secrets are a connection's secrets for the fake.
func (b *BC) Secrets() map[string]string {
	return map[string]string{"oauth_client_secret": ClientSecret}
}

// seed keeps the environment's codes: shipment methods, payment terms and
// tax groups (VAT product posting groups).
func (b *BC) seed() {
	for i, code := range []string{"DHL", "PICKUP", "POSTNL"} {
		b.keep(ShipmentMethod, map[string]any{"id": id(ShipmentMethod, i+1), "code": code, "displayName": code})
	}
	for i, code := range []string{"0D", "14 DAYS", "30 DAYS"} {
		b.keep(PaymentTerms, map[string]any{"id": id(PaymentTerms, i+1), "code": code, "displayName": code,
			"dueDateCalculation": strings.TrimSuffix(code, " DAYS") + "D", "discountPercent": 0, "calculateDiscountOnCreditMemos": false})
	}
	for i, code := range []string{"VAT21", "VAT9", "VAT0"} {
		b.keep(TaxGroups, map[string]any{"id": id(TaxGroups, i+1), "code": code, "displayName": code, "taxType": "VAT"})
	}
}

// taxRates are the rates of the tax groups.
var taxRates = map[string]float64{"VAT21": 21, "VAT9": 9, "VAT0": 0}

// currencies are the foreign currencies; the company's own is EUR.
var currencies = map[string]bool{"USD": true, "GBP": true}

// tick is the time of a write: the clock, which then moves a second.
func (b *BC) tick() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	at := b.now.Format(time.RFC3339)
	b.now = b.now.Add(time.Second)
	return at
}

// etag is a new ETag for a record's version.
func (b *BC) etag() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.versions++
	return fmt.Sprintf(`W/"JzQ0O0VnQUFBQUo3%08d;MDA7Jw=="`, b.versions)
}

// keep stores a record of a collection with a new version and, but for
// a document's lines, which have none, the time it changed.
func (b *BC) keep(collection string, rec map[string]any) map[string]any {
	rec["@odata.etag"] = b.etag()
	if !strings.HasSuffix(collection, "Lines") {
		rec["lastModifiedDateTime"] = b.tick()
	}
	b.Store.Put(collection, fmt.Sprint(rec["id"]), rec)
	return rec
}

// id is the nth id of a collection, as a GUID.
func id(collection string, n int) string {
	var h uint32
	for _, c := range collection {
		h = h*31 + uint32(c)
	}
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", h, n>>16&0xffff, n>>8&0xfff, n&0xfff, n)
}

// odataError is Business Central's error body.
func odataError(code, msg string) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "message": msg + "  CorrelationId:  3e5c7a90-1b2d-4f6e-8a9b-0c1d2e3f4a5b."}}
}

func code(status int) string {
	switch status {
	case http.StatusNotFound:
		return "BadRequest_NotFound"
	case http.StatusUnauthorized:
		return "Authentication_InvalidCredentials"
	case http.StatusPreconditionFailed:
		return "Request_EntityChanged"
	}
	return "BadRequest"
}

// fail is a reply with Business Central's error.
func fail(status int, errCode, msg string) spectest.Reply {
	return spectest.JSON(status, odataError(errCode, msg))
}
