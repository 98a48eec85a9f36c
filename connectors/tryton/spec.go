// Package tryton is the Tryton 6.0 connector: parties, products, stock
// per location, sales and customer invoices read from one database;
// parties, products and sales (or customer invoices) written to it, with
// their lines, addresses, currency and company, through Tryton's
// JSON-RPC with a user's session.
package tryton

import (
	"embed"
	"io/fs"
	"net/url"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
)

// Name is the connector's registered name.
const Name = "tryton"

//go:embed mappings/*.json
var mappingFiles embed.FS

// Mappings are the default mappings, one per entity and direction.
var Mappings, _ = fs.Sub(mappingFiles, "mappings")

// OptProductCategory is the flow option naming new products' account
// category.
const OptProductCategory = "product_category"

var flowFields = append(erp.FlowFields(erp.Defaults{
	App: "Tryton", Warehouse: "WH", Journal: "REV",
	WarehouseHelp: "The code of the Tryton warehouse (a stock location of type warehouse) that sales ship from and whose stock a stock flow reads; Tryton's first warehouse is WH.",
	JournalHelp:   "The code of the revenue journal that customer invoices go in (Tryton's is REV).",
	GuestHelp:     "its party code, or an e-mail address of the party",
}), connectors.Field{Name: OptProductCategory, Title: "Account category of products", Type: connectors.TypeString, Use: connectors.UseWrite,
	Help:    "The name of the account category (with revenue and expense accounts) that products made by a product flow get, so that Tryton can invoice them; empty: none.",
	Example: "Goods"})

// Spec is the Tryton connector's spec.
var Spec = connectors.Spec{
	Name: Name, Title: "Tryton", Category: connectors.CategoryERP,
	Description: "Tryton 6.0: parties, products, stock per location, sales and customer invoices of one database.",
	Auth:        []connectors.AuthKind{connectors.AuthPassword},
	Fields: []connectors.Field{
		{Name: "base_url", Title: "Tryton address", Type: connectors.TypeURL, Required: true,
			Help: "The address of the Tryton server, without the database.", Example: "https://erp.example.com"},
		{Name: "database", Title: "Database", Type: connectors.TypeString, Required: true,
			Help: "The name of the Tryton database.", Example: "shop"},
		{Name: "username", Title: "User name", Type: connectors.TypeString, Required: true,
			Help: "The Tryton user Switchboard works as: give it the sale, stock and account groups it needs."},
		{Name: "password", Title: "Password", Type: connectors.TypeString, Secret: true, Required: true,
			Help: "The user's password. A wrong one is not tried again: Tryton refuses every login of the user for minutes after five failed ones."},
		{Name: "company", Title: "Company", Type: connectors.TypeString,
			Help: "The name of the company to work in, when the user works for several; empty: the user's current company."},
		{Name: "rate_limit", Title: "Calls per second", Type: connectors.TypeInt, Default: 0, Advanced: true,
			Help: "The most calls per second Switchboard makes to Tryton, over every flow; 0 sets no limit."},
		{Name: "max_in_flight", Title: "Calls at once", Type: connectors.TypeInt, Default: 2, Advanced: true,
			Help: "The most calls waiting for an answer at once, over every flow."},
		{Name: "timeout", Title: "Request timeout", Type: connectors.TypeDuration, Default: "60s", Advanced: true,
			Help: "How long one request may take once it goes out."},
	},
	FlowFields:   flowFields,
	Reads:        []connectors.Entity{connectors.Customer, connectors.Product, connectors.Stock, connectors.Order, connectors.Invoice},
	Writes:       []connectors.Entity{connectors.Customer, connectors.Product, connectors.Order},
	Mappings:     Mappings,
	Validate:     validate,
	ValidateFlow: erp.ValidateFlow(Name, flowFields),
}

func init() { connectors.Register(Spec, New) }

// validate checks that the address has no query and the database name
// no slash.
func validate(cfg connectors.Config, _ connectors.Env) error {
	problems := map[string]string{}
	if u, err := url.Parse(cfg.String("base_url")); err != nil || u.RawQuery != "" || u.Fragment != "" {
		problems["base_url"] = "must be the Tryton server's address without a query, such as https://erp.example.com"
	}
	if db := cfg.String("database"); strings.ContainsAny(db, "/?#") || strings.TrimSpace(db) != db {
		problems["database"] = "must be a database name, without slashes or spaces around it"
	}
	if len(problems) > 0 {
		return &connectors.ValidationError{Connector: Name, Fields: problems}
	}
	return nil
}
