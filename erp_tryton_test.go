package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	shopifyfake "github.com/switchboard-app/switchboard/connectors/shopify/fake"
	"github.com/switchboard-app/switchboard/connectors/shopify/schema"
	woofake "github.com/switchboard-app/switchboard/connectors/woocommerce/fake"
)

// tryton is a JSON-RPC client of a Tryton database, for checking what
// the binary wrote there.
type tryton struct {
	url, db, auth string
}

func trytonLogin(t *testing.T, url, db, user, pass string) *tryton {
	t.Helper()
	c := &tryton{url: url, db: db}
	var pair []any
	c.call(t, &pair, "common.db.login", user, map[string]any{"password": pass}, "en")
	c.auth = "Session " + base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%s:%v:%v", user, pair[0], pair[1])))
	return c
}

func (c *tryton) call(t *testing.T, out any, method string, params ...any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"id": 1, "method": method, "params": params})
	req, _ := http.NewRequest(http.MethodPost, c.url+"/"+c.db+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	var answer struct {
		Result json.RawMessage `json:"result"`
		Error  any             `json:"error"`
	}
	if err := json.Unmarshal(data, &answer); err != nil || answer.Error != nil {
		t.Fatalf("%s: %d %s", method, res.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(answer.Result, out); err != nil {
			t.Fatalf("%s: %v: %s", method, err, answer.Result)
		}
	}
}

// copyTrytonTemplate copies the test server's template database into one
// of the test's own.
func copyTrytonTemplate(t *testing.T, dir, template string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, template+".sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("sbe2e_%d", os.Getpid())
	path := filepath.Join(dir, name+".sqlite")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(path) })
	return name
}

const shopProducts = `[
  {"sku": "CHAIR-OAK", "name": "Oak dining chair", "prices": {"list": "149.95"}},
  {"sku": "CUSHION", "name": "Seat cushion", "prices": {"list": "20.00"}},
  {"sku": "SHIPPING", "name": "Shipping", "prices": {"list": "0"}}
]`

// shopifyToken is the Shopify fake's Admin API access token.
const shopifyToken = "shpat_e2e_token_0123456789"

// newShopify starts the Shopify fake on Shopify's published schema; the
// test skips without the schema, unless SWITCHBOARD_REQUIRE_IT=1.
func newShopify(t *testing.T) (*shopifyfake.Server, string) {
	t.Helper()
	if _, err := os.Stat(schema.Path()); err != nil {
		if os.Getenv("SWITCHBOARD_REQUIRE_IT") == "1" {
			t.Fatalf("Shopify's schema is required: %v", err)
		}
		t.Skipf("Shopify's schema is absent (%v); set %s", err, schema.SpecsEnv)
	}
	s, err := schema.Load(schema.Path())
	if err != nil {
		t.Fatal(err)
	}
	shop := shopifyfake.New(s, shopifyfake.Options{RestoreRate: 1e6}) // the cost bucket has tests of its own
	shop.AddToken(shopifyToken)
	srv := httptest.NewServer(shop)
	t.Cleanup(srv.Close)
	return shop, srv.URL
}

// shopifyOrder is an order as Shopify's Admin API answers it: Jane's two
// oak chairs and a cushion, prices with Germany's 19% VAT, shipped to
// Berlin by DHL Express, paid with iDEAL (386.63 in all).
func shopifyOrder(number, financialStatus string) map[string]any {
	money := func(amount string) map[string]any {
		return map[string]any{"shopMoney": map[string]any{"amount": amount, "currencyCode": "EUR"}}
	}
	line := func(sku, name string, qty int, price, tax string) map[string]any {
		return map[string]any{"sku": sku, "name": name, "title": name, "quantity": qty,
			"originalUnitPriceSet": money(price), "discountedUnitPriceSet": money(price), "totalDiscountSet": money("0.00"),
			"taxLines": []any{map[string]any{"title": "MwSt", "rate": 0.19, "ratePercentage": 19.0, "priceSet": money(tax)}}}
	}
	address := func(line1, zip, city, country string) map[string]any {
		return map[string]any{"firstName": "Jane", "lastName": "van Dijk", "name": "Jane van Dijk", "company": nil, "address1": line1,
			"address2": nil, "city": city, "zip": zip, "provinceCode": nil, "countryCodeV2": country, "phone": nil}
	}
	return map[string]any{"name": "#" + number, "email": "jane@example.com", "currencyCode": "EUR", "taxesIncluded": true,
		"sourceName": "web", "displayFinancialStatus": financialStatus, "paymentGatewayNames": []any{"ideal"},
		"customer":       map[string]any{"id": "gid://shopify/Customer/7411000001", "email": "jane@example.com", "firstName": "Jane", "lastName": "van Dijk", "phone": nil},
		"billingAddress": address("Kerkweg 3", "3511 AA", "Utrecht", "NL"), "shippingAddress": address("Hauptstraße 5", "10115", "Berlin", "DE"),
		"lineItems":        map[string]any{"nodes": []any{line("CHAIR-OAK", "Oak dining chair", 2, "178.44", "56.98"), line("CUSHION", "Seat cushion", 1, "23.80", "3.80")}},
		"shippingLine":     map[string]any{"title": "DHL Express", "code": "dhl-express", "carrierIdentifier": nil, "originalPriceSet": money("5.95")},
		"subtotalPriceSet": money("380.68"), "totalShippingPriceSet": money("5.95"), "totalDiscountsSet": money("0.00"),
		"totalTaxSet": money("61.73"), "totalPriceSet": money("386.63")}
}

