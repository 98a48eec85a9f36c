package businesscentral

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/businesscentral/bctest"
	"github.com/switchboard-app/switchboard/connectors/conntest"
)

var registration = connectors.Registration{Spec: Spec, New: New}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// open connects to the fake.
func open(t *testing.T, b *bctest.BC, config map[string]any) *Conn {
	t.Helper()
	if config == nil {
		config = b.Config()
	}
	return conntest.Open(t, Spec, New, config, b.Secrets(), connectors.Env{Shared: connectors.NewShared()}).(*Conn)
}

// options resolves a flow's options as the engine does.
func options(t *testing.T, use connectors.Use, values map[string]any) connectors.Config {
	t.Helper()
	return conntest.FlowOptions(t, Spec, use, values)
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

var transactions atomic.Int64

// write writes a record with the flow's options, as a transaction of its
// own.
func write(t *testing.T, c *Conn, entity connectors.Entity, target, key string, data, values map[string]any) (connectors.WriteResult, error) {
	t.Helper()
	return c.Write(ctx(t), connectors.WriteRequest{Entity: entity, TargetID: target, Key: key, Data: data,
		Options: options(t, connectors.UseWrite, values), IdempotencyKey: fmt.Sprint("tx-", transactions.Add(1))})
}

// items are the items the orders below are of: two products and the
// shipping costs' service item.
func items(b *bctest.BC) {
	b.AddItem(map[string]any{"number": "SPK-200-BLK", "displayName": "Bookshelf speaker", "unitPrice": 110.83})
	b.AddItem(map[string]any{"number": "CBL-3M", "displayName": "Speaker cable 3 m", "unitPrice": 10.70})
	b.AddItem(map[string]any{"number": "SHIP", "displayName": "Shipping costs", "type": "Service"})
}

// anOrder is an order as the default write mapping makes it of a
// canonical order: two lines at 21% with prices including tax, shipping
// without a rate of its own, a customer with an e-mail address in NL.
func anOrder(number string) map[string]any {
	address := map[string]any{"street": "Keizersgracht 123", "city": "Amsterdam", "countryLetterCode": "NL", "postalCode": "1015 CJ"}
	return map[string]any{
		"OrderType": "order", "externalDocumentNumber": number, "orderDate": "2025-03-14", "currencyCode": "EUR", "pricesIncludeTax": true,
		"email": "anna.devries@example.nl", "billingPostalAddress": address, "shipToName": "Anna de Vries", "shippingPostalAddress": address,
		"Customer":   map[string]any{"displayName": "Anna de Vries", "type": "Person", "email": "anna.devries@example.nl", "address": address},
		"TaxCountry": "NL",
		"Lines": []any{
			map[string]any{"itemNumber": "SPK-200-BLK", "description": "Bookshelf speaker - Black", "quantity": 2, "unitPrice": 134.10, "discountAmount": 29.80, "taxRate": "21.0"},
			map[string]any{"itemNumber": "CBL-3M", "description": "Speaker cable 3 m", "quantity": 1, "unitPrice": 12.95, "taxRate": "21.0"},
		},
		"Shipping":       map[string]any{"description": "Standard Shipping", "amount": 6.95},
		"ShippingMethod": "Standard Shipping", "PaymentMethod": "mollie_ideal",
	}
}

// orderOptions are a flow's options that resolve every part of anOrder.
var orderOptions = map[string]any{"vat_codes": `{"NL": {"21": "VAT21", "9": "VAT9"}}`, "shipping_sku": "SHIP",
	"shipping_methods": `{"Standard Shipping": "POSTNL"}`, "payment_methods": `{"mollie_ideal": "0D"}`}
