// Package shopify is the Shopify connector: the Admin GraphQL API
// (2025-01) on the REST kit. It reads orders, customers, products with
// their variants and inventory levels; writes products (productSet),
// inventory quantities (inventorySetQuantities) and fulfilments with
// tracking (fulfillmentCreate); takes Shopify's webhooks for orders,
// products and inventory (HMAC-SHA256, base64, in X-Shopify-Hmac-Sha256)
// and registers them; and keeps its calls within Shopify's query cost
// budget, read from every answer's extensions.cost. It connects with a
// custom app's access token or with OAuth2.
package shopify

import (
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/rest/fieldset"
	"github.com/switchboard-app/switchboard/connectors/restapi"
)

// Name is the connector's registered name.
const Name = "shopify"

// The kinds of authentication a Shopify connection takes.
const (
	kindToken  = "access_token"
	kindOAuth2 = auth.KindOAuth2
)

// defaultScopes are asked for when a person connects with OAuth2.
const defaultScopes = "read_orders,read_customers,write_products,write_inventory,read_locations,write_merchant_managed_fulfillment_orders"

//go:embed mappings/*.json
var mappingFiles embed.FS

// Mappings are the connector's default mappings, one per entity and
// direction.
var Mappings, _ = fs.Sub(mappingFiles, "mappings")

// Spec is the Shopify connector's spec.
var Spec = connectors.Spec{
	Name: Name, Title: "Shopify", Category: connectors.CategoryWebshop,
	Description:  "A Shopify store through its Admin GraphQL API (2025-01): orders, customers, products and stock.",
	Auth:         []connectors.AuthKind{connectors.AuthAPIKey, connectors.AuthOAuth2},
	Fields:       fields(),
	FlowFields:   flowFields,
	Reads:        []connectors.Entity{connectors.Order, connectors.Customer, connectors.Product, connectors.Stock},
	Writes:       []connectors.Entity{connectors.Product, connectors.Stock, connectors.Shipment},
	Webhooks:     true,
	Mappings:     Mappings,
	Validate:     validate,
	ValidateFlow: validateFlow,
}

func init() { connectors.Register(Spec, New) }

func fields() []connectors.Field {
	out := []connectors.Field{
		{Name: "shop", Title: "Shop address", Type: connectors.TypeURL, Required: true,
			Help: "Your store's myshopify.com address.", Example: "https://your-store.myshopify.com"},
		{Name: "auth", Title: "Authentication", Type: connectors.TypeSelect, Default: kindToken, Options: []string{kindToken, kindOAuth2},
			Help: "An access token of a custom app made in the store's admin, or OAuth2 with an app of your own (press Connect)."},
		{Name: "access_token", Title: "Admin API access token", Type: connectors.TypeString, Secret: true,
			Help: "The custom app's Admin API access token (shpat_…), with the scopes for what the flows read and write."},
	}
	for _, f := range auth.Fields(auth.KindOAuth2)[1:] {
		switch f.Name {
		case "oauth_auth_url", "oauth_token_url":
			f.Help += " Empty: the shop's own (/admin/oauth/…)."
			f.Advanced = true
		case "oauth_scopes":
			f.Default = defaultScopes
			f.Help = "The access scopes to ask for, separated by commas."
		}
		out = append(out, f)
	}
	out = append(out, connectors.Field{Name: "webhook_secret", Title: "Webhook signing secret", Type: connectors.TypeString, Secret: true,
		Help: "The app's client secret (API secret key), which Shopify signs its webhooks with; for OAuth2 the client secret is used when empty. " +
			"Empty for both: the flow's own webhook secret is checked."})
	return append(out, restapi.CommonFields...)
}

// fieldNames are the ProductSetInput fields the write mapping makes, for
// the product_fields and update_fields options.
var fieldNames = []string{"title", "descriptionHtml", "vendor", "productType", "tags", "status", "handle", "variants",
	"variants.price", "variants.compareAtPrice", "variants.barcode", "variants.inventoryItem"}

// productFields are a product write's two field options.
var productFields = fieldset.Options{Sync: "product_fields", Known: fieldNames}

