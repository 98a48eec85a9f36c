package demo

import (
	"github.com/switchboard-app/switchboard/mappings"
)

// Names of the records the demo creates; an integration named
// IntegrationName means the demo is installed.
const (
	SupplierName    = "Demo supplier (CSV)"
	ShopName        = "Demo shop (XML)"
	IntegrationName = "Demo: supplier -> shop"
	FlowName        = "Demo: products to the shop"
	Schedule        = "@every 1m"
)

// supplierConfig is the supplier's connection: its inbox, a folder
// relative to the files root.
func supplierConfig(inbox string) map[string]any {
	return map[string]any{"folder": inbox}
}

// shopConfig is the shop's connection: its outbox, a folder relative to
// the files root.
func shopConfig(outbox string) map[string]any {
	return map[string]any{"folder": outbox}
}

// flowOptions are what the flow reads and writes: every CSV feed in the
// supplier's inbox, whatever its encoding and delimiter, with decimal
// commas in the price column; one XML file of products per run into the
// shop's outbox.
func flowOptions() map[string]any {
	return map[string]any{
		"source": map[string]any{
			"pattern":       "*.csv",
			"format":        "csv",
			"encoding":      "auto",
			"delimiter":     "auto",
			"decimal_comma": "Prijs",
			"after_read":    "archive",
		},
		"target": map[string]any{
			"format":     "xml",
			"encoding":   "utf-8",
			"file_name":  "products-{date}-{time}-{number}.xml",
			"write_mode": "per_run",
			"xml_root":   "Products",
			"xml_record": "Product",
		},
	}
}

// flowMapping maps the supplier's Dutch columns to canonical products and
// canonical products to the shop's XML elements.
func flowMapping() map[string]any {
	in := []mappings.Field{
		{Target: "sku", Expr: "trim(Artikelnummer)"},
		{Target: "name", Expr: "trim(Omschrijving)"},
		{Target: "gtin", Expr: "trim(EAN)"},
		{Target: "prices.cost", Expr: "Prijs", Doc: "the supplier's price is the shop's purchase cost"},
		{Target: "prices.currency", Expr: `"EUR"`},
		{Target: "stock_quantity", Expr: "Voorraad"},
	}
	out := []mappings.Field{
		{Target: "SKU", Expr: "sku"},
		{Target: "Title", Expr: "name"},
		{Target: "EAN", Expr: "gtin"},
		{Target: "Price.@currency", Expr: "prices.currency"},
		{Target: "Price.#text", Expr: "prices.list"},
		{Target: "Stock", Expr: "stock_quantity"},
	}
	return map[string]any{"in": in, "out": out}
}

// flowRules set the shop's price: the supplier's price plus 20%, rounded
// to 5 cents.
func flowRules() []mappings.Rule {
	return []mappings.Rule{{
		Name:  "shop price: supplier price + 20%, to 5 cents",
		Kind:  mappings.RuleExpr,
		Field: "prices.list",
		Expr:  "round_to(prices.cost * 1.20, 0.05)",
	}}
}
