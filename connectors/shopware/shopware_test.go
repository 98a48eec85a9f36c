package shopware

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
	"github.com/switchboard-app/switchboard/connectors/shopware/shopwaretest"
)

var registration = connectors.Registration{Spec: Spec, New: New}

// TestConformance runs the conformance suite: reading orders, writing
// products and stock, against the fake of Shopware's own Admin API spec.
func TestConformance(t *testing.T) {
	t.Run("orders", func(t *testing.T) {
		shop := shopwaretest.New(t)
		conntest.Run(t, conntest.Suite{Registration: registration, Config: shop.Config(), Secrets: shop.Secrets(),
			BadSecrets: map[string]string{"client_secret": "not-the-secret-4711"}, Entity: connectors.Order,
			ReadOptions: map[string]any{"order_states": ""}, Rereads: 1,
			Seed: func(t *testing.T, n int) {
				for i := range n {
					shop.Add(shopwaretest.Orders, anOrder(t, 20000+i, "open", fmt.Sprintf("2025-03-0%dT10:00:00.000+00:00", i+1)))
				}
			}})
	})
	t.Run("products", func(t *testing.T) {
		shop := shopwaretest.New(t)
		sample := map[string]any{"productNumber": "CBL-3M", "name": "Speaker cable 3 m", "stock": 5, "active": true, "taxId": 21,
			"price": []any{map[string]any{"currencyId": "EUR", "gross": 12.95, "net": 10.7, "linked": true}}}
		conntest.Run(t, conntest.Suite{Registration: registration, Config: shop.Config(), Secrets: shop.Secrets(),
			Entity: connectors.Product, Sample: sample, Written: func(t *testing.T, id string) map[string]any {
				p, _ := shop.Get(shopwaretest.Products, id)
				kept := only(p, sample)
				kept["taxId"], kept["price"] = sample["taxId"], sample["price"] // the fake holds the ids the connector found
				if p["taxId"] != shopwaretest.ID("tax-21") || !strings.Contains(fmt.Sprint(p["price"]), shopwaretest.ID("EUR")) {
					t.Errorf("the product holds %v, %v; want the ids of 21%% and EUR", p["taxId"], p["price"])
				}
				return kept
			}})
	})
	t.Run("stock", func(t *testing.T) {
		shop := shopwaretest.New(t)
		shop.AddProduct("CBL-3M", "Speaker cable 3 m", 0)
		sample := map[string]any{"productNumber": "CBL-3M", "stock": 125}
		conntest.Run(t, conntest.Suite{Registration: registration, Config: shop.Config(), Secrets: shop.Secrets(),
			Entity: connectors.Stock, Sample: sample, Written: func(t *testing.T, id string) map[string]any {
				p, _ := shop.Get(shopwaretest.Products, id)
				return only(p, sample)
			}})
	})
}

func only(rec, like map[string]any) map[string]any {
	out := map[string]any{}
	for k := range like {
		out[k] = rec[k]
	}
	return out
}

// TestIncrementalOrderReads: the first run reads the orders of the states
// asked for changed from the flow's date on (by their creation when never
// changed), page by page; the next what changed since, with the overlap.
func TestIncrementalOrderReads(t *testing.T) {
	shop := shopwaretest.New(t)
	for i, o := range []map[string]any{
		anOrder(t, 1, "open", "2024-12-30T10:00:00.000+00:00"),
		anOrder(t, 2, "open", "2025-01-02T10:00:00.000+00:00"),
		anOrder(t, 3, "cancelled", "2025-01-03T10:00:00.000+00:00"),
		anOrder(t, 4, "in_progress", "2025-01-04T10:00:00.000+00:00"),
		anOrder(t, 5, "open", ""),
	} {
		o["createdAt"] = fmt.Sprintf("2024-12-2%dT10:00:00.000+00:00", i)
		if o["updatedAt"] == "" {
			o["updatedAt"], o["createdAt"] = nil, "2025-01-05T10:00:00.000+00:00" // never changed since it was made
		}
		shop.Add(shopwaretest.Orders, o)
	}
	c := open(t, shop)
	opts := options(t, connectors.UseRead, map[string]any{"order_states": "open, in_progress", "from_date": "2025-01-01"})
	keys, cursor := readAll(t, c, connectors.Order, "", opts, 2)
	if got := strings.Join(keys, ","); got != "2,4,5" {
		t.Fatalf("the first run read %s, want 2,4,5", got)
	}
	changed := anOrder(t, 2, "in_progress", "2025-01-08T09:00:00.000+00:00")
	changed["createdAt"] = "2024-12-21T10:00:00.000+00:00"
	shop.Add(shopwaretest.Orders, changed)
	keys, _ = readAll(t, c, connectors.Order, cursor, opts, 2)
	if got := strings.Join(keys, ","); got != "2,5" {
		t.Fatalf("the next run read %s, want the order changed since and the last run's latest (the overlap)", got)
	}
}