var flowFields = []connectors.Field{
	{Name: "order_status", Title: "Order status", Type: connectors.TypeSelect, Use: connectors.UseRead, Default: "any",
		Options: []string{"any", "open", "closed", "cancelled"},
		Help:    "Which orders an order flow reads: open (not archived), closed (archived), cancelled, or any."},
	{Name: "financial_status", Title: "Payment status", Type: connectors.TypeSelect, Use: connectors.UseRead, Default: "any",
		Options: []string{"any", "paid", "authorized", "pending", "partially_paid", "partially_refunded", "refunded", "voided"},
		Help:    "Read only orders with this payment status, such as paid."},
	{Name: "orders_from", Title: "Orders from", Type: connectors.TypeString, Use: connectors.UseRead,
		Help: "Read only orders placed on or after this date (YYYY-MM-DD); empty reads them all. Shopify gives orders placed more than 60 days ago only to an app granted the read_all_orders scope: add it to the app's scopes (and to oauth_scopes) to read older ones.", Example: "2025-01-01"},
	{Name: "location", Title: "Location", Type: connectors.TypeString, Use: connectors.UseBoth,
		Help:    "The Shopify location (its name, in any case, or gid) whose stock a stock flow reads or sets, and where new products are stocked; empty: the primary location (when reading: every location).",
		Example: "Warehouse Amsterdam"},
	{Name: "create_missing_products", Title: "Create missing products", Type: connectors.TypeBool, Use: connectors.UseWrite, Default: false,
		Help: "When a stock record's SKU is not in Shopify, create a draft product with it instead of failing the record."},
	{Name: "product_fields", Title: "Product fields to sync", Type: connectors.TypeString, Use: connectors.UseWrite, Default: "all",
		Help: "The product fields a product flow writes, separated by commas: " + strings.Join(fieldNames, ", ") +
			" (a variants.x field writes only x of each variant); all writes every field the mapping makes."},
	{Name: "update_fields", Title: "Fields an update may overwrite", Type: connectors.TypeString, Use: connectors.UseWrite, Default: "all",
		Help: "Of the fields written, those an update of a product already in Shopify may change, so that what is enriched in Shopify is kept, e.g. variants.price,variants.inventoryItem; all: every one."},
	{Name: "notify_customer", Title: "Notify the customer", Type: connectors.TypeBool, Use: connectors.UseWrite, Default: false,
		Help: "Let Shopify mail the customer the shipment's tracking details."},
}

// validate checks the shop address and what the chosen authentication
// needs.
func validate(cfg connectors.Config, _ connectors.Env) error {
	problems := map[string]string{}
	if _, err := shopURL(cfg.String("shop")); err != nil {
		problems["shop"] = err.Error()
	}
	need := func(names ...string) {
		for _, n := range names {
			if cfg.String(n) == "" && cfg.Secret(n) == "" {
				problems[n] = "is required for " + cfg.String("auth") + " authentication"
			}
		}
	}
	switch cfg.String("auth") {
	case kindToken:
		need("access_token")
	case kindOAuth2:
		need("oauth_client_id", "oauth_client_secret")
	}
	if len(problems) > 0 {
		return &connectors.ValidationError{Connector: Name, Fields: problems}
	}
	return nil
}

// shopURL reads the shop address: https://your-store.myshopify.com, or
// the store's name alone.
func shopURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		return nil, fmt.Errorf("give the shop's address, such as https://your-store.myshopify.com")
	}
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%q is not an http or https address", s)
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("give the shop's address without a path, such as https://your-store.myshopify.com")
	}
	u.Path = ""
	return u, nil
}

// validateFlow checks the date and the field lists of a flow's options.
func validateFlow(use connectors.Use, opts connectors.Config, _ connectors.Config, _ connectors.Env) error {
	problems := map[string]string{}
	if use == connectors.UseRead {
		if d := opts.String("orders_from"); d != "" {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				problems["orders_from"] = fmt.Sprintf("%q is not a date as YYYY-MM-DD", d)
			}
		}
	}
	if use == connectors.UseWrite {
		productFields.Validate(opts, problems)
	}
	if len(problems) > 0 {
		return &connectors.ValidationError{Connector: Name, Of: connectors.FlowOptions, Fields: problems}
	}
	return nil
}
