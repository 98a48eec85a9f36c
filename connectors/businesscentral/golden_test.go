package businesscentral

import (
	"fmt"
	"testing"

	"github.com/switchboard-app/switchboard/connectors/internal/mappingtest"
	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

const inCompany = "/companies({company_id})/"

// TestGoldenMappings runs testdata/golden through the default mappings
// and checks each native record against Business Central's own API v1.0
// contract: the inputs are what Business Central answers, the outputs
// what it takes (an order as the connector sends it: its header, its
// customer and each of its lines).
func TestGoldenMappings(t *testing.T) {
	spec := spectest.Load(t, spectest.BusinessCentral)
	mappingtest.Golden(t, Mappings, func(t *testing.T, c mappingtest.Case) {
		for i, rec := range c.Natives() {
			var err error
			switch c.Entity + "." + string(c.Direction) {
			case "customer.in":
				err = spec.CheckSchema("customer", rec)
			case "product.in", "stock.in":
				err = spec.CheckSchema("item", rec)
			case "order.in":
				err = spec.CheckSchema("salesOrder", rec)
			case "invoice.in":
				err = spec.CheckSchema("salesInvoice", rec)
			case "customer.out":
				err = spec.CheckRequestBody("POST "+inCompany+"customers", rec)
			case "product.out":
				err = spec.CheckRequestBody("POST "+inCompany+"items", rec)
			case "order.out":
				err = checkOrder(spec, rec)
			}
			if err != nil {
				t.Errorf("record %d: %v", i+1, err)
			}
		}
	})
}

// checkOrder checks an order's record as the connector sends it.
func checkOrder(spec *spectest.Spec, rec map[string]any) error {
	header := map[string]any{"customerId": "0d7e9d41-44e3-ea11-bb43-000d3a2feca1"}
	for k, v := range rec {
		if !ownFields[k] {
			header[k] = v
		}
	}
	if err := spec.CheckRequestBody("POST "+inCompany+"salesOrders", header); err != nil {
		return err
	}
	if customer, ok := rec[fieldCustomer].(map[string]any); ok {
		if err := spec.CheckRequestBody("POST "+inCompany+"customers", customer); err != nil {
			return fmt.Errorf("its customer: %w", err)
		}
	}
	o := &order{data: rec}
	lines, _ := rec[fieldLines].([]any)
	for i, l := range lines {
		line, err := o.line(l.(map[string]any), "f0e8c1a2-44e3-ea11-bb43-000d3a2feca1", i+1, "golden", "")
		if err == nil {
			err = spec.CheckRequestBody("POST "+inCompany+"salesOrders({salesOrder_id})/salesOrderLines", line)
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", i+1, err)
		}
	}
	return nil
}