// TestReadsCustomersProductsAndStock: every entity reads, stock of a
// warehouse by its name.
func TestReadsCustomersProductsAndStock(t *testing.T) {
	shop := shopwaretest.New(t)
	shop.Add(shopwaretest.Customers, goldenInput(t, "customer.in").(map[string]any))
	for _, p := range goldenInput(t, "product.in").([]any) {
		shop.Add(shopwaretest.Products, p.(map[string]any))
	}
	shop.Add(shopwaretest.Warehouses, map[string]any{"id": shopwaretest.ID("wh-tilburg"), "name": "Tilburg"})
	shop.Add(shopwaretest.ProductWarehouses, map[string]any{"id": shopwaretest.ID("pw-1"), "productId": shopwaretest.ID("prod-CBL-3M"),
		"warehouseId": shopwaretest.ID("wh-tilburg"), "stock": 40})
	c := open(t, shop)
	for _, tc := range []struct {
		entity connectors.Entity
		opts   map[string]any
		want   string
	}{
		{connectors.Customer, nil, "Anna.de.Vries@example.nl"},
		{connectors.Product, nil, "CBL-3M,HP-20"},
		{connectors.Stock, nil, "CBL-3M,HP-20"},
		{connectors.Stock, map[string]any{"warehouse": "Tilburg"}, "CBL-3M"},
	} {
		keys, _ := readAll(t, c, tc.entity, "", options(t, connectors.UseRead, tc.opts), 10)
		if got := strings.Join(keys, ","); got != tc.want {
			t.Errorf("%s %v read %q, want %q", tc.entity, tc.opts, got, tc.want)
		}
	}
}

// TestFindByKey: products by number, orders by number, shipments as the
// delivery of the order with the number.
func TestFindByKey(t *testing.T) {
	shop := shopwaretest.New(t)
	p := shop.AddProduct("CBL-3M", "Speaker cable 3 m", 3)
	shop.Add(shopwaretest.Orders, anOrder(t, 10023, "open", "2025-01-02T10:00:00.000+00:00"))
	c := open(t, shop)
	for _, tc := range []struct {
		entity   connectors.Entity
		key, id  string
		notFound string
	}{
		{connectors.Product, "CBL-3M", p["id"].(string), "NOPE-1"},
		{connectors.Order, "10023", shopwaretest.ID("order-10023"), "99999"},
		{connectors.Shipment, "10023", shopwaretest.ID("delivery-10023"), "99999"},
	} {
		if id, found, err := c.FindByKey(ctx(t), tc.entity, tc.key); err != nil || !found || id != tc.id {
			t.Errorf("FindByKey(%s, %s) = %q, %v, %v; want %s", tc.entity, tc.key, id, found, err, tc.id)
		}
		if id, found, err := c.FindByKey(ctx(t), tc.entity, tc.notFound); err != nil || found {
			t.Errorf("FindByKey(%s, %s) = %q, %v, %v; want not found", tc.entity, tc.notFound, id, found, err)
		}
	}
}