// TestShopOrdersIntoTrytonAndItsStockBack: a Shopify store's orders (the
// shopify connector and its default mapping, on the Shopify fake) go into
// a real Tryton through the binary, after the products from the shop's
// catalogue file: confirmed sales with their party, addresses and taxes,
// read back from Tryton. An order changed in Shopify is read again and
// makes no second sale. Tryton's stock, after chairs came in, goes to a
// WooCommerce shop (the woocommerce connector, on its fake).
func TestShopOrdersIntoTrytonAndItsStockBack(t *testing.T) {
	env := requireEnv(t, "SWITCHBOARD_IT_TRYTON_URL", "SWITCHBOARD_IT_TRYTON_DB_DIR", "SWITCHBOARD_IT_TRYTON_TEMPLATE",
		"SWITCHBOARD_IT_TRYTON_USER", "SWITCHBOARD_IT_TRYTON_PASS")
	shopify, shopifyURL := newShopify(t)
	db := copyTrytonTemplate(t, env[1], env[2])
	dir := t.TempDir()
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	writeFile(t, filepath.Join(dir, "sb_data", "files", "shop", "products", "products.json"), shopProducts)
	a := serve(t, dir, nil)
	token := a.superuser(t)
	files := a.create(t, token, "connections", map[string]any{"name": "Shop files", "connector": "folder", "config": map[string]any{"folder": "shop"}})
	shop := a.create(t, token, "connections", map[string]any{"name": "Shopify", "connector": "shopify",
		"config": map[string]any{"shop": shopifyURL}, "secrets": map[string]any{"access_token": shopifyToken}})
	erp := a.create(t, token, "connections", map[string]any{"name": "Tryton", "connector": "tryton",
		"config":  map[string]any{"base_url": env[0], "database": db, "username": env[3]},
		"secrets": map[string]any{"password": env[4]}})
	products := a.flow(t, token, "products to Tryton", "product", files, erp, map[string]any{"options": map[string]any{
		"source": map[string]any{"sub_folder": "products", "format": "json"}, "target": map[string]any{"product_category": "Goods"}}})
	orders := a.flow(t, token, "orders to Tryton", "order", shop, erp, map[string]any{
		// Shopify's shipping line has its price but not its VAT rate.
		"mapping": map[string]any{"in": []any{map[string]any{"target": "shipping_method.tax_rate", "expr": "19"}}},
		"options": map[string]any{"target": map[string]any{"vat_codes": `{"DE": {"19": "DE VAT 19%"}}`, "payment_methods": `{"ideal": "Direct"}`,
			"shipping_sku": "SHIPPING"}}})

	shopify.AddOrder(shopifyOrder("1001", "PAID"))
	pending := shopify.AddOrder(shopifyOrder("1002", "PENDING"))
	a.runFlow(t, token, products)
	waitForTransactions(t, a, token, products, 3)
	a.runFlow(t, token, orders)
	waitForTransactions(t, a, token, orders, 2)

	rpc := trytonLogin(t, env[0], db, env[3], env[4])
	checkTrytonSales(t, rpc, "1001", "1002")

	shopify.UpdateOrder(pending, map[string]any{"displayFinancialStatus": "PAID"})
	shopify.AddOrder(shopifyOrder("1003", "PAID"))
	a.runFlow(t, token, orders)
	waitForTransactions(t, a, token, orders, 4)
	checkTrytonSales(t, rpc, "1001", "1002", "1003")

	receiveChairs(t, rpc, 12)
	// The three sales of two chairs and a cushion wait to be shipped;
	// 12 chairs came in, and no cushions.
	checkStockInWooCommerce(t, a, token, erp, map[string]string{"CHAIR-OAK": "6", "CUSHION": "-3"})
}

