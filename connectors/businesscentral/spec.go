// Package businesscentral is the Microsoft Dynamics 365 Business Central
// connector, registered as "business-central": through Business Central's
// standard API v1.0 (the only version with a published contract) it reads
// customers, items (and their inventory as stock), sales orders and sales
// invoices, and writes customers, items and, from orders, sales orders,
// sales invoices or sales quotes with their lines. It signs in as an
// app registered in Microsoft Entra ID (OAuth2 client credentials).
//
// It stands on the REST kit: the kit's client, the client-credentials
// token, pacing, and incremental reads by OData's $filter on
// lastModifiedDateTime with an overlap, page by page through
// @odata.nextLink.
package businesscentral

import (
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/rest/fieldset"
)

// Name is the connector's registered name.
const Name = "business-central"

// The connection's own fields.
const (
	fieldTenant      = "tenant_id"
	fieldEnvironment = "environment"
	fieldCompany     = "company"
	fieldAPIURL      = "api_url"
	fieldRate        = "rate_limit"
	fieldTimeout     = "timeout"
)

// The flow options besides package erp's.
const (
	optFrom = "from_date"
)

// Business Central's and Entra ID's addresses.
const (
	defaultAPIURL   = "https://api.businesscentral.dynamics.com"
	defaultTokenURL = "https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token"
	defaultScope    = "https://api.businesscentral.dynamics.com/.default"
)

//go:embed mappings/*.json
var mappingFiles embed.FS

// Mappings are the default mappings, one file per entity and direction.
var Mappings, _ = fs.Sub(mappingFiles, "mappings")

// Spec is the connector's spec.
var Spec = connectors.Spec{
	Name:     Name,
	Title:    "Microsoft Dynamics 365 Business Central",
	Category: connectors.CategoryERP,
	Description: "Business Central's standard API v1.0: customers, items, stock, sales orders and sales invoices in; customers, items " +
		"and orders (as sales orders, invoices or quotes, with their lines) out.",
	Auth:       []connectors.AuthKind{connectors.AuthOAuth2ClientCredentials},
	Fields:     fields(),
	FlowFields: flowFields,
	Reads:      []connectors.Entity{connectors.Product, connectors.Customer, connectors.Order, connectors.Stock, connectors.Invoice},
	Writes:     []connectors.Entity{connectors.Product, connectors.Customer, connectors.Order},
	Mappings:   Mappings,
	Validate:   validate,
	ValidateFlow: func(use connectors.Use, opts, _ connectors.Config, _ connectors.Env) error {
		return validateFlow(use, opts)
	},
}

func init() { connectors.Register(Spec, New) }

func fields() []connectors.Field {
	out := []connectors.Field{
		{Name: fieldTenant, Title: "Tenant", Type: connectors.TypeString, Required: true, Example: "contoso.onmicrosoft.com",
			Help: "Your Microsoft Entra tenant: its id (a GUID) or its domain."},
		{Name: fieldEnvironment, Title: "Environment", Type: connectors.TypeString, Default: "production", Example: "production",
			Help: "The Business Central environment's name, as the admin center lists it (production, sandbox...)."},
		{Name: fieldCompany, Title: "Company", Type: connectors.TypeString, Example: "CRONUS NL",
			Help: "The company to work in, by name or id. Empty: the only company of the environment; with several, the connection test lists them."},
	}
	for _, f := range auth.Fields(auth.KindClientCredentials)[1:] { // every field but the "auth" select
		switch f.Name {
		case "oauth_token_url":
			f.Default, f.Advanced = defaultTokenURL, true
			f.Help = "Entra ID's token endpoint; {tenant_id} is the tenant."
		case "oauth_scopes":
			f.Default, f.Advanced = defaultScope, true
		case "oauth_client_id":
			f.Required, f.Help = true, "The application (client) id of the app registered in Entra ID, with the API permission "+
				"Dynamics 365 Business Central > Application permissions > API.ReadWrite.All, and granted in Business Central (Microsoft Entra Applications)."
		case "oauth_client_secret":
			f.Required, f.Help = true, "A client secret of the app (Certificates & secrets)."
		}
		out = append(out, f)
	}
	return append(out,
		connectors.Field{Name: fieldAPIURL, Title: "API address", Type: connectors.TypeURL, Default: defaultAPIURL, Advanced: true,
			Help: "Business Central's API host; change it only for a proxy. Calls go to <address>/v2.0/<tenant>/<environment>/api/v1.0."},
		connectors.Field{Name: fieldRate, Title: "Calls per second", Type: connectors.TypeInt, Default: 20, Advanced: true,
			Help: "The most calls per second Switchboard makes, over every flow (Business Central takes 6,000 in 5 minutes and 5 at once per user); " +
				"0 sets no limit of its own (429 answers are obeyed in any case)."},
		connectors.Field{Name: fieldTimeout, Title: "Request timeout", Type: connectors.TypeDuration, Default: "60s", Advanced: true,
			Help: "How long one request may take once it goes out."},
	)
}

