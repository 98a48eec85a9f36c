package app

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/businesscentral"
	"github.com/switchboard-app/switchboard/connectors/businesscentral/bctest"
	"github.com/switchboard-app/switchboard/connectors/files"
	"github.com/switchboard-app/switchboard/connectors/files/transport/transporttest"
	"github.com/switchboard-app/switchboard/connectors/shopify"
	"github.com/switchboard-app/switchboard/connectors/xero"
	"github.com/switchboard-app/switchboard/connectors/xero/xerotest"
)

// newERPEnv is a test app whose registry has Shopify, the accounting and
// ERP connectors and SFTP, with the engine at test speed (not started).
func newERPEnv(t *testing.T) *testEnv {
	t.Helper()
	t.Setenv("SWITCHBOARD_SECRET_KEY", "")
	reg := connectors.NewRegistry()
	for _, r := range []connectors.Registration{
		{Spec: shopify.Spec, New: shopify.New}, {Spec: xero.Spec, New: xero.New},
		{Spec: businesscentral.Spec, New: businesscentral.New}, {Spec: files.SFTPSpec(), New: files.NewSFTP},
	} {
		if err := reg.Register(r.Spec, r.New); err != nil {
			t.Fatal(err)
		}
	}
	app, err := tests.NewTestAppWithConfig(core.BaseAppConfig{DataDir: fixtureDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Cleanup)
	errOut = io.Discard
	env := &testEnv{app: app, users: map[string]*core.Record{}, tokens: map[string]string{}}
	env.sb = Register(app, Options{Registry: reg})
	env.sb.checkSecrets()
	env.sb.engine.cfg = fastEngine.withDefaults()
	return env
}

// connectXero connects a Xero connection to the fake as a person does
// with the Connect button, and returns the secrets to keep.
func connectXero(t *testing.T, x *xerotest.Xero) map[string]string {
	t.Helper()
	cfg, err := xero.Spec.ResolveAndValidate(x.Config(), map[string]string{"oauth_client_secret": xerotest.ClientSecret}, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := xero.New(cfg, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	return xerotest.Connect(t, c.(connectors.OAuth2Connector))
}

// shopifyOrderIn is the Shopify test order with another number, its
// customer and addresses in another country and its lines at another
// VAT rate.
func shopifyOrderIn(t *testing.T, number, email, country string, rate float64) map[string]any {
	o := shopifyOrder(t)
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
// Xero sales invoices through the engine: each line with the tax type of
// its rate (found among Xero's tax rates), the shipping costs a line of
// their own, the customer a contact made once, the invoice's totals
// Shopify's. An order whose rate Xero has no tax type for fails alone,
// saying what to set; a second run makes no second invoice.
func TestShopifyOrdersIntoXeroInvoices(t *testing.T) {
	shop := requireShopifySchema(t)
	shop.AddToken("shpat_e2e_token_0123456789")
	srv := httptest.NewServer(shop)
	t.Cleanup(srv.Close)
	shop.AddOrder(shopifyOrderIn(t, "1001", "anna.devries@example.nl", "NL", 21))
	shop.AddOrder(shopifyOrderIn(t, "1002", "anna.devries@example.nl", "NL", 21))
	shop.AddOrder(shopifyOrderIn(t, "1003", "jane@example.com", "DE", 19))
	x := xerotest.New(t)
	x.AddItem(map[string]any{"Code": "CBL-3M", "Name": "Speaker cable 3 m"})
	env := newERPEnv(t)
	src := env.saveConnection(t, "Shopify", "shopify", map[string]any{"shop": srv.URL}, map[string]string{"access_token": "shpat_e2e_token_0123456789"})
	dst := env.saveConnection(t, "Xero", "xero", x.Config(), connectXero(t, x))
	flow := env.flowBetween(t, src, dst, "order", map[string]any{"options": map[string]any{
		"source": map[string]any{"financial_status": "paid"}, "target": map[string]any{"invoice_status": "AUTHORISED"}}})
	env.start(t)
	env.runAndSettle(t, flow)
	if got := failures(t, env, flow.Id); len(got) != 1 || !strings.Contains(got["1003"], "customer jane@example.com has no VAT code for DE at 19%; "+
		"set one in the flow's VAT table (vat_codes); Xero has no active tax rate of 19% for sales") {
		t.Fatalf("failures %v; want order 1003's, saying what to set", got)
	}
	checkXeroInvoices(t, x, "1001", "1002")
	env.runAndSettle(t, flow)
	if n := len(x.All(xerotest.Invoices)); n != 2 {
		t.Fatalf("after a second run Xero has %d invoices, want 2", n)
	}
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
	for i, number := range numbers {
		inv := byReference[number]
		var lines []string
		for _, l := range inv["LineItems"].([]any) {
			m := l.(map[string]any)
			lines = append(lines, fmt.Sprint(m["Description"], " ", m["ItemCode"], " ", m["TaxType"], " ", m["LineAmount"], " ", m["TaxAmount"]))
		}
		want := "Bookshelf speaker - Black <nil> OUTPUT 268.20 46.55|Speaker cable 3 m CBL-3M OUTPUT 12.95 2.25|Shipping: Standard Shipping <nil> OUTPUT 6.95 1.21"
		if got := strings.Join(lines, "|"); got != want || inv["Status"] != "AUTHORISED" ||
			fmt.Sprint(inv["Total"]) != "288.10" || inv["LineAmountTypes"] != "Inclusive" || inv["CurrencyCode"] != "EUR" {
			t.Fatalf("the invoice of order %s (%d of %d): %v\nits lines: %s\nwant: %s", number, i+1, len(numbers), inv, got, want)
		}
	}
	if contacts := x.All(xerotest.Contacts); len(contacts) != 1 || contacts[0]["EmailAddress"] != "anna.devries@example.nl" {
		t.Fatalf("Xero's contacts: %v; want Anna's alone", contacts)
	}
}

// TestSupplierCSVOnSFTPIntoBusinessCentralItems: a supplier's product
// file on a real SFTP server becomes Business Central items through the
// engine (the fake of its API v1.0 contract): a new product an item, an
// item made by hand found by its number and only its prices updated, as
// the flow's update policy says; a row Business Central refuses fails
// alone with its reason; a later file updates the items, not duplicates.
func TestSupplierCSVOnSFTPIntoBusinessCentralItems(t *testing.T) {
	it := transporttest.RequireEnv(t, "SWITCHBOARD_IT_SFTP_ADDR", "SWITCHBOARD_IT_SFTP_USER", "SWITCHBOARD_IT_SFTP_PASS", "SWITCHBOARD_IT_SFTP_DIR")
	b := bctest.New(t)
	byHand := b.AddItem(map[string]any{"number": "CBL-3M", "displayName": "Speaker cable 3 m, oxygen-free copper", "unitPrice": 11.5})
	folder := transporttest.UniqueName("supplier")
	mkdirSFTP(t, it, folder)
	putSFTP(t, it, folder+"/products-1.csv", "sku;name;price;cost;kind\nCBL-3M;CABLE 3M;12.95;4.10;Inventory\n"+
		"HP-20;HEADPHONES;59.00;31.00;Inventory\nSVC-1;INSTALLATION;45.00;0;Labour\n")
	env := newERPEnv(t)
	host, port, _ := net.SplitHostPort(it["SWITCHBOARD_IT_SFTP_ADDR"])
	src := env.saveConnection(t, "Supplier SFTP", "sftp", map[string]any{"host": host, "port": atoiOr(port), "username": it["SWITCHBOARD_IT_SFTP_USER"],
		"folder": it["SWITCHBOARD_IT_SFTP_DIR"]}, map[string]string{"password": it["SWITCHBOARD_IT_SFTP_PASS"]})
	dst := env.saveConnection(t, "Business Central", "business-central", b.Config(), b.Secrets())
	flow := env.flowBetween(t, src, dst, "product", map[string]any{
		"options": map[string]any{"source": map[string]any{"sub_folder": folder, "pattern": "*.csv", "key_field": "sku"},
			"target": map[string]any{"update_fields": "unitPrice, unitCost"}},
		"mapping": map[string]any{"in": []any{
			map[string]any{"target": "sku", "expr": "sku"}, map[string]any{"target": "name", "expr": "title(lower(name))"},
			map[string]any{"target": "prices.list", "expr": "price"}, map[string]any{"target": "prices.cost", "expr": "cost"},
			map[string]any{"target": "attributes.item_type", "expr": "kind"}}}})
	env.start(t)
	env.runAndSettle(t, flow)
	if got := failures(t, env, flow.Id); len(got) != 1 || !strings.Contains(got["SVC-1"], `The value "Labour" can't be evaluated into type Item Type.`) {
		t.Fatalf("failures %v; want SVC-1's, with Business Central's reason", got)
	}
	checkItem(t, b, "HP-20", "Headphones 59.00 31.00 Inventory")
	checkItem(t, b, "CBL-3M", "Speaker cable 3 m, oxygen-free copper 12.95 4.10 Inventory")
	if cable, _ := b.ByNumber(bctest.Items, "CBL-3M"); cable["id"] != byHand["id"] {
		t.Fatalf("the item made by hand is %v, the feed's %v", byHand["id"], cable["id"])
	}
	putSFTP(t, it, folder+"/products-2.csv", "sku;name;price;cost;kind\nHP-20;HEADPHONES;55.00;31.00;Inventory\n")
	env.runAndSettle(t, flow)
	checkItem(t, b, "HP-20", "Headphones 55.00 31.00 Inventory")
	if n := len(b.All(bctest.Items)); n != 2 {
		t.Fatalf("Business Central has %d items after the second file, want 2", n)
	}
}

// checkItem checks an item's name, price, cost and type.
func checkItem(t *testing.T, b *bctest.BC, number, want string) {
	t.Helper()
	item, ok := b.ByNumber(bctest.Items, number)
	if got := fmt.Sprint(item["displayName"], " ", item["unitPrice"], " ", item["unitCost"], " ", item["type"]); !ok || got != want {
		t.Fatalf("item %s is %q, want %q", number, got, want)
	}
}

// putSFTP writes a file on the SFTP server.
func putSFTP(t *testing.T, it map[string]string, name, body string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := sftpDial(t, it).Create(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
