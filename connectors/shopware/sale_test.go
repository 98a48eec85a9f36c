package shopware

import (
	"fmt"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/shopware/shopwaretest"
	"github.com/switchboard-app/switchboard/mappings"
)

// TestASaleThatEndsEndsInTheShop: a product on sale (its price with the
// list price as listPrice), written again once its sale price is gone
// from the source, has its list price as its price and no listPrice:
// the write sends the product's whole price, which Shopware replaces.
func TestASaleThatEndsEndsInTheShop(t *testing.T) {
	defaults, err := mappings.LoadDefaults(Mappings, ".")
	if err != nil {
		t.Fatal(err)
	}
	p, err := mappings.Compile(mappings.FlowConfig{Entity: "product", Out: mappings.Find(defaults, "product", mappings.Out)})
	if err != nil {
		t.Fatal(err)
	}
	shop := shopwaretest.New(t)
	c := open(t, shop)
	target := ""
	for _, sale := range []bool{true, false} {
		prices := map[string]any{"list": "24.95", "tax_rate": "21", "currency": "EUR"}
		if sale {
			prices["sale"] = "19.95"
		}
		res, err := p.Run(map[string]any{"sku": "MUG", "name": "Mug", "prices": prices})
		if err != nil {
			t.Fatal(err)
		}
		w, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Key: "MUG", TargetID: target, Data: res.Output,
			Options: options(t, connectors.UseWrite, nil)})
		if err != nil {
			t.Fatalf("writing MUG (on sale %v): %v", sale, err)
		}
		target = w.TargetID
	}
	product, _ := shop.Get(shopwaretest.Products, target)
	price := product["price"].([]any)[0].(map[string]any)
	if _, listed := price["listPrice"]; listed || fmt.Sprint(price["gross"]) != "24.95" {
		t.Fatalf("after the sale the price is %v; want 24.95 without a listPrice", price)
	}
}
