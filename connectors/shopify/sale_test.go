package shopify

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/shopify/fake"
	"github.com/switchboard-app/switchboard/mappings"
)

// productOut maps a canonical product with the default write mapping.
func productOut(t *testing.T, canonical map[string]any) map[string]any {
	t.Helper()
	defaults, err := mappings.LoadDefaults(Mappings, ".")
	if err != nil {
		t.Fatal(err)
	}
	p, err := mappings.Compile(mappings.FlowConfig{Entity: "product", Out: mappings.Find(defaults, "product", mappings.Out)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Run(canonical)
	if err != nil {
		t.Fatal(err)
	}
	return res.Output
}

// TestASaleThatEndsEndsInTheShop: a product on sale (a variant's price
// below its compare-at price), written again once its sale price is gone
// from the source, has no compare-at price in Shopify (productSet's
// compareAtPrice null); Shopify kept showing the old list price struck
// through, for good.
func TestASaleThatEndsEndsInTheShop(t *testing.T) {
	for _, tc := range []struct {
		name      string
		canonical func(sale bool) map[string]any
	}{
		{"a product without variants", func(sale bool) map[string]any {
			prices := map[string]any{"list": "24.95"}
			if sale {
				prices["sale"] = "19.95"
			}
			return map[string]any{"sku": "MUG", "name": "Mug", "prices": prices}
		}},
		{"a variant", func(sale bool) map[string]any {
			v := map[string]any{"sku": "MUG", "price": "24.95", "options": map[string]any{"Colour": "Blue"}}
			if sale {
				v["sale_price"] = "19.95"
			}
			return map[string]any{"sku": "MUG", "name": "Mug", "options": []any{"Colour"}, "variants": []any{v}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newShop(t, fake.Options{})
			c := s.open(t)
			opts := options(t, connectors.UseWrite, nil)
			id := write(t, c, connectors.WriteRequest{Entity: connectors.Product, Key: "MUG", Data: productOut(t, tc.canonical(true)), Options: opts}).TargetID
			if p, _ := s.ProductBySKU("MUG"); p.Variants[0].Price != "19.95" || p.Variants[0].CompareAtPrice != "24.95" {
				t.Fatalf("on sale, Shopify holds price %s compare-at %s", p.Variants[0].Price, p.Variants[0].CompareAtPrice)
			}
			write(t, c, connectors.WriteRequest{Entity: connectors.Product, Key: "MUG", TargetID: id, Data: productOut(t, tc.canonical(false)), Options: opts})
			if p, _ := s.ProductBySKU("MUG"); p.Variants[0].Price != "24.95" || p.Variants[0].CompareAtPrice != "" {
				t.Fatalf("after the sale, Shopify holds price %s compare-at %s, want 24.95 and none", p.Variants[0].Price, p.Variants[0].CompareAtPrice)
			}
		})
	}
}
