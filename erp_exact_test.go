package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors/exactonline/fake"
	woofake "github.com/switchboard-app/switchboard/connectors/woocommerce/fake"
)

// wooKey and wooSecret are the WooCommerce fake's REST API key.
const (
	wooKey    = "ck_e2e_key_0123456789"
	wooSecret = "cs_e2e_secret_0123456789"
)

// addWooOrders adds n orders to the WooCommerce fake, numbered on from
// 1001 as the shop numbers them: every fifth a guest's (no e-mail
// address), the others of four buyers; two chairs and a cushion at 19%
// VAT shipped to Germany.
func addWooOrders(shop *woofake.Server, first, n int) {
	for id := first; id < first+n; id++ {
		email := fmt.Sprintf("buyer%d@example.com", id%4)
		if id%5 == 0 {
			email = ""
		}
		shop.AddOrder(map[string]any{
			"id": id, "number": strconv.Itoa(1000 + id), "status": "processing", "currency": "EUR", "created_via": "checkout",
			"customer_id": 0, "payment_method": "ideal", "payment_method_title": "iDEAL", "customer_note": "",
			"date_created_gmt": time.Now().UTC().Format("2006-01-02T15:04:05"), "date_paid_gmt": time.Now().UTC().Format("2006-01-02T15:04:05"),
			"billing": map[string]any{"first_name": "Jane", "last_name": fmt.Sprintf("Buyer %d", id%4), "company": "", "address_1": "Kerkweg 3",
				"address_2": "", "city": "Utrecht", "state": "", "postcode": "3511 AA", "country": "NL", "email": email, "phone": "0612345678"},
			"shipping": map[string]any{"first_name": "Jane", "last_name": "Buyer", "company": "", "address_1": "Hauptstraße 5", "address_2": "",
				"city": "Berlin", "state": "", "postcode": "10115", "country": "DE"},
			"line_items": []any{
				map[string]any{"id": id * 10, "name": "Oak dining chair", "sku": "CHAIR-OAK", "quantity": 2, "price": 149.95,
					"subtotal": "299.90", "subtotal_tax": "56.98", "total": "299.90", "total_tax": "56.98"},
				map[string]any{"id": id*10 + 1, "name": "Seat cushion", "sku": "CUSHION", "quantity": 1, "price": 20,
					"subtotal": "20.00", "subtotal_tax": "3.80", "total": "20.00", "total_tax": "3.80"},
			},
			"shipping_lines": []any{map[string]any{"method_title": "DHL Express", "total": "5.00", "total_tax": "0.95"}},
			"coupon_lines":   []any{}, "transaction_id": "",
			"shipping_total": "5.00", "discount_total": "0.00", "total": "386.63", "total_tax": "61.73",
		})
	}
}

// TestShopOrdersIntoExactOnlineWithATokenRotation: a WooCommerce shop's
// orders (the woocommerce connector and its default mapping, on the
// WooCommerce fake) go into Exact Online as sales orders through the
// binary. In the middle of
// the run Exact Online's access token expires: the connection refreshes,
// keeps the rotated refresh token, and goes on. After a restart, with
// the access token expired again, the kept refresh token still works:
// the rotation was kept before it was used. Guest orders go to the guest
// customer; every order is written once.
func TestShopOrdersIntoExactOnlineWithATokenRotation(t *testing.T) {
	shop := woofake.New(wooKey, wooSecret)
	addWooOrders(shop, 1, 20)
	shopSrv := httptest.NewServer(shop)
	defer shopSrv.Close()

	dir := t.TempDir()
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	a := serve(t, dir, nil)
	token := a.superuser(t)

	exact := fake.New(fake.Options{ClientID: "switchboard", ClientSecret: "exact-secret-e2e", RedirectBase: a.base + "/api/switchboard/oauth/callback", PageSize: 5,
		PerMinute: 6000}) // the minutely limit has a test of its own; here it would only slow the run
	exactSrv := httptest.NewServer(exact)
	defer exactSrv.Close()
	exact.SetURL(exactSrv.URL)
	for _, sku := range []string{"CHAIR-OAK", "CUSHION", "SHIPPING"} {
		exact.AddRecord(1001, "logistics/Items", map[string]any{"Code": sku, "Description": sku, "IsSalesItem": true})
	}
	exact.AddRecord(1001, "crm/Accounts", map[string]any{"Code": "9000", "Name": "Webshop customers", "Status": "C"})

	shopConn := a.create(t, token, "connections", map[string]any{"name": "Woo shop", "connector": "woocommerce",
		"config": map[string]any{"base_url": shopSrv.URL}, "secrets": map[string]any{"consumer_key": wooKey, "consumer_secret": wooSecret}})
	exactConn := a.create(t, token, "connections", map[string]any{"name": "Exact", "connector": "exactonline",
		"config":  map[string]any{"base_url": exactSrv.URL, "division": 1001, "oauth_client_id": "switchboard"},
		"secrets": map[string]any{"oauth_client_secret": "exact-secret-e2e"}})
	connectExact(t, a, token, exactConn)

	integ := a.create(t, token, "integrations", map[string]any{"name": "Shop <-> Exact", "a": shopConn, "b": exactConn, "enabled": true})
	flow := a.create(t, token, "flows", map[string]any{"integration": integ, "name": "orders to Exact", "entity": "order",
		"source": shopConn, "target": exactConn, "enabled": true, "schedule": "",
		// WooCommerce's shipping line has its tax but not its rate.
		"mapping": map[string]any{"in": []any{map[string]any{"target": "shipping_method.tax_rate", "expr": "19"}}},
		"options": map[string]any{"target": map[string]any{"vat_codes": `{"DE": {"19": "5"}}`, "shipping_methods": `{"DHL Express": "DHL"}`,
			"payment_methods": `{"iDEAL": "00"}`, "shipping_sku": "SHIPPING", "guest_customer": "9000", "warehouse": "1"}}})

	exact.ExpireAccessTokensAfter(25) // in the middle of the run
	a.runFlow(t, token, flow)
	waitForTransactions(t, a, token, flow, 20)
	if st := exact.Stats(); st.Refreshes != 1 || st.RefreshRefused != 0 {
		t.Fatalf("Exact Online saw %d refreshes, %d refused; want the one in the middle of the run", st.Refreshes, st.RefreshRefused)
	}

	a.stop()
	exact.ExpireAccessTokens()
	addWooOrders(shop, 21, 5)
	a = serve(t, dir, nil)
	token = a.superuser(t)
	a.runFlow(t, token, flow)
	waitForTransactions(t, a, token, flow, 25)
	if st := exact.Stats(); st.Refreshes != 2 || st.RefreshRefused != 0 {
		t.Fatalf("after the restart Exact Online saw %d refreshes, %d refused: the rotated refresh token was not kept", st.Refreshes, st.RefreshRefused)
	}
	checkExactOrders(t, exact, 25)
}

