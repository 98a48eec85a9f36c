// Package adobecommerce is the Adobe Commerce (Magento 2) connector,
// registered as "adobe-commerce": it reads orders, customers, products and
// the stock of MSI sources through the admin REST API, and writes
// products, source items (stock), shipments with their tracks and
// invoices. It authenticates with an integration's access token.
//
// It stands on the REST kit: the kit's client, pacing, paging (Adobe
// Commerce's searchCriteria, incremental by updated_at with an overlap,
// ended by total_count) and batch writes (source items).
package adobecommerce

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest/fieldset"
	"github.com/switchboard-app/switchboard/connectors/restapi"
)

// Name is the connector's registered name.
const Name = "adobe-commerce"

// The connection's fields.
const (
	fieldBaseURL   = "base_url"
	fieldStoreCode = "store_code"
	fieldToken     = "access_token"
)

// The flow options.
const (
	optStatuses = "order_statuses"
	optFrom     = "from_date"
	optSource   = "source_code"
	optNotify   = "notify_customer"
	optCapture  = "capture"
)

// defaultRate is the calls per second a connection makes unless its
// rate_limit says otherwise: a shop's own server, shared with its
// visitors.
const defaultRate = 4

//go:embed mappings/*.json
var mappingFiles embed.FS

// Mappings are the default mappings, one file per entity and direction.
var Mappings, _ = fs.Sub(mappingFiles, "mappings")

// Spec is the connector's spec.
var Spec = connectors.Spec{
	Name:     Name,
	Title:    "Adobe Commerce (Magento 2)",
	Category: connectors.CategoryWebshop,
	Description: "Adobe Commerce and Magento Open Source 2.4 through the admin REST API: orders, customers, products " +
		"and MSI stock in; products, stock, shipments with tracking and invoices out.",
	Auth:       []connectors.AuthKind{connectors.AuthBearer},
	Fields:     fields(),
	FlowFields: flowFields(),
	Reads:      []connectors.Entity{connectors.Order, connectors.Customer, connectors.Product, connectors.Stock},
	Writes:     []connectors.Entity{connectors.Product, connectors.Stock, connectors.Shipment, connectors.Invoice},
	Mappings:   Mappings,
	Validate:   validate,
	ValidateFlow: func(_ connectors.Use, opts, _ connectors.Config, _ connectors.Env) error {
		return validateFlow(opts)
	},
}

func init() { connectors.Register(Spec, New) }

func fields() []connectors.Field {
	own := []connectors.Field{
		{Name: fieldBaseURL, Title: "Shop address", Type: connectors.TypeURL, Required: true, Example: "https://shop.example.com",
			Help: "Your shop's address, without /rest: Switchboard calls <address>/rest/<store code>/V1/..."},
		{Name: fieldStoreCode, Title: "Store code", Type: connectors.TypeString, Default: "all", Advanced: true,
			Help: "The store view the calls are made for: all (global values, right for product writes), default, or a store view's code."},
		{Name: fieldToken, Title: "Access token", Type: connectors.TypeString, Required: true, Secret: true,
			Help: "The access token of an integration (System > Extensions > Integrations, activated) with access to sales, catalog, " +
				"customers and inventory. Adobe Commerce 2.4.4 and later take it only with Stores > Configuration > Services > OAuth > " +
				"Consumer Settings > Allow OAuth Access Tokens to be used as standalone Bearer tokens set to Yes."},
	}
	common := append([]connectors.Field(nil), restapi.CommonFields...)
	for i := range common {
		if common[i].Name == "rate_limit" {
			common[i].Default = defaultRate
			common[i].Help = "The most calls per second Switchboard makes to the shop, over every flow (4 unless set; 0 sets no limit of its own). " +
				"A 429 answer pauses the connection's flows until the shop's Retry-After."
		}
	}
	return append(own, common...)
}

func flowFields() []connectors.Field {
	return append([]connectors.Field{
		{Name: optStatuses, Title: "Order statuses", Type: connectors.TypeString, Default: "processing", Use: connectors.UseRead,
			Example: "pending, processing",
			Help:    "Orders are read in these statuses only (Adobe Commerce's status codes, separated by commas); empty reads every status."},
		{Name: optFrom, Title: "Orders from", Type: connectors.TypeString, Use: connectors.UseRead, Example: "2025-01-01",
			Help: "The first run reads the records changed on or after this date (YYYY-MM-DD, UTC); later runs read what changed since the last. Empty: the first run reads everything."},
		{Name: optSource, Title: "Source (warehouse)", Type: connectors.TypeString, Use: connectors.UseBoth,
			Example: "tilburg",
			Help: "The MSI source (its source code) whose stock a stock flow reads, and where it writes every record's stock, whatever location the record names. " +
				"Empty: a read reads the default source (default), and a write writes each record at its own location (source_code), or at the default source when it names none."},
		{Name: optNotify, Title: "E-mail the customer", Type: connectors.TypeBool, Default: true, Use: connectors.UseWrite,
			Help: "Adobe Commerce e-mails the customer about a new shipment (with its tracking numbers) or invoice."},
		{Name: optCapture, Title: "Capture the payment", Type: connectors.TypeBool, Default: false, Use: connectors.UseWrite,
			Help: "An invoice captures the order's payment online with the payment provider; off records an invoice for a payment captured elsewhere."},
	}, fieldset.FlowFields("Adobe Commerce", "price, status", "price, status, weight")...)
}

// validate checks the connection's config.
func validate(cfg connectors.Config, _ connectors.Env) error {
	problems := map[string]string{}
	if code := cfg.String(fieldStoreCode); code != "" && !storeCode(code) {
		problems[fieldStoreCode] = fmt.Sprintf("%q is not a store code (letters, digits and _)", code)
	}
	if strings.Contains(strings.TrimRight(cfg.String(fieldBaseURL), "/"), "/rest") {
		problems[fieldBaseURL] = "give the shop's address without /rest/...: Switchboard adds it"
	}
	if cfg.Duration("timeout") <= 0 {
		problems["timeout"] = "must be above zero"
	}
	if len(problems) > 0 {
		return &connectors.ValidationError{Connector: Name, Fields: problems}
	}
	return nil
}

func storeCode(s string) bool {
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// validateFlow checks a flow's options.
func validateFlow(opts connectors.Config) error {
	problems := map[string]string{}
	if _, err := fromDate(opts); err != nil {
		problems[optFrom] = err.Error()
	}
	for _, st := range splitList(opts.String(optStatuses)) {
		if !storeCode(st) {
			problems[optStatuses] = fmt.Sprintf("%q is not a status code (letters, digits and _)", st)
		}
	}
	fieldset.Validate(opts, problems)
	if len(problems) > 0 {
		return &connectors.ValidationError{Connector: Name, Of: connectors.FlowOptions, Fields: problems}
	}
	return nil
}

// fromDate is the "orders from" option as a time; zero when unset.
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

// splitList reads a list written with commas or spaces.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}
