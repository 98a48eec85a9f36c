package xero

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/connectors/xero/xerotest"
)

var registration = connectors.Registration{Spec: Spec, New: New}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// connect makes a connection to the fake and connects it as a person
// does, and returns the secrets it keeps.
func connect(t *testing.T, x *xerotest.Xero, config map[string]any) map[string]string {
	t.Helper()
	return xerotest.Connect(t, conntest.Open(t, Spec, New, config, map[string]string{"oauth_client_secret": xerotest.ClientSecret}, connectors.Env{}).(*Conn))
}

// open connects to the fake with env and returns the connection.
func open(t *testing.T, x *xerotest.Xero, env connectors.Env, config map[string]any) *Conn {
	t.Helper()
	if config == nil {
		config = x.Config()
	}
	secrets := connect(t, x, config)
	return conntest.Open(t, Spec, New, config, secrets, env).(*Conn)
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

// anOrder is an order as the default write mapping makes it of a
// canonical order: two lines at 21% (one of an item Xero has), shipping
// without a rate of its own, a customer with an e-mail address in NL.
func anOrder(number string) map[string]any {
	return map[string]any{
		"Type": "ACCREC", "OrderType": "order", "Reference": number, "Date": "2025-03-14", "DueDate": "2025-03-14",
		"CurrencyCode": "EUR", "LineAmountTypes": "Inclusive", "TaxCountry": "NL",
		"Contact": map[string]any{"Name": "Anna de Vries", "FirstName": "Anna", "LastName": "de Vries", "EmailAddress": "anna.devries@example.nl",
			"Addresses": []any{map[string]any{"AddressType": "POBOX", "AddressLine1": "Keizersgracht 123", "City": "Amsterdam", "PostalCode": "1015 CJ", "Country": "NL"}}},
		"LineItems": []any{
			map[string]any{"Description": "Bookshelf speaker - Black", "Quantity": 2, "UnitAmount": 134.10, "ItemCode": "SPK-200-BLK", "DiscountAmount": 29.80, "TaxRate": "21.0"},
			map[string]any{"Description": "Speaker cable 3 m", "Quantity": 1, "UnitAmount": 12.95, "ItemCode": "CBL-3M", "TaxRate": "21.0"},
		},
		"Shipping": map[string]any{"Description": "Standard Shipping", "Amount": 6.95},
	}
}