// TestProductReferencesAndPolicy: a product's tax rate and currency are
// found by name, or the write says what to do; an update overwrites only
// what the policy allows.
func TestProductReferencesAndPolicy(t *testing.T) {
	shop := shopwaretest.New(t)
	c := open(t, shop)
	price := func(cur string) []any {
		return []any{map[string]any{"currencyId": cur, "gross": 10, "net": 8.26, "linked": true}}
	}
	write := func(target string, data map[string]any, opts map[string]any) (connectors.WriteResult, error) {
		return c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, TargetID: target, Key: "k", IdempotencyKey: "tx-" + target,
			Data: data, Options: options(t, connectors.UseWrite, opts)})
	}
	for _, tc := range []struct {
		data map[string]any
		want string
	}{
		{map[string]any{"productNumber": "A-1", "name": "A", "taxId": 7, "price": price("EUR")},
			"product A-1: Shopware 6 has no tax rate of 7%; add it under Settings > Shop > Tax"},
		{map[string]any{"productNumber": "A-1", "name": "A", "taxId": 21, "price": price("CHF")},
			"product A-1: Shopware 6 has no currency CHF; add it under Settings > Shop > Currencies"},
		{map[string]any{"productNumber": "A-1", "name": "A", "price": price("EUR")},
			"product A-1 has no tax rate: Shopware 6 needs one for a new product"},
	} {
		if _, err := write("", tc.data, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
	created, err := write("", map[string]any{"productNumber": "A-1", "name": "Lamp", "description": "From the ERP", "taxId": 21, "price": price("EUR")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	shopProduct, _ := shop.Get(shopwaretest.Products, created.TargetID)
	shopProduct["description"] = "Written by the marketing team"
	shop.Add(shopwaretest.Products, shopProduct)
	_, err = write(created.TargetID, map[string]any{"productNumber": "A-1", "name": "LAMP", "description": "From the ERP", "taxId": 21, "price": price("EUR"), "stock": 9},
		map[string]any{"update_fields": "price, stock"})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := shop.Get(shopwaretest.Products, created.TargetID)
	if p["description"] != "Written by the marketing team" || p["name"] != "Lamp" || fmt.Sprint(p["stock"]) != "9" {
		t.Fatalf("after the update the product is %v; want the new stock, and the name and description kept", p)
	}
}

// TestStockOfMissingProductsFailsAlone: in a batch of stock, the record of
// a number the shop does not know fails with what to do; the others are
// saved with one sync call; a warehouse is written by its name.
func TestStockOfMissingProductsFailsAlone(t *testing.T) {
	shop := shopwaretest.New(t)
	a1, a3 := shop.AddProduct("A-1", "A", 0), shop.AddProduct("A-3", "C", 0)
	shop.Add(shopwaretest.Warehouses, map[string]any{"id": shopwaretest.ID("wh-tilburg"), "name": "Tilburg"})
	c := open(t, shop)
	write := func(warehouse string, skus ...string) []error {
		errs := make([]error, len(skus))
		done := make(chan bool)
		for i, sku := range skus {
			go func() {
				_, errs[i] = c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Stock, Key: sku,
					Options: options(t, connectors.UseWrite, map[string]any{"warehouse": warehouse}),
					Data:    map[string]any{"productNumber": sku, "stock": 7}})
				done <- true
			}()
		}
		for range skus {
			<-done
		}
		return errs
	}
	errs := write("", "A-1", "A-2", "A-3")
	want := "product A-2 does not exist in Shopware 6; add it there (or let a product flow into this shop create it), then retry"
	if errs[0] != nil || errs[2] != nil || errs[1] == nil || errs[1].Error() != want {
		t.Fatalf("errors %v; want only A-2's: %q", errs, want)
	}
	for _, p := range []map[string]any{a1, a3} {
		if got, _ := shop.Get(shopwaretest.Products, p["id"].(string)); fmt.Sprint(got["stock"]) != "7" {
			t.Errorf("%v's stock is %v", p["productNumber"], got["stock"])
		}
	}
	if errs := write("Tilburg", "A-1"); errs[0] != nil {
		t.Fatal(errs[0])
	}
	if _, entry, ok := shop.Store.Find(shopwaretest.ProductWarehouses, func(e map[string]any) bool { return e["productId"] == a1["id"] }); !ok || fmt.Sprint(entry["stock"]) != "7" {
		t.Fatalf("the warehouse's stock of A-1 is %v", entry)
	}
	if errs := write("Rotterdam", "A-1"); errs[0] == nil || !strings.Contains(errs[0].Error(), "warehouse Rotterdam does not exist in Shopware 6") {
		t.Fatalf("a missing warehouse gave %v", errs[0])
	}
}

// TestARefusedStockRowFailsAlone: when Shopware refuses one row of a
// batch's sync call (and so writes none of it), only that row's record
// fails, naming its product; the others are written.
func TestARefusedStockRowFailsAlone(t *testing.T) {
	for _, tc := range []struct {
		name string
		bad  map[string]any // stock by number of the refused rows
	}{
		{"one refused row", map[string]any{"A-3": "seven"}},
		{"two refused rows", map[string]any{"A-1": "seven", "A-5": nil}},
		{"every row refused", map[string]any{"A-1": "x", "A-2": "x", "A-3": "x", "A-4": "x", "A-5": "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shop := shopwaretest.New(t)
			skus := []string{"A-1", "A-2", "A-3", "A-4", "A-5"}
			for _, sku := range skus {
				shop.AddProduct(sku, sku, 0)
			}
			c := open(t, shop)
			errs := make([]error, len(skus))
			var wg sync.WaitGroup
			for i, sku := range skus {
				stock, refused := tc.bad[sku]
				if !refused {
					stock = 7
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Stock, Key: sku,
						Options: options(t, connectors.UseWrite, nil), Data: map[string]any{"productNumber": sku, "stock": stock}})
				}()
			}
			wg.Wait()
			for i, sku := range skus {
				p, _ := shop.ProductByNumber(sku)
				if _, refused := tc.bad[sku]; refused {
					if errs[i] == nil || !strings.Contains(errs[i].Error(), "stock of product "+sku+": ") || !strings.Contains(errs[i].Error(), "stock") {
						t.Errorf("%s: error %v; want one naming the product", sku, errs[i])
					}
					if fmt.Sprint(p["stock"]) != "0" {
						t.Errorf("%s's refused stock was written: %v", sku, p["stock"])
					}
					continue
				}
				if errs[i] != nil || fmt.Sprint(p["stock"]) != "7" {
					t.Errorf("%s: error %v, stock %v; want it written", sku, errs[i], p["stock"])
				}
			}
		})
	}
}

