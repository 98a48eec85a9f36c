package shopify

import (
	"fmt"

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

// TestUpdateOfAProductWithManyVariantsKeepsThem: an update of a product
// with more variants than one page of Shopify's answer (260) sends each
// variant with its id, so that productSet changes every one; those past
// the 250th were sent without, and productSet replaced them with new
// variants (new inventory items, whose stock was lost).
func TestUpdateOfAProductWithManyVariantsKeepsThem(t *testing.T) {
	s := newShop(t, fake.Options{})
	c := s.open(t)
	var variants []any
	var kept []*fake.Variant
	for i := range 260 {
		sku := fmt.Sprintf("TEE-%03d", i)
		kept = append(kept, &fake.Variant{SKU: sku, Price: "20.00", Options: map[string]string{"Size": sku}})
		variants = append(variants, map[string]any{"sku": sku, "price": "18.00",
			"optionValues": []any{map[string]any{"optionName": "Size", "name": sku}}})
	}
	id := s.AddProduct(fake.Product{Title: "Tee", Handle: "tee", Options: []fake.Option{{Name: "Size"}}, Variants: kept})
	before := map[string]string{}
	p, _ := s.ProductBySKU("TEE-000")
	for _, v := range p.Variants {
		before[v.SKU] = v.ID
	}
	write(t, c, connectors.WriteRequest{Entity: connectors.Product, Key: "TEE-000", TargetID: id, Options: options(t, connectors.UseWrite, nil),
		Data: map[string]any{"title": "Tee", "productOptions": []any{map[string]any{"name": "Size"}}, "variants": variants}})
	p, _ = s.ProductBySKU("TEE-000")
	changed := 0
	for _, v := range p.Variants {
		if before[v.SKU] != v.ID {
			changed++
		}
	}
	if len(p.Variants) != 260 || changed != 0 {
		t.Fatalf("after the update the product has %d variants, %d of them new; want the 260 it had", len(p.Variants), changed)
	}
}
