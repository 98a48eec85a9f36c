package woocommerce

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
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

// TestASaleThatEndsEndsInTheShop: a product and a variation on sale,
// written again once their sale prices are gone from the source, are no
// longer on sale in WooCommerce (an empty sale_price); the shop kept the
// old sale prices for good. A flow whose update_fields leave sale_price
// out keeps the shop's sale price.
func TestASaleThatEndsEndsInTheShop(t *testing.T) {
	product := func(sale bool) map[string]any {
		m := map[string]any{"sku": "CBL-3M", "name": "Speaker cable", "prices": map[string]any{"list": "12.95"}}
		if sale {
			m["prices"].(map[string]any)["sale"] = "9.95"
		}
		return m
	}
	variable := func(sale bool) map[string]any {
		l := map[string]any{"sku": "TSHIRT-L", "price": "24.95", "options": map[string]any{"Size": "L"}}
		if sale {
			l["sale_price"] = "19.95"
		}
		return map[string]any{"sku": "TSHIRT", "name": "Organic T-shirt", "options": []any{"Size"}, "prices": map[string]any{"list": "24.95"},
			"variants": []any{map[string]any{"sku": "TSHIRT-M", "price": "24.95", "options": map[string]any{"Size": "M"}}, l}}
	}
	for _, tc := range []struct {
		name, update, wantSale, wantPrice string
	}{
		{"every field", "all", "", "12.95"},
		{"sale prices kept", "regular_price,variations.regular_price", "9.95", "9.95"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newShop(t)
			c := s.open(t, nil)
			opts := options(t, connectors.UseWrite, map[string]any{"update_fields": tc.update})
			for _, sale := range []bool{true, false} {
				for _, rec := range []map[string]any{product(sale), variable(sale)} {
					key := rec["sku"].(string)
					id, _, err := c.FindByKey(ctx(t), connectors.Product, key)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Key: key, TargetID: id,
						Data: productOut(t, rec), Options: opts}); err != nil {
						t.Fatalf("writing %s (on sale %v): %v", key, sale, err)
					}
				}
			}
			wantVariation := map[string]string{"": "", "9.95": "19.95"}[tc.wantSale]
			for sku, want := range map[string]string{"CBL-3M": tc.wantSale, "TSHIRT-L": wantVariation} {
				p, ok := s.Product(sku)
				if !ok {
					t.Fatalf("the shop has no %s", sku)
				}
				if p["sale_price"] != want {
					t.Errorf("%s: sale_price %q, want %q", sku, p["sale_price"], want)
				}
			}
			if p, _ := s.Product("CBL-3M"); p["price"] != tc.wantPrice {
				t.Errorf("CBL-3M sells at %v, want %s", p["price"], tc.wantPrice)
			}
		})
	}
}