// checkStockInWooCommerce runs a flow of Tryton's stock to a WooCommerce
// shop (the connector on its fake) that has its products, leaving out
// the shipping product with a rule, and checks the stock levels that
// landed.
func checkStockInWooCommerce(t *testing.T, a *appliance, token, erp string, want map[string]string) {
	t.Helper()
	woo := woofake.New(wooKey, wooSecret)
	for sku := range want {
		woo.AddProduct(map[string]any{"name": sku, "sku": sku, "regular_price": "10.00", "manage_stock": true, "stock_quantity": json.Number("0")})
	}
	wooSrv := httptest.NewServer(woo)
	defer wooSrv.Close()
	wooConn := a.create(t, token, "connections", map[string]any{"name": "WooCommerce", "connector": "woocommerce",
		"config": map[string]any{"base_url": wooSrv.URL}, "secrets": map[string]any{"consumer_key": wooKey, "consumer_secret": wooSecret}})
	stock := a.flow(t, token, "stock to the shop", "stock", erp, wooConn, map[string]any{
		"options": map[string]any{"source": map[string]any{"warehouse": "WH"}},
		"rules":   []any{map[string]any{"kind": "filter", "when": `sku == "SHIPPING"`, "reason": "shipping is not sold in the shop"}}})
	a.runFlow(t, token, stock)
	waitForTransactions(t, a, token, stock, len(want))
	waitFor(t, "the shipping product's stock to be skipped", func() bool { return a.count(t, token, "flow='"+stock+"' && status='skipped'") == 1 })
	for sku, w := range want {
		if p, _ := woo.Product(sku); fmt.Sprint(p["stock_quantity"]) != w {
			t.Errorf("the shop got %s's stock %v, want %s available", sku, p["stock_quantity"], w)
		}
	}
}

// flow saves an integration of source and target with one flow of entity
// between them, and returns the flow's id; fields add to or replace the
// flow's.
func (a *appliance) flow(t *testing.T, token, name, entity, source, target string, fields map[string]any) string {
	t.Helper()
	integ := a.create(t, token, "integrations", map[string]any{"name": name, "a": source, "b": target, "enabled": true})
	values := map[string]any{"integration": integ, "name": name, "entity": entity, "source": source, "target": target, "enabled": true, "schedule": ""}
	for k, v := range fields {
		values[k] = v
	}
	return a.create(t, token, "flows", values)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkTrytonSales reads the sales back: one confirmed (processing) sale
// per order, Jane's, with its lines taxed at Germany's 19%.
func checkTrytonSales(t *testing.T, rpc *tryton, numbers ...string) {
	t.Helper()
	ctx := map[string]any{"company": 1}
	var sales []map[string]any
	rpc.call(t, &sales, "model.sale.sale.search_read", []any{}, 0, nil, nil,
		[]string{"reference", "state", "party.name", "lines.product.code", "lines.taxes.name", "total_amount", "shipment_address.city"}, ctx)
	seen := map[string]int{}
	for _, s := range sales {
		ref := fmt.Sprint(s["reference"])
		seen[ref]++
		lines, _ := s["lines."].([]any)
		party, _ := s["party."].(map[string]any)
		total, _ := s["total_amount"].(map[string]any)
		if s["state"] != "processing" || party["name"] != "Jane van Dijk" || len(lines) != 3 || total["decimal"] != "386.63" {
			t.Errorf("sale of order %s: %v", ref, s)
		}
	}
	for _, n := range numbers {
		if seen[n] != 1 {
			t.Errorf("order %s made %d sales, want 1", n, seen[n])
		}
	}
	if len(sales) != len(numbers) {
		t.Fatalf("%d sales for %d orders", len(sales), len(numbers))
	}
	var parties int
	rpc.call(t, &parties, "model.party.party.search_count", []any{[]any{"contact_mechanisms.value", "=", "jane@example.com"}}, ctx)
	if parties != 1 {
		t.Fatalf("%d parties for Jane, want 1", parties)
	}
}

// receiveChairs brings chairs into the warehouse, as a done move from a
// supplier.
func receiveChairs(t *testing.T, rpc *tryton, quantity float64) {
	t.Helper()
	ctx := map[string]any{"company": 1}
	var products, from, to, moves []int
	rpc.call(t, &products, "model.product.product.search", []any{[]any{"code", "=", "CHAIR-OAK"}}, 0, 1, nil, ctx)
	rpc.call(t, &from, "model.stock.location.search", []any{[]any{"code", "=", "SUP"}}, 0, 1, nil, ctx)
	rpc.call(t, &to, "model.stock.location.search", []any{[]any{"code", "=", "STO"}}, 0, 1, nil, ctx)
	rpc.call(t, &moves, "model.stock.move.create", []any{map[string]any{"product": products[0], "from_location": from[0], "to_location": to[0],
		"quantity": quantity, "uom": 1, "company": 1, "currency": 1, "unit_price": map[string]any{"__class__": "Decimal", "decimal": "10"}}}, ctx)
	rpc.call(t, nil, "model.stock.move.do", moves, ctx)
}
