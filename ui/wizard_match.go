package ui

import (
	"sort"
	"strings"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/mappings"
)

// synonyms are names apps and suppliers give canonical fields, by
// entity, in the form normalName gives them.
var synonyms = map[string]map[string]string{
	"product": {
		"price": "prices.list", "listprice": "prices.list", "prijs": "prices.list", "preis": "prices.list", "precio": "prices.list",
		"saleprice": "prices.sale", "cost": "prices.cost", "costprice": "prices.cost", "inkoopprijs": "prices.cost",
		"currency": "prices.currency", "valuta": "prices.currency",
		"stock": "stock_quantity", "qty": "stock_quantity", "quantity": "stock_quantity", "voorraad": "stock_quantity",
		"inventory": "stock_quantity", "ean": "gtin", "barcode": "gtin", "upc": "gtin",
		"title": "name", "productname": "name", "naam": "name", "omschrijving": "name",
		"merk": "brand", "marca": "brand", "artikelnummer": "sku", "articlenumber": "sku", "itemcode": "sku",
		"productcode": "sku", "gewicht": "weight", "vat": "prices.tax_rate", "btw": "prices.tax_rate",
	},
	"stock": {"stock": "quantity", "qty": "quantity", "voorraad": "quantity", "artikelnummer": "sku", "warehouse": "location"},
	"customer": {"mail": "email", "emailaddress": "email", "firstname": "first_name", "lastname": "last_name",
		"company": "company_name", "vat": "vat_id", "vatnumber": "vat_id", "telephone": "phone"},
}

// normalName is a field name without case, spaces, underscores and
// hyphens: "Stock_Quantity" and "stock quantity" are one.
func normalName(s string) string {
	return strings.NewReplacer(" ", "", "_", "", "-", "", ".", "").Replace(strings.ToLower(strings.TrimSpace(s)))
}

// suggestMatches pairs each native field of a sample with the canonical
// field it most likely fills: one of the same name, or a known synonym;
// each canonical field at most once.
func suggestMatches(entity string, native []string, samples map[string]string) []fieldMatch {
	model, _ := app.ModelOf(entity)
	byName := map[string]string{}
	for _, row := range modelRows(model.Fields, false) {
		if !row.Head && !row.Sub {
			byName[normalName(row.Path)] = row.Path
		}
	}
	taken := map[string]bool{}
	out := make([]fieldMatch, 0, len(native))
	for _, n := range native {
		m := fieldMatch{Native: n, Sample: samples[n]}
		target, ok := byName[normalName(n)]
		if !ok {
			target = synonyms[entity][normalName(n)]
		}
		if target != "" && !taken[target] {
			m.Target, taken[target] = target, true
		}
		out = append(out, m)
	}
	return out
}

// sampleFields lists the top-level fields of sample records, in the
// order the first record has them where it can, with a value of each.
func sampleFields(recs []map[string]any) ([]string, map[string]string) {
	var names []string
	values := map[string]string{}
	for _, rec := range recs {
		keys := make([]string, 0, len(rec))
		for k := range rec {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if _, seen := values[k]; !seen {
				names = append(names, k)
				values[k] = truncateText(mappings.Show(rec[k]), 40)
			}
		}
	}
	return names, values
}

// matchOverrides turns field matches into a read mapping's own fields.
func matchOverrides(matches []fieldMatch) []mappings.Field {
	var out []mappings.Field
	for _, m := range matches {
		if m.Target != "" {
			out = append(out, mappings.Field{Target: m.Target, Expr: memberExpr("", m.Native)})
		}
	}
	return out
}
