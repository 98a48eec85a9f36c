package adobecommerce

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors/internal/mappingtest"
	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// nativeSchemas are where the vendor's spec describes each mapping's
// native side: the schema of a record the shop answers (in) or the
// operation a written record is sent with (out).
var nativeSchemas = map[string]string{
	"order.in":    "sales-data-order-interface",
	"customer.in": "customer-data-customer-interface",
	"product.in":  "catalog-data-product-interface",
	"stock.in":    "inventory-api-data-source-item-interface",
}

// TestGoldenMappings runs testdata/golden through the default mappings
// and checks each native record against Adobe Commerce's own spec: the
// inputs are what the shop answers, the outputs what it takes.
func TestGoldenMappings(t *testing.T) {
	spec := spectest.Load(t, spectest.AdobeCommerce)
	mappingtest.Golden(t, Mappings, func(t *testing.T, c mappingtest.Case) {
		kind := c.Entity + "." + string(c.Direction)
		for i, rec := range c.Natives() {
			var err error
			switch kind {
			case "product.out":
				err = spec.CheckRequestBody("POST /V1/products", map[string]any{"product": rec})
			case "stock.out":
				err = spec.CheckRequestBody("POST /V1/inventory/source-items", map[string]any{"sourceItems": []any{rec}})
			case "shipment.out":
				for _, tr := range rec["tracks"].([]any) {
					if err = spec.CheckSchema("sales-data-shipment-track-creation-interface", tr); err != nil {
						break
					}
				}
			case "invoice.out": // the connector sends the order's item ids, which the shop has
			default:
				err = spec.CheckSchema(nativeSchemas[kind], rec)
			}
			if err != nil {
				t.Errorf("record %d: %v", i+1, err)
			}
		}
	})
}
