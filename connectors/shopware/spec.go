// Package shopware is the Shopware 6 connector, registered as "shopware":
// it reads orders, customers, products and stock through the Admin API,
// and writes products, stock (a product's stock, or a warehouse's),
// delivery tracking codes with the delivery's "shipped" state, and order
// state transitions. It signs in with an integration's access key
// (OAuth2 client credentials, sent as JSON as Shopware takes them). It
// takes app webhooks (declared in an app's manifest): their events name
// ids only, and the connector fetches the records they name.
//
// It stands on the REST kit: the kit's client, pacing, login and paging
// (Shopware's POST search with its criteria, incremental by updatedAt, or
// createdAt for records never changed, with an overlap).
package shopware

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/rest/fieldset"
	"github.com/switchboard-app/switchboard/connectors/restapi"
)

// Name is the connector's registered name.
const Name = "shopware"

// The connection's fields.
const (
	fieldBaseURL      = "base_url"
	fieldClientID     = "client_id"
	fieldClientSecret = "client_secret"
	fieldAppSecret    = "webhook_secret"
)

// The flow options.
const (
	optStates    = "order_states"
	optFrom      = "from_date"
	optWarehouse = "warehouse"
	optSendMail  = "send_mail"
)

const defaultRate = 4

//go:embed mappings/*.json
var mappingFiles embed.FS

// Mappings are the default mappings, one file per entity and direction.
var Mappings, _ = fs.Sub(mappingFiles, "mappings")

// Spec is the connector's spec.
var Spec = connectors.Spec{
	Name:     Name,
	Title:    "Shopware 6",
	Category: connectors.CategoryWebshop,
	Description: "Shopware 6 through the Admin API: orders, customers, products and stock in; products, stock, " +
		"delivery tracking codes and order states out.",
	Auth:       []connectors.AuthKind{connectors.AuthOAuth2ClientCredentials},
	Fields:     fields(),
	FlowFields: flowFields(),
	Reads:      []connectors.Entity{connectors.Order, connectors.Customer, connectors.Product, connectors.Stock},
	Writes:     []connectors.Entity{connectors.Product, connectors.Stock, connectors.Shipment, connectors.Order},
	Webhooks:   true,
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
			Help: "Your shop's address, without /api: Switchboard calls its /api/ paths."},
		{Name: fieldClientID, Title: "Access key ID", Type: connectors.TypeString, Required: true, Example: "SWIAXXXXXXXXXXXXXXXXXXXXXX",
			Help: "The access key ID of an integration (Settings > System > Integrations) with the rights to read and write what the flows move."},
		{Name: fieldClientSecret, Title: "Secret access key", Type: connectors.TypeString, Required: true, Secret: true,
			Help: "The integration's secret access key, shown once when the integration is made."},
		{Name: fieldAppSecret, Title: "App secret", Type: connectors.TypeString, Secret: true,
			Help: "The secret the shop signs its app webhooks with: the one the app's registration gave the shop. Empty: each flow's own webhook secret is checked."},
	}
	common := append([]connectors.Field(nil), restapi.CommonFields...)
	for i := range common {
		if common[i].Name == "rate_limit" {
			common[i].Default = defaultRate
			common[i].Help = "The most calls per second Switchboard makes to the shop, over every flow (4 unless set; 0 sets no limit of its own). " +
				"A 429 answer pauses the connection's flows until the shop's Retry-After."
		}
	}
	return append(append(own, common...), loginSecrets()...)
}

// loginSecrets are the kit's fields that keep the token a sign-in got.
func loginSecrets() []connectors.Field {
	var out []connectors.Field
	for _, f := range auth.Fields(auth.KindLogin) {
		if f.Name == auth.LoginTokenSecret || f.Name == auth.LoginInfoSecret {
			out = append(out, f)
		}
	}
	return out
}

func flowFields() []connectors.Field {
	return append([]connectors.Field{
		{Name: optStates, Title: "Order states", Type: connectors.TypeString, Default: "open, in_progress", Use: connectors.UseRead,
			Example: "open, in_progress, completed",
			Help:    "Orders are read in these states only (technical names: open, in_progress, completed, cancelled), separated by commas; empty reads every state."},
		{Name: optFrom, Title: "Orders from", Type: connectors.TypeString, Use: connectors.UseRead, Example: "2025-01-01",
			Help: "The first run reads the records changed on or after this date (YYYY-MM-DD, UTC); later runs read what changed since the last. Empty: the first run reads everything."},
		{Name: optWarehouse, Title: "Warehouse", Type: connectors.TypeString, Use: connectors.UseBoth, Example: "Tilburg",
			Help: "The warehouse whose stock is read and written, by name (Shopware's multi-warehouse stock); empty: the product's own stock."},
		{Name: optSendMail, Title: "E-mail the customer", Type: connectors.TypeBool, Default: true, Use: connectors.UseWrite,
			Help: "Shopware e-mails the customer when a delivery is shipped or an order's state changes, as its flows say."},
	}, fieldset.FlowFields("Shopware", "price, stock, active", "price, stock")...)
}

func validate(cfg connectors.Config, _ connectors.Env) error {
	problems := map[string]string{}
	if strings.HasSuffix(strings.TrimRight(cfg.String(fieldBaseURL), "/"), "/api") {
		problems[fieldBaseURL] = "give the shop's address without /api: Switchboard adds it"
	}
	if cfg.Duration("timeout") <= 0 {
		problems["timeout"] = "must be above zero"
	}
	if len(problems) > 0 {
		return &connectors.ValidationError{Connector: Name, Fields: problems}
	}
	return nil
}

// orderStates are Shopware's order states.
var orderStates = []string{"open", "in_progress", "completed", "cancelled"}

func validateFlow(opts connectors.Config) error {
	problems := map[string]string{}
	if _, err := fromDate(opts); err != nil {
		problems[optFrom] = err.Error()
	}
	for _, st := range splitList(opts.String(optStates)) {
		if !contains(orderStates, st) {
			problems[optStates] = fmt.Sprintf("%q is not an order state (%s)", st, strings.Join(orderStates, ", "))
		}
	}
	fieldset.Validate(opts, problems)
	if len(problems) > 0 {
		return &connectors.ValidationError{Connector: Name, Of: connectors.FlowOptions, Fields: problems}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

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

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}
