// Package woocommerce is the WooCommerce connector: the WooCommerce REST
// API v3 (/wp-json/wc/v3/) on the REST kit. It reads orders, customers
// and products with their variations, incrementally by modified_after;
// writes products (with variations) and stock through the batch endpoints,
// customers, and shipments as an order status with a tracking note; takes
// WooCommerce's webhooks (X-WC-Webhook-Signature, base64 HMAC-SHA256) and
// registers them. It signs in with a consumer key and secret.
package woocommerce

import (
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest/fieldset"
	"github.com/switchboard-app/switchboard/connectors/restapi"
)

// Name is the connector's registered name.
const Name = "woocommerce"

//go:embed mappings/*.json
var mappingFiles embed.FS

// Mappings are the connector's default mappings.
var Mappings, _ = fs.Sub(mappingFiles, "mappings")

// Spec is the WooCommerce connector's spec.
var Spec = connectors.Spec{
	Name: Name, Title: "WooCommerce", Category: connectors.CategoryWebshop,
	Description: "A WooCommerce shop through its REST API v3: orders, customers, products with variations and stock.",
	Auth:        []connectors.AuthKind{connectors.AuthBasic, connectors.AuthAPIKey},
	Fields: append([]connectors.Field{
		{Name: "base_url", Title: "Shop address", Type: connectors.TypeURL, Required: true,
			Help: "The WordPress site's address; the API is at /wp-json/wc/v3/ under it.", Example: "https://shop.example.com"},
		{Name: "consumer_key", Title: "Consumer key", Type: connectors.TypeString, Secret: true, Required: true,
			Help: "The REST API key's consumer key (ck_…), from WooCommerce → Settings → Advanced → REST API, with read/write permission."},
		{Name: "consumer_secret", Title: "Consumer secret", Type: connectors.TypeString, Secret: true, Required: true,
			Help: "The REST API key's consumer secret (cs_…)."},
		{Name: "auth_in", Title: "Send the key as", Type: connectors.TypeSelect, Default: "basic", Options: []string{"basic", "query"}, Advanced: true,
			Help: "basic: HTTP Basic authentication (over HTTPS); query: the consumer_key and consumer_secret query parameters, for servers that drop the Authorization header."},
	}, restapi.CommonFields...),
	FlowFields:   flowFields,
	Reads:        []connectors.Entity{connectors.Order, connectors.Customer, connectors.Product},
	Writes:       []connectors.Entity{connectors.Product, connectors.Stock, connectors.Customer, connectors.Shipment},
	Webhooks:     true,
	Mappings:     Mappings,
	Validate:     validate,
	ValidateFlow: validateFlow,
}

func init() { connectors.Register(Spec, New) }

// fieldNames are the product fields the write mapping makes, for the
// product_fields and update_fields options.
var fieldNames = []string{"name", "type", "status", "description", "short_description", "sku", "regular_price", "sale_price",
	"weight", "dimensions", "categories", "images", "attributes", "manage_stock", "stock_quantity", "global_unique_id",
	"variations", "variations.regular_price", "variations.sale_price", "variations.stock_quantity", "variations.weight",
	"variations.global_unique_id"}

// productFields are a product write's two field options.
var productFields = fieldset.Options{Sync: "product_fields", Known: fieldNames}

var flowFields = []connectors.Field{
	{Name: "order_status", Title: "Order status", Type: connectors.TypeSelect, Use: connectors.UseRead, Default: "any",
		Options: []string{"any", "pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed"},
		Help:    "Which orders an order flow reads, such as processing (paid, to ship)."},
	{Name: "orders_from", Title: "Orders from", Type: connectors.TypeString, Use: connectors.UseRead,
		Help: "Read only orders placed after this date (YYYY-MM-DD); empty reads them all.", Example: "2025-01-01"},
	{Name: "create_missing_products", Title: "Create missing products", Type: connectors.TypeBool, Use: connectors.UseWrite, Default: false,
		Help: "When a stock record's SKU is not in WooCommerce, create a draft product with it instead of failing the record."},
	{Name: "product_fields", Title: "Product fields to sync", Type: connectors.TypeString, Use: connectors.UseWrite, Default: "all",
		Help: "The product fields a product flow writes, separated by commas: " + strings.Join(fieldNames, ", ") + "; all writes every field the mapping makes."},
	{Name: "update_fields", Title: "Fields an update may overwrite", Type: connectors.TypeString, Use: connectors.UseWrite, Default: "all",
		Help: "Of the fields written, those an update of a product WooCommerce has may change, so that what is enriched in the shop is kept, e.g. regular_price,sale_price,stock_quantity."},
	{Name: "shipped_status", Title: "Status of a shipped order", Type: connectors.TypeSelect, Use: connectors.UseWrite, Default: "completed",
		Options: []string{"completed", "processing", "on-hold", "unchanged"},
		Help:    "The status a shipment flow gives the order it ships, besides the tracking note; unchanged leaves it."},
}

// validate checks the shop's address.
func validate(cfg connectors.Config, _ connectors.Env) error {
	u, err := url.Parse(cfg.String("base_url"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return &connectors.ValidationError{Connector: Name, Fields: map[string]string{"base_url": "give the shop's address, such as https://shop.example.com"}}
	}
	return nil
}

func validateFlow(use connectors.Use, opts connectors.Config, _ connectors.Config, _ connectors.Env) error {
	problems := map[string]string{}
	if d := opts.String("orders_from"); use == connectors.UseRead && d != "" {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			problems["orders_from"] = fmt.Sprintf("%q is not a date as YYYY-MM-DD", d)
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