// connectExact presses Connect as a browser does: the start route sends
// it to Exact Online's consent page, which sends it back with a code.
func connectExact(t *testing.T, a *appliance, token, conn string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodGet, a.base+"/api/switchboard/oauth/"+conn+"/start", nil)
	req.Header.Set("Authorization", token)
	res, err := browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var start struct {
		URL string `json:"url"`
	}
	_ = json.NewDecoder(res.Body).Decode(&start)
	res.Body.Close()
	if start.URL == "" {
		t.Fatalf("the start route answered %d", res.StatusCode)
	}
	res, err = browser.Get(start.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	callback := res.Header.Get("Location")
	res, err = browser.Get(callback)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the callback %s answered %d", callback, res.StatusCode)
	}
}

// waitForTransactions waits until the flow has n succeeded transactions
// and none failed (or not yet done), failing with the errors otherwise.
func waitForTransactions(t *testing.T, a *appliance, token, flow string, n int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if failed := a.count(t, token, "flow='"+flow+"' && status='failed'"); failed > 0 {
			t.Fatalf("transactions failed:\n%s", a.transactions(t, token, flow, "status='failed'"))
		}
		if a.count(t, token, "flow='"+flow+"' && status='succeeded'") >= n &&
			a.count(t, token, "flow='"+flow+"' && status!='succeeded' && status!='skipped'") == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d transactions of the flow; not done:\n%s", n, a.transactions(t, token, flow, "status!='succeeded'"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// transactions lists the flow's transactions that pass filter, with
// their status and error.
func (a *appliance) transactions(t *testing.T, token, flow, filter string) string {
	var list struct {
		Items []struct {
			Key, Status, Error string
			Attempts           int
		} `json:"items"`
	}
	a.call(t, http.MethodGet, "/api/collections/transactions/records?perPage=50&filter="+urlQuery("flow='"+flow+"' && "+filter), token, nil, &list)
	var out []string
	for _, it := range list.Items {
		out = append(out, fmt.Sprintf("%s %s (%d attempts): %s", it.Key, it.Status, it.Attempts, it.Error))
	}
	return strings.Join(out, "\n")
}

// checkExactOrders checks that Exact Online holds n sales orders, one per
// shop order, guests on the guest customer, and one account per buyer.
func checkExactOrders(t *testing.T, exact *fake.Server, n int) {
	t.Helper()
	orders := exact.Records(1001, "salesorder/SalesOrders")
	refs := map[string]int{}
	accounts := map[string]string{}
	for _, acc := range exact.Records(1001, "crm/Accounts") {
		accounts[acc["ID"].(string)] = strings.TrimSpace(fmt.Sprint(acc["Code"]))
	}
	for _, o := range orders {
		ref := fmt.Sprint(o["YourRef"])
		refs[ref]++
		number, _ := strconv.Atoi(ref)
		if guest := (number-1000)%5 == 0; guest != (accounts[fmt.Sprint(o["OrderedBy"])] == "9000") {
			t.Errorf("order %s went to account %s", ref, accounts[fmt.Sprint(o["OrderedBy"])])
		}
		if lines := o["SalesOrderLines"].([]any); len(lines) != 3 || lines[0].(map[string]any)["VATCode"] != "5" {
			t.Errorf("order %s has lines %v", ref, lines)
		}
	}
	if len(orders) != n || len(refs) != n {
		t.Fatalf("%d sales orders for %d orders, want %d, one each", len(orders), len(refs), n)
	}
	if len(accounts) != 5 {
		t.Fatalf("%d accounts, want the guest customer and one per buyer (4)", len(accounts))
	}
}