// TestTrackingCodesAndStates: a shipment adds its tracking code to the
// order's delivery and ships it, once; an order's status takes it through
// Shopware's state machine; missing orders and impossible moves say so.
func TestTrackingCodesAndStates(t *testing.T) {
	shop := shopwaretest.New(t)
	shop.Add(shopwaretest.Orders, anOrder(t, 10023, "open", "2025-01-02T10:00:00.000+00:00"))
	c := open(t, shop)
	opts := options(t, connectors.UseWrite, nil)
	ship := func(codes ...any) error {
		_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Shipment, Key: "10023", Options: opts,
			Data: map[string]any{"orderNumber": "10023", "trackingCodes": codes, "state": "shipped"}})
		return err
	}
	if err := ship("3SABC1"); err != nil {
		t.Fatal(err)
	}
	if err := ship("3SABC1", "3SABC2"); err != nil {
		t.Fatal(err)
	}
	o, _ := shop.Get(shopwaretest.Orders, shopwaretest.ID("order-10023"))
	d := o["deliveries"].([]any)[0].(map[string]any)
	if fmt.Sprint(d["trackingCodes"]) != "[3SABC1 3SABC2]" || d["stateMachineState"].(map[string]any)["technicalName"] != "shipped" {
		t.Fatalf("the delivery is %v", d)
	}
	state := func(number, to string) error {
		_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: number, Options: opts,
			Data: map[string]any{"orderNumber": number, "state": to}})
		return err
	}
	if err := state("10023", "completed"); err != nil {
		t.Fatal(err)
	}
	if o, _ := shop.Get(shopwaretest.Orders, shopwaretest.ID("order-10023")); o["stateMachineState"].(map[string]any)["technicalName"] != "completed" {
		t.Fatalf("the order is %v", o["stateMachineState"])
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{state("99999", "completed"), "order 99999 does not exist in Shopware 6; Switchboard changes the state of orders there, it does not create them"},
		{state("10023", "in_progress"), ""},
		{state("10023", "open"), "order 10023 cannot go from in_progress to open"},
	} {
		if (tc.want == "") != (tc.err == nil) || (tc.err != nil && !strings.Contains(tc.err.Error(), tc.want)) {
			t.Errorf("got %v, want %q", tc.err, tc.want)
		}
	}
}

// TestVerdictsAndTokens: the connection test signs in with the access key
// and names the version, or says why not; an expired token is renewed
// once.
func TestVerdictsAndTokens(t *testing.T) {
	shop := shopwaretest.New(t)
	c := open(t, shop)
	if res, err := c.Test(ctx(t)); err != nil || !res.OK || res.Message != "connected to Shopware 6.7.10.1" {
		t.Fatalf("Test = %+v, %v", res, err)
	}
	shop.ExpireTokens()
	if res, _ := c.Test(ctx(t)); !res.OK || shop.Logins != 2 {
		t.Fatalf("after the token expired: %+v with %d logins; want a new token", res, shop.Logins)
	}
	cfg, _ := Spec.ResolveAndValidate(shop.Config(), map[string]string{"client_secret": "wrong-secret-1234"}, env)
	bad, _ := New(cfg, env)
	res, _ := bad.Test(ctx(t))
	if res.OK || !strings.Contains(res.Message, "login refused: POST /api/oauth/token: 401 Unauthorized: The user credentials were incorrect.") {
		t.Fatalf("with a wrong secret: %+v", res)
	}
}

// TestARateLimitPausesTheRead: a 429 is a pause with its Retry-After.
func TestARateLimitPausesTheRead(t *testing.T) {
	shop := shopwaretest.New(t)
	shop.Handle("POST /search/order", func(*spectest.Call) spectest.Reply {
		return spectest.Reply{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"9"}},
			Body: map[string]any{"errors": []any{map[string]any{"status": "429", "title": "Too Many Requests"}}}}
	})
	c := open(t, shop)
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: connectors.Order, Options: options(t, connectors.UseRead, nil)})
	if err != nil {
		t.Fatal(err)
	}
	if wait, limited := connectors.IsRateLimited(func() error { _, err := stream.Next(ctx(t)); return err }()); !limited || wait != 9*time.Second {
		t.Fatalf("want a rate limit of 9s, got %v, %v", wait, limited)
	}
}
