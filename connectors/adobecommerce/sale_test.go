package adobecommerce

import (
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/adobecommerce/adobetest"
)

// TestASaleThatEndsEndsInTheShop: a product on sale (its special_price),
// written again once its sale price is gone from the source, has no
// special price in Adobe Commerce (special_price written empty, which
// removes it); the shop kept selling at the old special price for good. A
// flow whose update policy leaves custom_attributes out keeps the shop's
// special price.
func TestASaleThatEndsEndsInTheShop(t *testing.T) {
	product := func(sale bool) map[string]any {
		prices := map[string]any{"list": "24.95"}
		if sale {
			prices["sale"] = "19.95"
		}
		return map[string]any{"sku": "MUG", "name": "Mug", "prices": prices}
	}
	for _, tc := range []struct {
		update string
		want   bool // the special price is kept
	}{
		{"all", false},
		{"price, status", true},
	} {
		shop := adobetest.New(t)
		c := open(t, shop)
		opts := options(t, connectors.UseWrite, map[string]any{"update_fields": tc.update})
		for _, sale := range []bool{true, false} {
			id, _, err := c.FindByKey(ctx(t), connectors.Product, "MUG")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Key: "MUG", TargetID: id,
				Data: productOut(t, product(sale)), Options: opts}); err != nil {
				t.Fatalf("writing MUG (on sale %v): %v", sale, err)
			}
		}
		p, _ := shop.Product("MUG")
		if kept := strings.Contains(fmt.Sprint(p["custom_attributes"]), "special_price"); kept != tc.want {
			t.Errorf("update_fields %q: the product's custom attributes are %v; special price kept %v, want %v", tc.update, p["custom_attributes"], kept, tc.want)
		}
	}
}
