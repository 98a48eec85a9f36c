package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors/xero/xerotest"
)

// xeroShopOrder is the Shopify connector's test order with another
// number, its customer and addresses in another country and its lines at
// another VAT rate.
func xeroShopOrder(t *testing.T, number, email, country string, rate float64) map[string]any {
	t.Helper()
	data, err := os.ReadFile("connectors/shopify/testdata/order.json")
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	if err := json.Unmarshal(data, &o); err != nil {
		t.Fatal(err)
	}
	delete(o, "id")
	o["name"], o["email"] = "#"+number, email
	o["customer"].(map[string]any)["email"] = email
	for _, a := range []string{"billingAddress", "shippingAddress"} {
		o[a].(map[string]any)["countryCodeV2"] = country
	}
	for _, l := range o["lineItems"].(map[string]any)["nodes"].([]any) {
		for _, tl := range l.(map[string]any)["taxLines"].([]any) {
			tl.(map[string]any)["ratePercentage"], tl.(map[string]any)["rate"] = rate, rate/100
		}
	}
	return o
}

// TestShopifyOrdersIntoXeroInvoices: a Shopify store's paid orders become
// Xero sales invoices through the binary, configured through its API and
// connected to Xero with the Connect button's flow: each line with the
// tax type of its rate (found among Xero's tax rates), the shipping costs
// a line of their own, the customer a contact made once, the invoice's
// totals Shopify's. An order whose rate Xero has no tax type for fails
// alone, saying what to set; a second run makes no second invoice.
func TestShopifyOrdersIntoXeroInvoices(t *testing.T) {
	shop, shopURL := newShopify(t)
	shop.AddOrder(xeroShopOrder(t, "1001", "anna.devries@example.nl", "NL", 21))
	shop.AddOrder(xeroShopOrder(t, "1002", "anna.devries@example.nl", "NL", 21))
	shop.AddOrder(xeroShopOrder(t, "1003", "jane@example.com", "DE", 19))

	dir := t.TempDir()
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	a := serve(t, dir, nil)
	token := a.superuser(t)
	x := xerotest.NewReturningTo(t, a.base+"/")
	x.AddItem(map[string]any{"Code": "CBL-3M", "Name": "Speaker cable 3 m"})

	shopConn := a.create(t, token, "connections", map[string]any{"name": "Shopify", "connector": "shopify",
		"config": map[string]any{"shop": shopURL}, "secrets": map[string]any{"access_token": shopifyToken}})
	xeroConn := a.create(t, token, "connections", map[string]any{"name": "Xero", "connector": "xero",
		"config": x.Config(), "secrets": map[string]any{"oauth_client_secret": xerotest.ClientSecret}})
	connectExact(t, a, token, xeroConn) // the Connect button's flow, the same for every OAuth2 app
	integ := a.create(t, token, "integrations", map[string]any{"name": "Shopify <-> Xero", "a": shopConn, "b": xeroConn, "enabled": true})
	flow := a.create(t, token, "flows", map[string]any{"integration": integ, "name": "orders to Xero", "entity": "order",
		"source": shopConn, "target": xeroConn, "enabled": true, "schedule": "",
		"options": map[string]any{"source": map[string]any{"financial_status": "paid"}, "target": map[string]any{"invoice_status": "AUTHORISED"}}})

	a.runFlow(t, token, flow)
	a.settle(t, token, flow, 1, 3)
	failed := a.transactions(t, token, flow, "status='failed'")
	if n := a.count(t, token, "flow='"+flow+"' && status='failed'"); n != 1 || !strings.HasPrefix(failed, "1003 ") ||
		!strings.Contains(failed, "customer jane@example.com has no VAT code for DE at 19%; set one in the flow's VAT table (vat_codes); "+
			"Xero has no active tax rate of 19% for sales") {
		t.Fatalf("%d failed transactions:\n%s\nwant order 1003's alone, saying what to set", n, failed)
	}
	checkXeroInvoices(t, x, "1001", "1002")

	a.runFlow(t, token, flow)
	a.settle(t, token, flow, 2, 3)
	if n := len(x.All(xerotest.Invoices)); n != 2 {
		t.Fatalf("after a second run Xero has %d invoices, want 2", n)
	}
}

// settle waits until the flow's runs have finished and its transactions
// (at least want of them) have succeeded or failed.
func (a *appliance) settle(t *testing.T, token, flow string, runs, want int) {
	t.Helper()
	a.waitFor(t, token, fmt.Sprintf("run %d of the flow and its %d transactions", runs, want), func() bool {
		var list struct {
			Items []struct {
				Finished string `json:"finished"`
			} `json:"items"`
		}
		a.call(t, http.MethodGet, "/api/collections/runs/records?perPage=50&filter="+urlQuery("flow='"+flow+"'"), token, nil, &list)
		for _, r := range list.Items {
			if r.Finished == "" {
				return false
			}
		}
		return len(list.Items) >= runs &&
			a.count(t, token, "flow='"+flow+"' && (status='succeeded' || status='failed' || status='skipped')") >= want &&
			a.count(t, token, "flow='"+flow+"' && status!='succeeded' && status!='failed' && status!='skipped'") == 0
	})
}

// checkXeroInvoices checks that Xero has one authorised invoice of each
// order, with Shopify's totals and a tax type on every line, and one
// contact for their customer.
func checkXeroInvoices(t *testing.T, x *xerotest.Xero, numbers ...string) {
	t.Helper()
	invoices := x.All(xerotest.Invoices)
	if len(invoices) != len(numbers) {
		t.Fatalf("Xero has %d invoices, want %d", len(invoices), len(numbers))
	}
	byReference := map[string]map[string]any{}
	for _, inv := range invoices {
		byReference[fmt.Sprint(inv["Reference"])] = inv
	}
	want := "Bookshelf speaker - Black <nil> OUTPUT 268.20 46.55|Speaker cable 3 m CBL-3M OUTPUT 12.95 2.25|Shipping: Standard Shipping <nil> OUTPUT 6.95 1.21"
	for _, number := range numbers {
		inv := byReference[number]
		if inv == nil {
			t.Fatalf("Xero has no invoice of order %s: %v", number, invoices)
		}
		var lines []string
		for _, l := range inv["LineItems"].([]any) {
			m := l.(map[string]any)
			lines = append(lines, fmt.Sprint(m["Description"], " ", m["ItemCode"], " ", m["TaxType"], " ", m["LineAmount"], " ", m["TaxAmount"]))
		}
		if got := strings.Join(lines, "|"); got != want || inv["Status"] != "AUTHORISED" ||
			fmt.Sprint(inv["Total"]) != "288.10" || inv["LineAmountTypes"] != "Inclusive" || inv["CurrencyCode"] != "EUR" {
			t.Fatalf("the invoice of order %s: %v\nits lines: %s\nwant: %s", number, inv, got, want)
		}
	}
	if contacts := x.All(xerotest.Contacts); len(contacts) != 1 || contacts[0]["EmailAddress"] != "anna.devries@example.nl" {
		t.Fatalf("Xero's contacts: %v; want Anna's alone", contacts)
	}
}
