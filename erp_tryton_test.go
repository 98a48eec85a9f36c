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
	"strings"
	"sync"
	"testing"
	"time"
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

// stockShop takes the stock levels a flow writes: POST /stock.
type stockShop struct {
	mu     sync.Mutex
	levels map[string]map[string]any
}

func (s *stockShop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var level map[string]any
	if r.Method != http.MethodPost || r.URL.Path != "/api/stock" || json.NewDecoder(r.Body).Decode(&level) != nil {
		http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.levels[fmt.Sprint(level["sku"])] = level
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = fmt.Fprintf(w, `{"id": %q}`, level["sku"])
}

func (s *stockShop) level(sku string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.levels[sku]
}

const shopProducts = `[
  {"sku": "CHAIR-OAK", "name": "Oak dining chair", "prices": {"list": "149.95"}},
  {"sku": "CUSHION", "name": "Seat cushion", "prices": {"list": "20.00"}},
  {"sku": "SHIPPING", "name": "Shipping", "prices": {"list": "0"}}
]`

func shopOrders(numbers ...string) string {
	var orders []string
	for _, n := range numbers {
		orders = append(orders, fmt.Sprintf(`{"number": %q, "currency": "EUR", "ordered_at": "%d-05-01T10:15:00+02:00",
  "customer": {"email": "jane@example.com", "first_name": "Jane", "last_name": "van Dijk"},
  "billing": {"name": "Jane van Dijk", "line1": "Kerkweg 3", "postcode": "3511 AA", "city": "Utrecht", "country": "NL"},
  "shipping": {"name": "Jane van Dijk", "line1": "Hauptstraße 5", "postcode": "10115", "city": "Berlin", "country": "DE"},
  "lines": [{"sku": "CHAIR-OAK", "name": "Oak dining chair", "quantity": "2", "unit_price": "149.95", "tax_rate": "19"},
            {"sku": "CUSHION", "name": "Seat cushion", "quantity": "1", "unit_price": "20.00", "tax_rate": "19"}],
  "shipping_method": {"name": "DHL Express", "cost": "5.00", "tax_rate": "19"},
  "payment": {"method": "ideal", "status": "paid"}, "totals": {"total": "386.63"}}`, n, time.Now().Year()))
	}
	return "[" + strings.Join(orders, ",\n") + "]"
}

// TestShopOrdersIntoTrytonAndItsStockBack: products and orders from a
// shop's files go into a real Tryton through the binary, the orders as
// confirmed sales with their party, addresses and taxes, read back from
// Tryton; the same orders sent again (a new file, so the engine knows no
// xref) make no second sale; and Tryton's stock, after chairs came in,
// goes to a shop's API.
func TestShopOrdersIntoTrytonAndItsStockBack(t *testing.T) {
	env := requireEnv(t, "SWITCHBOARD_IT_TRYTON_URL", "SWITCHBOARD_IT_TRYTON_DB_DIR", "SWITCHBOARD_IT_TRYTON_TEMPLATE",
		"SWITCHBOARD_IT_TRYTON_USER", "SWITCHBOARD_IT_TRYTON_PASS")
	db := copyTrytonTemplate(t, env[1], env[2])
	dir := t.TempDir()
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	files := filepath.Join(dir, "sb_data", "files", "shop")
	for name, content := range map[string]string{"products/products.json": shopProducts, "orders/orders-1.json": shopOrders("1001", "1002")} {
		writeFile(t, filepath.Join(files, name), content)
	}
	a := serve(t, dir, nil)
	token := a.superuser(t)
	shop := a.create(t, token, "connections", map[string]any{"name": "Shop files", "connector": "folder", "config": map[string]any{"folder": "shop"}})
	erp := a.create(t, token, "connections", map[string]any{"name": "Tryton", "connector": "tryton",
		"config":  map[string]any{"base_url": env[0], "database": db, "username": env[3]},
		"secrets": map[string]any{"password": env[4]}})
	integ := a.create(t, token, "integrations", map[string]any{"name": "Shop <-> Tryton", "a": shop, "b": erp, "enabled": true})
	flow := func(name, entity, source, target string, options map[string]any) string {
		return a.create(t, token, "flows", map[string]any{"integration": integ, "name": name, "entity": entity,
			"source": source, "target": target, "enabled": true, "schedule": "", "options": options})
	}
	products := flow("products to Tryton", "product", shop, erp, map[string]any{
		"source": map[string]any{"sub_folder": "products", "format": "json"}, "target": map[string]any{"product_category": "Goods"}})
	orders := flow("orders to Tryton", "order", shop, erp, map[string]any{
		"source": map[string]any{"sub_folder": "orders", "format": "json"},
		"target": map[string]any{"vat_codes": `{"DE": {"19": "DE VAT 19%"}}`, "payment_methods": `{"ideal": "Direct"}`, "shipping_sku": "SHIPPING"}})

	a.runFlow(t, token, products)
	waitForTransactions(t, a, token, products, 3)
	a.runFlow(t, token, orders)
	waitForTransactions(t, a, token, orders, 2)

	rpc := trytonLogin(t, env[0], db, env[3], env[4])
	checkTrytonSales(t, rpc, "1001", "1002")

	writeFile(t, filepath.Join(files, "orders", "orders-2.json"), shopOrders("1001", "1002", "1003"))
	a.runFlow(t, token, orders)
	waitForTransactions(t, a, token, orders, 5)
	checkTrytonSales(t, rpc, "1001", "1002", "1003")

	receiveChairs(t, rpc, 12)
	levels := &stockShop{levels: map[string]map[string]any{}}
	shopAPI := httptest.NewServer(levels)
	defer shopAPI.Close()
	api := a.create(t, token, "connections", map[string]any{"name": "Shop API", "connector": "rest", "config": map[string]any{
		"base_url": shopAPI.URL + "/api", "auth": "none", "entities": `{"stock": {"create": {"path": "stock"}, "id": "id", "key": ["sku"]}}`}})
	integ2 := a.create(t, token, "integrations", map[string]any{"name": "Tryton -> shop", "a": erp, "b": api, "enabled": true})
	stock := a.create(t, token, "flows", map[string]any{"integration": integ2, "name": "stock to the shop", "entity": "stock",
		"source": erp, "target": api, "enabled": true, "schedule": "", "options": map[string]any{"source": map[string]any{"warehouse": "WH"}}})
	a.runFlow(t, token, stock)
	waitForTransactions(t, a, token, stock, 2)
	// 12 chairs came in; the three sales of two chairs wait to be shipped.
	if chairs := levels.level("CHAIR-OAK"); fmt.Sprint(chairs["quantity"]) != "6.0" || chairs["location"] != "WH" {
		t.Fatalf("the shop got the chairs' stock %v, want 6.0 available in WH", chairs)
	}
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