// bcOrders are Business Central's defaults of the shared order options;
// API v1.0 takes no warehouse (location) or journal on a sales document.
var bcOrders = erp.Defaults{App: "Business Central",
	GuestHelp: "a customer number", VATCode: "Business Central tax code (the VAT product posting group, such as VAT21)",
	VATEmpty:        "lines get no tax code, and Business Central takes the item's.",
	VATExample:      `{"NL": {"21": "VAT21", "9": "VAT9"}, "*": {"0": "VAT0"}}`,
	ShippingSKUHelp: "The number of the Business Central item (a service) that shipping costs are booked on, as a line. Empty: an order with shipping costs fails, saying so.",
	Omit:            []string{erp.OptWarehouse, erp.OptJournal}}

var flowFields = append(append([]connectors.Field{
	{Name: optFrom, Title: "Records from", Type: connectors.TypeString, Use: connectors.UseRead, Example: "2025-01-01",
		Help: "The first run reads the records changed on or after this date (YYYY-MM-DD, UTC); later runs read what changed since the last. Empty: the first run reads everything."},
}, erp.FlowFields(bcOrders)...), fieldset.FlowFields("Business Central", "displayName, unitPrice", "unitPrice")...)

// writeFields are the flow fields of writing flows.
var writeFields = func() []connectors.Field {
	var out []connectors.Field
	for _, f := range flowFields {
		if f.Use&connectors.UseWrite != 0 {
			out = append(out, f)
		}
	}
	return out
}()

var namePattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// validate checks the connection's config.
func validate(cfg connectors.Config, _ connectors.Env) error {
	problems := map[string]string{}
	for _, f := range []string{fieldTenant, fieldEnvironment} {
		if v := cfg.String(f); v != "" && !namePattern.MatchString(v) {
			problems[f] = fmt.Sprintf("%q is not a name or id (letters, digits, dots, - and _)", v)
		}
	}
	if u, err := url.Parse(cfg.String(fieldAPIURL)); err != nil || strings.Contains(u.Path, "/v2.0") {
		problems[fieldAPIURL] = "give the API's host without /v2.0/...: Switchboard adds the tenant, environment and version"
	}
	if cfg.Int(fieldRate) < 0 {
		problems[fieldRate] = "cannot be below zero"
	}
	if cfg.Duration(fieldTimeout) <= 0 {
		problems[fieldTimeout] = "must be above zero"
	}
	if len(problems) > 0 {
		return &connectors.ValidationError{Connector: Name, Fields: problems}
	}
	return nil
}

// validateFlow checks a flow's options.
func validateFlow(use connectors.Use, opts connectors.Config) error {
	problems := map[string]string{}
	if _, err := fromDate(opts); err != nil {
		problems[optFrom] = err.Error()
	}
	fieldset.Validate(opts, problems)
	if len(problems) > 0 {
		return &connectors.ValidationError{Connector: Name, Of: connectors.FlowOptions, Fields: problems}
	}
	return erp.ValidateFlow(Name, flowFields)(use, opts, connectors.Config{}, connectors.Env{})
}

// fromDate is the "records from" option as a time; zero when unset.
func fromDate(opts connectors.Config) (time.Time, error) {
	v := strings.TrimSpace(opts.String(optFrom))
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date such as 2025-01-31", v)
	}
	return t, nil
}
