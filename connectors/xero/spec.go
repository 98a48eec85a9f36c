// Package xero is the Xero connector, registered as "xero": it reads
// contacts, items, sales invoices and credit notes through Xero's
// Accounting API, and writes contacts, items and, from orders, sales
// invoices with a tax rate per line. A person connects it with OAuth2
// (authorization code) and picks the organisation (the tenant that every
// call names in its xero-tenant-id header).
//
// It stands on the REST kit: the kit's client, the OAuth2 flow, pacing
// kept under Xero's limits of 60 calls a minute and 5 at once per
// organisation (its X-MinLimit-Remaining, X-DayLimit-Remaining and
// X-Rate-Limit-Problem headers read), and incremental reads by
// If-Modified-Since with an overlap.
package xero

import (
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/rest/fieldset"
)

// Name is the connector's registered name.
const Name = "xero"

// The connection's own fields.
const (
	fieldAPIURL  = "api_url"
	fieldTenant  = "tenant_id"
	fieldRate    = "rate_limit"
	fieldTimeout = "timeout"
)

// The flow options besides package erp's.
const (
	optFrom      = "from_date"
	optDocuments = "documents"
	optStatus    = "invoice_status"
	optAccount   = "sales_account"
)

// The documents an invoice flow reads.
const (
	docInvoices    = "invoices"
	docCreditNotes = "credit_notes"
)

// Xero's addresses.
const (
	defaultAPIURL   = "https://api.xero.com/api.xro/2.0"
	apiSuffix       = "/api.xro/2.0"
	defaultAuthURL  = "https://login.xero.com/identity/connect/authorize"
	defaultTokenURL = "https://identity.xero.com/connect/token"
	defaultScopes   = "offline_access accounting.transactions accounting.contacts accounting.settings.read"
)

//go:embed mappings/*.json
var mappingFiles embed.FS

// Mappings are the default mappings, one file per entity and direction.
var Mappings, _ = fs.Sub(mappingFiles, "mappings")

// Spec is the connector's spec.
var Spec = connectors.Spec{
	Name:     Name,
	Title:    "Xero",
	Category: connectors.CategoryAccounting,
	Description: "Xero's Accounting API: contacts, items, sales invoices and credit notes in; contacts, items and sales " +
		"invoices (from orders, with a tax rate per line) out.",
	Auth:       []connectors.AuthKind{connectors.AuthOAuth2},
	Fields:     fields(),
	FlowFields: flowFields,
	Reads:      []connectors.Entity{connectors.Product, connectors.Customer, connectors.Invoice},
	Writes:     []connectors.Entity{connectors.Product, connectors.Customer, connectors.Order},
	Mappings:   Mappings,
	Validate:   validate,
	ValidateFlow: func(use connectors.Use, opts, _ connectors.Config, _ connectors.Env) error {
		return validateFlow(use, opts)
	},
}

func init() { connectors.Register(Spec, New) }

// oauthDefaults are Xero's own values of the kit's OAuth2 fields.
var oauthDefaults = map[string]string{"oauth_auth_url": defaultAuthURL, "oauth_token_url": defaultTokenURL, "oauth_scopes": defaultScopes}

