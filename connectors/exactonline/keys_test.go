package exactonline

import (
	"fmt"
	"strings"
	"testing"
	"time"

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
	if prices := srv.Records(division, "logistics/SalesItemPrices"); len(prices) != 1 || prices[0]["Currency"] != "EUR" || text(prices[0]["Price"]) != "44.95" {
		t.Fatalf("sales item prices: %v", prices)
	}
}

// TestAnItemsPriceIsKeptOnce: writing an item again adds no sales price
// record; a new price changes the item's general one, and leaves a
// customer's price and a price in another currency alone.
func TestAnItemsPriceIsKeptOnce(t *testing.T) {
	srv, base := exact(t, fake.Options{})
	c, _ := connected(t, base)
	write := func(id string, price any, currency string) string {
		t.Helper()
		item := map[string]any{"Code": "LAMP", "Description": "Desk lamp", "StandardSalesPrice": price, "Currency": currency}
		res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Key: "LAMP", TargetID: id, Data: item})
		if err != nil {
			t.Fatal(err)
		}
		return res.TargetID
	}
	id := write("", 39.95, "")
	srv.AddRecord(division, "logistics/SalesItemPrices", map[string]any{"Item": id, "Price": 35.0, "Currency": "EUR", "Account": newAccount(srv, "Wholesale BV")})
	srv.AddRecord(division, "logistics/SalesItemPrices", map[string]any{"Item": id, "Price": 45.0, "Currency": "USD"})
	for _, step := range []struct {
		price    any
		currency string
		want     string
	}{
		{39.95, "", "39.95"},
		{"39.950", "EUR", "39.95"},
		{44.95, "EUR", "44.95"},
		{44.95, "", "44.95"},
	} {
		write(id, step.price, step.currency)
		var general []string
		for _, p := range srv.Records(division, "logistics/SalesItemPrices") {
			if p["Account"] == nil && p["Currency"] == "EUR" {
				general = append(general, text(p["Price"]))
			}
		}
		if len(general) != 1 || general[0] != step.want {
			t.Fatalf("after writing the price %v %s, the item's general prices are %v, want one of %s", step.price, step.currency, general, step.want)
		}
	}
	if n := len(srv.Records(division, "logistics/SalesItemPrices")); n != 3 {
		t.Fatalf("%d sales price records, want the general one, the customer's and the one in USD", n)
	}
	if item := srv.Record(division, "logistics/Items", id); text(item["StandardSalesPrice"]) != "44.95" {
		t.Fatalf("the item's standard sales price is %v", item["StandardSalesPrice"])
	}
}

// newAccount adds an account to the division, as a person would.
func newAccount(srv *fake.Server, name string) string {
	return srv.AddRecord(division, "crm/Accounts", map[string]any{"Name": name, "Status": "C"})
}

// TestOrdersAreNotBookedOnInactiveAccounts: an account that is blocked,
// or whose end date passed, is not an order's customer: the order fails
// naming the account and why, unless an active account has the key too.
func TestOrdersAreNotBookedOnInactiveAccounts(t *testing.T) {
	past := "/Date(" + fmt.Sprint(time.Now().AddDate(0, -1, 0).Truncate(24*time.Hour).UnixMilli()) + ")/"
	future := "/Date(" + fmt.Sprint(time.Now().AddDate(1, 0, 0).UnixMilli()) + ")/"
	tests := []struct {
		name     string
		accounts []map[string]any
		want     string // the account's name, or the error
	}{
		{"blocked", []map[string]any{{"Code": "1201", "Name": "Jane Old", "Email": "jane@example.com", "Blocked": true}},
			"Exact Online's account 1201 (Jane Old), found by its e-mail address jane@example.com, is blocked; orders are not booked on an inactive account: " +
				"make it active in Exact Online, or give the customer another e-mail address"},
		{"ended", []map[string]any{{"Code": "1202", "Name": "Jane Old", "Email": "jane@example.com", "Blocked": false, "EndDate": past}},
			"Exact Online's account 1202 (Jane Old), found by its e-mail address jane@example.com, ended on " + time.Now().AddDate(0, -1, 0).UTC().Format("2006-01-02")},
		{"an active one too", []map[string]any{{"Code": "1203", "Name": "Jane Old", "Email": "jane@example.com", "Blocked": true},
			{"Code": "1204", "Name": "Jane New", "Email": "jane@example.com", "Blocked": false, "EndDate": future}}, "Jane New"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, base := exact(t, fake.Options{})
			shop(srv)
			for _, a := range tt.accounts {
				a["Status"] = "C"
				srv.AddRecord(division, "crm/Accounts", a)
			}
			c, _ := connected(t, base)
			_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "7001", Data: webOrder("7001", "jane@example.com"),
				Options: writeOptions(t, nil)})
			_, found, findErr := c.FindByKey(ctx(t), connectors.Customer, "jane@example.com")
			if strings.HasPrefix(tt.want, "Exact") {
				permanent(t, err, tt.want)
				permanent(t, findErr, tt.want)
				if n := len(srv.Records(division, "salesorder/SalesOrders")); n != 0 || len(srv.Records(division, "crm/Accounts")) != len(tt.accounts) {
					t.Fatalf("%d sales orders and an account made for an order of an inactive account", n)
				}
				return
			}
			if err != nil || findErr != nil || !found {
				t.Fatal(err, findErr, found)
			}
			if doc := srv.Records(division, "salesorder/SalesOrders")[0]; doc["OrderedByName"] != tt.want {
				t.Fatalf("the order is booked on %v, want %s", doc["OrderedByName"], tt.want)
			}
		})
	}
}

// TestABlockedGuestAccountIsNamed: the flow's customer of guest orders,
// blocked, fails a guest order naming it.
func TestABlockedGuestAccountIsNamed(t *testing.T) {
	srv, base := exact(t, fake.Options{})
	shop(srv)
	srv.AddRecord(division, "crm/Accounts", map[string]any{"Code": "GUEST", "Name": "Webshop guests", "Status": "C", "Blocked": true})
	c, _ := connected(t, base)
	data := webOrder("7002", "")
	data["OrderedBy"] = map[string]any{"Name": "Guest"}
	_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "7002", Data: data,
		Options: writeOptions(t, map[string]any{"guest_customer": "GUEST"})})
	permanent(t, err, "Exact Online's account GUEST (Webshop guests), found by its code GUEST, is blocked")
}
