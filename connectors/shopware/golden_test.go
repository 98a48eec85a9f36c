package shopware

import (
	"fmt"
	"slices"
	"testing"

	"github.com/switchboard-app/switchboard/connectors/internal/mappingtest"
	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// nativeSchemas are the schemas of the records Shopware answers, by case.
var nativeSchemas = map[string]string{
	"order.in":           "Order",
	"order.in.container": "Order",
	"customer.in":        "Customer",
	"product.in":         "Product",
	"stock.in":           "Product",
	"stock.in.warehouse": "ProductWarehouse",
}

// aUUID stands for an id the connector finds.
const aUUID = "0123456789abcdef0123456789abcdef"

// TestGoldenMappings runs testdata/golden through the default mappings
// and checks each native record against Shopware's own Admin API spec:
// the inputs are what the shop answers, the outputs what it takes once
// the connector has put in the ids it finds (a tax rate's, a currency's).
func TestGoldenMappings(t *testing.T) {
	spec := spectest.Load(t, spectest.ShopwareAdmin)
	mappingtest.Golden(t, Mappings, func(t *testing.T, c mappingtest.Case) {
		for i, rec := range c.Natives() {
			if err := checkNative(spec, c, rec); err != nil {
				t.Errorf("record %d: %v", i+1, err)
			}
		}
	})
}

func checkNative(spec *spectest.Spec, c mappingtest.Case, rec map[string]any) error {
	switch c.Entity + "." + string(c.Direction) {
	case "product.out":
		body := resolved(rec)
		if body["taxId"] == nil {
			return spec.CheckPartial("Product", body) // an update: a create needs a tax rate
		}
		body["id"] = aUUID
		if body["stock"] == nil {
			body["stock"] = 0
		}
		return spec.CheckRequestBody("POST /product", body)
	case "stock.out":
		return spec.CheckPartial("Product", map[string]any{"id": aUUID, "stock": rec["stock"]})
	case "shipment.out":
		return spec.CheckPartial("OrderDelivery", map[string]any{"trackingCodes": rec["trackingCodes"]})
	case "order.out":
		if st, ok := rec["state"].(string); ok && !slices.Contains(orderStates, st) {
			return fmt.Errorf("state %q is not one of Shopware's order states", st)
		}
		return nil
	}
	return spec.CheckSchema(nativeSchemas[c.Name], rec)
}

// resolved is a product as the connector sends it: the tax rate and the
// currency codes replaced by ids.
func resolved(rec map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range rec {
		out[k] = v
	}
	if out["taxId"] != nil {
		out["taxId"] = aUUID
	}
	if prices, ok := rec["price"].([]any); ok {
		var list []any
		for _, p := range prices {
			price := map[string]any{}
			for k, v := range p.(map[string]any) {
				price[k] = v
			}
			price["currencyId"] = aUUID
			list = append(list, price)
		}
		out["price"] = list
	}
	return out
}
