package exactonline

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/exactonline/fake"
)

// TestRecordsExactOnlineHasAreFound: an order already in Exact Online is
// found by its reference when the xref was lost, whatever document it
// became; customers by e-mail address, VAT number or account code (which
// Exact Online pads to 18 characters); items by code.
func TestRecordsExactOnlineHasAreFound(t *testing.T) {
	srv, base := exact(t, fake.Options{})
	shop(srv)
	srv.AddRecord(division, "crm/Accounts", map[string]any{"Code": "1024", "Name": "Bakkerij", "Email": "inkoop@bakkerij.example",
		"VATNumber": "NL001234567B01", "Status": "C"})
	c, _ := connected(t, base)
	written := map[string]string{}
	for number, kind := range map[string]string{"5001": "order", "5002": "invoice", "5003": "quotation"} {
		res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: number, Data: webOrder(number, "jane@example.com"),
			Options: writeOptions(t, map[string]any{"order_type": kind})})
		if err != nil {
			t.Fatal(err)
		}
		written[number] = res.TargetID
	}
	account := srv.Records(division, "crm/Accounts")[0]["ID"].(string)
	tests := []struct {
		entity connectors.Entity
		key    string
		want   string
	}{
		{connectors.Order, "5001", written["5001"]},
		{connectors.Order, "5002", written["5002"]},
		{connectors.Order, "5003", written["5003"]},
		{connectors.Order, "5004", ""},
		{connectors.Customer, "inkoop@bakkerij.example", account},
		{connectors.Customer, "NL001234567B01", account},
		{connectors.Customer, "1024", account},
		{connectors.Customer, "nobody@example.com", ""},
		{connectors.Product, "CUSHION", srv.Records(division, "logistics/Items")[1]["ID"].(string)},
		{connectors.Product, "LAMP", ""},
	}
	for _, tt := range tests {
		id, found, err := c.FindByKey(ctx(t), tt.entity, tt.key)
		if err != nil || id != tt.want || found != (tt.want != "") {
			t.Errorf("FindByKey(%s, %s) = %q, %v, %v; want %q", tt.entity, tt.key, id, found, err, tt.want)
		}
	}
	// An order written again with its target id is left alone.
	res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "5001", TargetID: written["5001"],
		Data: webOrder("5001", "jane@example.com"), Options: writeOptions(t, nil)})
	if err != nil || res.TargetID != written["5001"] || len(srv.Records(division, "salesorder/SalesOrders")) != 1 {
		t.Fatalf("writing an order again: %+v, %v; %d sales orders", res, err, len(srv.Records(division, "salesorder/SalesOrders")))
	}
}

// TestACustomerIsMadeOnce: orders of one customer find the account the
// first made, by e-mail address, then by VAT number.
func TestACustomerIsMadeOnce(t *testing.T) {
	srv, base := exact(t, fake.Options{})
	shop(srv)
	c, _ := connected(t, base)
	for i, email := range []string{"jane@example.com", "JANE@example.com", ""} {
		data := webOrder("600"+string(rune('1'+i)), email)
		data["OrderedBy"].(map[string]any)["VATNumber"] = "DE123456789"
		if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "x", Data: data, Options: writeOptions(t, nil)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(srv.Records(division, "crm/Accounts")); n != 1 {
		t.Fatalf("%d accounts for one customer", n)
	}
}

func TestAccountsAndItemsAreCreatedThenUpdated(t *testing.T) {
	srv, base := exact(t, fake.Options{})
	c, _ := connected(t, base)
	item := map[string]any{"Code": "LAMP", "Description": "Desk lamp", "IsSalesItem": true, "StandardSalesPrice": 39.95, "Currency": "EUR"}
	res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Key: "LAMP", Data: item})
	if err != nil {
		t.Fatal(err)
	}
	item["Description"], item["StandardSalesPrice"] = "Desk lamp, brass", 44.95
	if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Key: "LAMP", TargetID: res.TargetID, Data: item}); err != nil {
		t.Fatal(err)
	}
	items := srv.Records(division, "logistics/Items")
	if len(items) != 1 || items[0]["Description"] != "Desk lamp, brass" || items[0]["StandardSalesPrice"].(interface{ String() string }).String() != "44.95" {
		t.Fatalf("items after create and update: %v", items)
	}
	if prices := srv.Records(division, "logistics/SalesItemPrices"); len(prices) != 2 || prices[1]["Currency"] != "EUR" {
		t.Fatalf("sales item prices: %v", prices)
	}
}
