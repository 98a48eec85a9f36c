package xero

import (
	"fmt"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/xero/xerotest"
)

// TestUnitAmountsKeepFourDecimals: Xero rounds unit amounts and prices to
// two decimals unless a call asks for four (unitdp=4). A wholesaler's
// screws at 0.0125 are invoiced, kept as an item's price and read back at
// 0.0125, not at 0.01: ten thousand of them are 125.00, not 100.00.
func TestUnitAmountsKeepFourDecimals(t *testing.T) {
	x := xerotest.New(t)
	x.AddItem(map[string]any{"Code": "SCREW-4", "Name": "Screw 4 mm"})
	c := open(t, x, connectors.Env{}, nil)
	order := anOrder("2001")
	order["LineAmountTypes"] = "Exclusive"
	order["LineItems"] = []any{map[string]any{"Description": "Screw 4 mm", "Quantity": 10000, "UnitAmount": 0.0125, "ItemCode": "SCREW-4", "TaxRate": "21.0"}}
	delete(order, "Shipping")
	res, err := writeOrder(t, c, order, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := x.Get(xerotest.Invoices, res.TargetID)
	line := inv["LineItems"].([]any)[0].(map[string]any)
	if got := fmt.Sprint(line["UnitAmount"], " ", line["LineAmount"], " ", inv["SubTotal"]); got != "0.0125 125.00 125.00" {
		t.Errorf("the invoice's unit amount, line amount and subtotal are %s; want 0.0125 125.00 125.00", got)
	}
	if got := readUnit(t, c, connectors.Invoice, "INV-0001", "LineItems.0.UnitAmount"); got != "0.0125" {
		t.Errorf("the invoice's unit amount read back is %s; want 0.0125", got)
	}

	item := map[string]any{"Code": "SCREW-5", "Name": "Screw 5 mm", "SalesDetails": map[string]any{"UnitPrice": 0.0175}}
	w, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Key: "SCREW-5", Data: item, Options: options(t, connectors.UseWrite, nil)})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(w.Response["SalesDetails"].(map[string]any)["UnitPrice"]); got != "0.0175" {
		t.Errorf("the item's price as Xero answered it is %s; want 0.0175", got)
	}
	if got := readUnit(t, c, connectors.Product, "SCREW-5", "SalesDetails.UnitPrice"); got != "0.0175" {
		t.Errorf("the item's price read back is %s; want 0.0175", got)
	}
}

// readUnit reads an entity and returns the field at path of the record
// with the key.
func readUnit(t *testing.T, c *Conn, entity connectors.Entity, key, path string) string {
	t.Helper()
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: entity, Options: options(t, connectors.UseRead, nil)})
	if err != nil {
		t.Fatal(err)
	}
	page, err := stream.Next(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range page.Records {
		if r.Key == key {
			v, _ := rest.Lookup(r.Data, path)
			return fmt.Sprint(v)
		}
	}
	t.Fatalf("%s %s was not read back: %v", entity, key, page.Records)
	return ""
}
