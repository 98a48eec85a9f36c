package xero

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors/internal/mappingtest"
	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// TestGoldenMappings runs testdata/golden through the default mappings
// and checks each native record against Xero's own spec: the inputs are
// what Xero answers, the outputs what it takes (an order's invoice less
// the fields the connector resolves itself).
func TestGoldenMappings(t *testing.T) {
	spec := spectest.Load(t, spectest.Xero)
	mappingtest.Golden(t, Mappings, func(t *testing.T, c mappingtest.Case) {
		for i, rec := range c.Natives() {
			var err error
			switch c.Entity + "." + string(c.Direction) {
			case "customer.in":
				err = spec.CheckSchema("Contact", rec)
			case "product.in":
				err = spec.CheckSchema("Item", rec)
			case "invoice.in":
				if rec["CreditNoteID"] != nil {
					err = spec.CheckSchema("CreditNote", rec)
				} else {
					err = spec.CheckSchema("Invoice", rec)
				}
			case "customer.out":
				err = spec.CheckRequestBody("PUT /Contacts", map[string]any{"Contacts": []any{rec}})
			case "product.out":
				err = spec.CheckRequestBody("PUT /Items", map[string]any{"Items": []any{rec}})
			case "order.out":
				err = spec.CheckRequestBody("PUT /Invoices", map[string]any{"Invoices": []any{withoutOwnFields(rec)}})
			}
			if err != nil {
				t.Errorf("record %d: %v", i+1, err)
			}
		}
	})
}

// withoutOwnFields is an order's invoice without the fields the connector
// resolves itself.
func withoutOwnFields(rec map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range rec {
		switch k {
		case fieldOrderType, fieldTaxCountry, fieldShipping:
		case "LineItems":
			var lines []any
			for _, l := range v.([]any) {
				line := map[string]any{}
				for lk, lv := range l.(map[string]any) {
					if lk != fieldLineRate {
						line[lk] = lv
					}
				}
				lines = append(lines, line)
			}
			out[k] = lines
		default:
			out[k] = v
		}
	}
	return out
}