func fields() []connectors.Field {
	out := []connectors.Field{
		{Name: fieldTenant, Title: "Organisation", Type: connectors.TypeString, Example: "Demo Company (NZ)",
			Help: "The Xero organisation (tenant) to work in, by name or tenant id. Empty: the only organisation connected; " +
				"when you connected several, the connection test lists them."},
	}
	for _, f := range auth.Fields(auth.KindOAuth2)[1:] { // every field but the "auth" select: Xero takes OAuth2 only
		if def, ok := oauthDefaults[f.Name]; ok {
			f.Default, f.Advanced = def, true
		}
		switch f.Name {
		case "oauth_client_id":
			f.Required, f.Help = true, "The client id of your app at developer.xero.com (My Apps), a web app whose redirect URI is "+
				"https://<your Switchboard>/api/switchboard/oauth/callback."
		case "oauth_client_secret":
			f.Help = "The app's client secret (developer.xero.com, My Apps, Configuration)."
		}
		out = append(out, f)
	}
	return append(out,
		connectors.Field{Name: fieldAPIURL, Title: "Accounting API address", Type: connectors.TypeURL, Default: defaultAPIURL, Advanced: true,
			Help: "Xero's Accounting API; change it only for a proxy. It ends in /api.xro/2.0."},
		connectors.Field{Name: fieldRate, Title: "Calls per minute", Type: connectors.TypeInt, Default: 60, Advanced: true,
			Help: "The most calls per minute Switchboard makes to the organisation, over every flow (Xero takes 60, and 5 at once); " +
				"0 sets no limit of its own (Xero's headers and 429 answers are obeyed in any case)."},
		connectors.Field{Name: fieldTimeout, Title: "Request timeout", Type: connectors.TypeDuration, Default: "60s", Advanced: true,
			Help: "How long one request may take once it goes out."},
	)
}

// xeroOrders are Xero's defaults of the shared order options: an order
// becomes a sales invoice; Xero has no shipping or payment methods,
// warehouse or journal on an invoice.
var xeroOrders = erp.Defaults{App: "Xero", OrderTypes: []string{erp.Invoice},
	GuestHelp: "a contact's name or contact number", VATCode: "Xero tax type (TaxType, such as OUTPUT2 or TAX002)",
	VATEmpty:        "the tax type is Xero's one sales tax rate at the line's rate.",
	VATExample:      `{"NL": {"21": "OUTPUT2", "9": "TAX002"}, "*": {"0": "ZERORATEDOUTPUT"}}`,
	ShippingSKUHelp: "The Xero item code of shipping costs, booked as a line of their own; empty: the line has no item, only its description.",
	Omit:            []string{erp.OptShippingMethods, erp.OptPaymentMethods, erp.OptFeeSKU, erp.OptWarehouse, erp.OptJournal}}

var flowFields = append(append([]connectors.Field{
	{Name: optFrom, Title: "Records from", Type: connectors.TypeString, Use: connectors.UseRead, Example: "2025-01-01",
		Help: "The first run reads the records changed on or after this date (YYYY-MM-DD, UTC); later runs read what changed since the last. Empty: the first run reads everything."},
	{Name: optDocuments, Title: "Documents", Type: connectors.TypeSelect, Default: docInvoices, Options: []string{docInvoices, docCreditNotes},
		Use: connectors.UseRead, Help: "What an invoice flow reads: sales invoices (ACCREC) or sales credit notes (ACCRECCREDIT)."},
	{Name: optStatus, Title: "Invoice status", Type: connectors.TypeSelect, Default: "DRAFT", Options: []string{"DRAFT", "SUBMITTED", "AUTHORISED"},
		Use: connectors.UseWrite, Help: "The status an invoice made from an order gets: DRAFT to review it in Xero first, SUBMITTED for approval, AUTHORISED to send it."},
	{Name: optAccount, Title: "Sales account", Type: connectors.TypeString, Default: "200", Use: connectors.UseWrite, Example: "200",
		Help: "The code of the revenue account that invoice lines and new items are booked on (Xero's standard chart: 200, Sales)."},
}, erp.FlowFields(xeroOrders)...), fieldset.FlowFields("Xero", "Name, SalesDetails.UnitPrice", "SalesDetails.UnitPrice")...)

// validate checks the connection's config.
func validate(cfg connectors.Config, _ connectors.Env) error {
	problems := map[string]string{}
	if u, err := url.Parse(cfg.String(fieldAPIURL)); err != nil || !strings.HasSuffix(strings.TrimRight(u.Path, "/"), apiSuffix) {
		problems[fieldAPIURL] = "is not Xero's Accounting API address, which ends in " + apiSuffix
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
