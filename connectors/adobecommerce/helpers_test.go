package adobecommerce

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/adobecommerce/adobetest"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/mappings"
)

var env = connectors.Env{}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// open connects to the shop.
func open(t *testing.T, shop *adobetest.Shop) *Conn {
	t.Helper()
	return conntest.Open(t, Spec, New, shop.Config(), shop.Secrets(), env).(*Conn)
}

// options resolves a flow's options as the engine does.
func options(t *testing.T, use connectors.Use, values map[string]any) connectors.Config {
	t.Helper()
	return conntest.FlowOptions(t, Spec, use, values)
}

// anOrder is an order as the shop keeps it: number 0000000<id>, one line
// per SKU (two of each), changed at updated.
func anOrder(id int, state, status, updated string, skus ...string) map[string]any {
	var items []any
	for i, sku := range skus {
		items = append(items, map[string]any{"item_id": id*10 + i, "order_id": id, "sku": sku, "name": "Product " + sku,
			"qty_ordered": 2, "qty_shipped": 0, "qty_invoiced": 0, "price": 10, "row_total": 20, "tax_percent": 21})
	}
	return map[string]any{"entity_id": id, "increment_id": fmt.Sprintf("%09d", id), "state": state, "status": status,
		"created_at": updated, "updated_at": updated, "customer_email": fmt.Sprintf("buyer%d@example.com", id),
		"order_currency_code": "EUR", "grand_total": 48.4, "base_grand_total": 48.4, "items": items,
		"billing_address": map[string]any{"address_type": "billing", "firstname": "Jan", "lastname": "Jansen", "street": []any{"Dorpsstraat 1"},
			"postcode": "1234 AB", "city": "Utrecht", "country_id": "NL", "telephone": "+31 30 000 0000"}}
}

// readAll reads an entity to its end from a cursor: the records' keys and
// the cursor left.
func readAll(t *testing.T, c *Conn, entity connectors.Entity, cursor string, opts connectors.Config, size int) ([]string, string) {
	t.Helper()
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: entity, Cursor: cursor, PageSize: size, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for range 100 {
		page, err := stream.Next(ctx(t))
		if errors.Is(err, connectors.ErrEndOfInput) {
			return keys, cursor
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			if r.Err != nil {
				t.Fatalf("record %s: %v", r.ID, r.Err)
			}
			keys = append(keys, r.Key)
		}
		cursor = page.Cursor
	}
	t.Fatal("the read never ended")
	return nil, ""
}

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
