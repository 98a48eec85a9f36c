package adobecommerce

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/adobecommerce/adobetest"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

var registration = connectors.Registration{Spec: Spec, New: New}

// TestConformance runs the conformance suite: reading orders, writing
// products and stock, against the fake of Adobe's own spec.
func TestConformance(t *testing.T) {
	t.Run("orders", func(t *testing.T) {
		shop := adobetest.New(t)
		conntest.Run(t, conntest.Suite{Registration: registration, Config: shop.Config(), Secrets: shop.Secrets(),
			BadSecrets: map[string]string{"access_token": "not-the-token-4711"}, Entity: connectors.Order,
			ReadOptions: map[string]any{"order_statuses": ""}, Rereads: 1,
			Seed: func(t *testing.T, n int) {
				for i := range n {
					shop.AddOrder(anOrder(100+i, "processing", "processing", fmt.Sprintf("2025-03-0%d 10:00:00", i+1), "CBL-3M"))
				}
			}})
	})
	t.Run("products", func(t *testing.T) {
		shop := adobetest.New(t)
		sample := map[string]any{"sku": "CBL-3M", "name": "Speaker cable 3 m", "price": 12.95, "status": 1, "visibility": 4,
			"type_id": "simple", "attribute_set_id": 4,
			"custom_attributes": []any{map[string]any{"attribute_code": "description", "value": "Copper."}}}
		conntest.Run(t, conntest.Suite{Registration: registration, Config: shop.Config(), Secrets: shop.Secrets(),
			Entity: connectors.Product, Sample: sample, Written: func(t *testing.T, sku string) map[string]any {
				p, _ := shop.Product(sku)
				return only(p, sample)
			}})
	})
	t.Run("stock", func(t *testing.T) {
		shop := adobetest.New(t)
		shop.AddProduct(map[string]any{"sku": "CBL-3M", "name": "Speaker cable 3 m", "price": 12.95})
		sample := map[string]any{"sku": "CBL-3M", "quantity": 125, "status": 1}
		conntest.Run(t, conntest.Suite{Registration: registration, Config: shop.Config(), Secrets: shop.Secrets(),
			Entity: connectors.Stock, Sample: sample, Written: func(t *testing.T, id string) map[string]any {
				source, sku, _ := strings.Cut(id, "/")
				item, _ := shop.SourceItem(source, sku)
				return only(item, sample)
			}})
	})
}

// only is rec with the keys of like alone.
func only(rec, like map[string]any) map[string]any {
	out := map[string]any{}
	for k := range like {
		out[k] = rec[k]
	}
	return out
}

// TestIncrementalOrderReads: the first run reads the orders of the
// statuses asked for changed from the flow's date on, page by page until
// the total (the shop answers a page past the end with the last page
// again); the next reads what changed since, with the overlap.
func TestIncrementalOrderReads(t *testing.T) {
	shop := adobetest.New(t)
	for _, o := range []map[string]any{
		anOrder(1, "processing", "processing", "2024-12-30 10:00:00", "A"), // before the flow's date
		anOrder(2, "processing", "processing", "2025-01-02 10:00:00", "A"),
		anOrder(3, "new", "pending", "2025-01-03 10:00:00", "A"), // not a status read
		anOrder(4, "processing", "processing", "2025-01-04 10:00:00", "A"),
		anOrder(5, "complete", "complete", "2025-01-05 10:00:00", "A"),
		anOrder(6, "processing", "processing", "2025-01-06 10:00:00", "A"),
		anOrder(7, "processing", "processing", "2025-01-07 10:00:00", "A"),
	} {
		shop.AddOrder(o)
	}
	c := open(t, shop)
	opts := options(t, connectors.UseRead, map[string]any{"order_statuses": "processing, complete", "from_date": "2025-01-01"})
	keys, cursor := readAll(t, c, connectors.Order, "", opts, 2)
	if got := strings.Join(keys, ","); got != "000000002,000000004,000000005,000000006,000000007" {
		t.Fatalf("the first run read %s", got)
	}
	if pages := countCalls(shop, "GET /rest/all/V1/orders?"); pages != 3 {
		t.Fatalf("the first run asked for %d pages of 2 for 5 orders, want 3: %q", pages, shop.Calls())
	}
	changed := anOrder(4, "processing", "processing", "2025-01-08 09:00:00", "A")
	shop.AddOrder(changed)
	keys, _ = readAll(t, c, connectors.Order, cursor, opts, 2)
	if got := strings.Join(keys, ","); got != "000000004,000000007" {
		t.Fatalf("the next run read %s, want the order changed since and, within the overlap, the last run's latest "+
			"(which the engine's delta hash skips)", got)
	}
	last := shop.Calls()[len(shop.Calls())-1]
	if !strings.Contains(last, "2025-01-07+09%3A59%3A00") {
		t.Fatalf("the next run asked %s, want changes since the last one seen less a minute", last)
	}
}

func countCalls(shop *adobetest.Shop, prefix string) int {
	n := 0
	for _, c := range shop.Calls() {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

// TestReadsCustomersProductsAndStock: the other entities read, stock
// from the flow's source only, each with its key.
func TestReadsCustomersProductsAndStock(t *testing.T) {
	shop := adobetest.New(t)
	shop.AddCustomer(map[string]any{"id": 7, "email": "anna@example.nl", "firstname": "Anna", "lastname": "de Vries",
		"created_at": "2025-01-02 10:00:00", "updated_at": "2025-01-02 10:00:00"})
	shop.AddProduct(map[string]any{"sku": "CBL-3M", "name": "Speaker cable 3 m", "price": 12.95})
	shop.AddSource("tilburg")
	shop.AddSourceItem(map[string]any{"sku": "CBL-3M", "source_code": "tilburg", "quantity": 125, "status": 1})
	shop.AddSourceItem(map[string]any{"sku": "CBL-3M", "source_code": "default", "quantity": 4, "status": 1})
	c := open(t, shop)
	for entity, want := range map[connectors.Entity]string{connectors.Customer: "anna@example.nl", connectors.Product: "CBL-3M", connectors.Stock: "CBL-3M"} {
		keys, _ := readAll(t, c, entity, "", options(t, connectors.UseRead, map[string]any{"source_code": "tilburg"}), 10)
		if got := strings.Join(keys, ","); got != want {
			t.Errorf("%s read %q, want %q", entity, got, want)
		}
	}
}

// TestPagedReadsAreSorted: every entity is read page by page in a stable
// order, so that no record is skipped or read twice when the shop's
// default order changes between the pages.
func TestPagedReadsAreSorted(t *testing.T) {
	shop := adobetest.New(t)
	want := map[connectors.Entity][]string{}
	for i := 1; i <= 7; i++ {
		at := fmt.Sprintf("2025-01-02 10:00:%02d", i)
		email, sku := fmt.Sprintf("buyer%d@example.nl", i), fmt.Sprintf("SKU-%d", i)
		shop.AddOrder(anOrder(100+i, "processing", "processing", at, "CBL-3M"))
		shop.AddCustomer(map[string]any{"id": i, "email": email, "firstname": "Anna", "lastname": "de Vries",
			"created_at": at, "updated_at": at})
		shop.AddProduct(map[string]any{"sku": sku, "name": "Product " + sku, "price": 12.95})
		shop.AddSourceItem(map[string]any{"sku": sku, "source_code": "default", "quantity": i, "status": 1})
		want[connectors.Order] = append(want[connectors.Order], fmt.Sprintf("%09d", 100+i))
		want[connectors.Customer] = append(want[connectors.Customer], email)
		want[connectors.Product] = append(want[connectors.Product], sku)
		want[connectors.Stock] = append(want[connectors.Stock], sku)
	}
	c := open(t, shop)
	for _, entity := range []connectors.Entity{connectors.Order, connectors.Customer, connectors.Product, connectors.Stock} {
		t.Run(string(entity), func(t *testing.T) {
			keys, _ := readAll(t, c, entity, "", options(t, connectors.UseRead, nil), 3)
			sort.Strings(keys)
			if got, exp := strings.Join(keys, ","), strings.Join(want[entity], ","); got != exp {
				t.Errorf("read %s, want each once: %s", got, exp)
			}
		})
	}
}

// TestAProductIsFoundBySKU: the engine asks before creating, so a
// product the shop has already is updated, not made twice.
func TestAProductIsFoundBySKU(t *testing.T) {
	shop := adobetest.New(t)
	shop.AddProduct(map[string]any{"sku": "CBL-3M", "name": "Speaker cable 3 m", "price": 12.95})
	c := open(t, shop)
	if id, found, err := c.FindByKey(ctx(t), connectors.Product, "CBL-3M"); err != nil || !found || id != "CBL-3M" {
		t.Fatalf("FindByKey(CBL-3M) = %q, %v, %v", id, found, err)
	}
	if id, found, err := c.FindByKey(ctx(t), connectors.Product, "NOPE-1"); err != nil || found {
		t.Fatalf("FindByKey(NOPE-1) = %q, %v, %v; want not found", id, found, err)
	}
}

// TestUpdatePolicyKeepsEnrichedFields: an update overwrites only what the
// flow's policy allows, so the description written in the shop stays; a
// create sends the fields the flow syncs.
func TestUpdatePolicyKeepsEnrichedFields(t *testing.T) {
	shop := adobetest.New(t)
	shop.AddProduct(map[string]any{"sku": "CBL-3M", "name": "Speaker cable 3 m", "price": 12.95,
		"custom_attributes": []any{map[string]any{"attribute_code": "description", "value": "Written by the marketing team."}}})
	c := open(t, shop)
	opts := options(t, connectors.UseWrite, map[string]any{"update_fields": "price, status"})
	data := map[string]any{"sku": "CBL-3M", "name": "CABLE 3M", "price": 13.5, "status": 1,
		"custom_attributes": []any{map[string]any{"attribute_code": "description", "value": "Cable"}}}
	if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, TargetID: "CBL-3M", Key: "CBL-3M", Data: data, Options: opts}); err != nil {
		t.Fatal(err)
	}
	p, _ := shop.Product("CBL-3M")
	if fmt.Sprint(p["price"]) != "13.5" || p["name"] != "Speaker cable 3 m" || !strings.Contains(fmt.Sprint(p["custom_attributes"]), "marketing") {
		t.Fatalf("after the update the product is %v; want the new price, and the name and description kept", p)
	}
	data = map[string]any{"sku": "HP-20", "name": "Headphones", "price": 59, "weight": 0.3}
	opts = options(t, connectors.UseWrite, map[string]any{"sync_fields": "name, price"})
	if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Key: "HP-20", Data: data, Options: opts}); err != nil {
		t.Fatal(err)
	}
	if p, _ := shop.Product("HP-20"); p["name"] != "Headphones" || p["weight"] != nil {
		t.Fatalf("a create of the fields name and price made %v", p)
	}
}

// TestStockOfAMissingProductFailsAlone: in a batch of stock, the record
// of a SKU the shop does not know fails with what to do, and no source
// item is saved for it; the others are saved.
func TestStockOfAMissingProductFailsAlone(t *testing.T) {
	shop := adobetest.New(t)
	for _, sku := range []string{"A-1", "A-3"} {
		shop.AddProduct(map[string]any{"sku": sku, "name": sku, "price": 1})
	}
	c := open(t, shop)
	opts := options(t, connectors.UseWrite, nil)
	errs := make([]error, 3)
	done := make(chan int)
	for i, sku := range []string{"A-1", "A-2", "A-3"} {
		go func() {
			_, errs[i] = c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Stock, Key: sku, Options: opts,
				Data: map[string]any{"sku": sku, "quantity": 5, "status": 1}})
			done <- i
		}()
	}
	for range 3 {
		<-done
	}
	if errs[0] != nil || errs[2] != nil {
		t.Fatalf("the known SKUs failed: %v, %v", errs[0], errs[2])
	}
	want := "product A-2 does not exist in Adobe Commerce; add it there (or let a product flow into this shop create it), then retry"
	if errs[1] == nil || errs[1].Error() != want {
		t.Fatalf("the unknown SKU gave %v, want %q", errs[1], want)
	}
	if class, _ := connectors.Classify(errs[1]); class != connectors.ClassPermanent {
		t.Fatalf("the unknown SKU's error is %v, want permanent", class)
	}
	if _, saved := shop.SourceItem("default", "A-2"); saved {
		t.Fatal("a source item was saved for a product the shop does not have")
	}
	if item, _ := shop.SourceItem("default", "A-3"); fmt.Sprint(item["quantity"]) != "5" {
		t.Fatalf("A-3's source item is %v", item)
	}
}

// TestStockWithoutAQuantityFailsAlone: Adobe Commerce refuses a whole
// call of source items for one without a numeric quantity, naming the
// field but not the item; such a record fails alone, naming its SKU and
// the field, and the others of its batch are saved.
func TestStockWithoutAQuantityFailsAlone(t *testing.T) {
	for _, tc := range []struct {
		name string
		data map[string]any
	}{
		{"no quantity", map[string]any{"sku": "A-2", "status": 0}},
		{"a null quantity", map[string]any{"sku": "A-2", "quantity": nil, "status": 0}},
		{"a quantity that is no number", map[string]any{"sku": "A-2", "quantity": "seven", "status": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shop := adobetest.New(t)
			skus := []string{"A-1", "A-2", "A-3"}
			for _, sku := range skus {
				shop.AddProduct(map[string]any{"sku": sku, "name": sku, "price": 1})
			}
			c := open(t, shop)
			opts := options(t, connectors.UseWrite, nil)
			errs := make([]error, len(skus))
			var wg sync.WaitGroup
			for i, sku := range skus {
				data := map[string]any{"sku": sku, "quantity": 5, "status": 1}
				if sku == "A-2" {
					data = tc.data
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Stock, Key: sku, Options: opts, Data: data})
				}()
			}
			wg.Wait()
			if errs[1] == nil || !strings.Contains(errs[1].Error(), "A-2") || !strings.Contains(errs[1].Error(), "quantity") {
				t.Errorf("A-2 gave %v; want an error naming the SKU and the field", errs[1])
			} else if class, _ := connectors.Classify(errs[1]); class != connectors.ClassPermanent {
				t.Errorf("A-2's error is %v, want permanent", class)
			}
			for _, i := range []int{0, 2} {
				if item, _ := shop.SourceItem("default", skus[i]); errs[i] != nil || fmt.Sprint(item["quantity"]) != "5" {
					t.Errorf("%s: %v, source item %v; want it saved", skus[i], errs[i], item)
				}
			}
		})
	}
}

// TestStockOfAnSKUWithACommaIsWritten: Adobe Commerce reads the value of
// an "in" filter as a list separated by commas, so a product whose SKU
// holds one (a cable of 2,5 mm²) is looked up by itself, and its stock is
// written, beside the other SKUs of its batch.
func TestStockOfAnSKUWithACommaIsWritten(t *testing.T) {
	shop := adobetest.New(t)
	skus := []string{"NYM-3x2,5", "A-1", "NYM-5x1,5"}
	for _, sku := range skus {
		shop.AddProduct(map[string]any{"sku": sku, "name": sku, "price": 1})
	}
	c := open(t, shop)
	opts := options(t, connectors.UseWrite, nil)
	errs := make([]error, len(skus))
	done := make(chan int)
	for i, sku := range skus {
		go func() {
			_, errs[i] = c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Stock, Key: sku, Options: opts,
				Data: map[string]any{"sku": sku, "quantity": 5, "status": 1}})
			done <- i
		}()
	}
	for range skus {
		<-done
	}
	for i, sku := range skus {
		if errs[i] != nil {
			t.Errorf("%s: %v", sku, errs[i])
		}
		if item, _ := shop.SourceItem("default", sku); fmt.Sprint(item["quantity"]) != "5" {
			t.Errorf("%s's source item is %v", sku, item)
		}
	}
}

// TestStockAtAMissingSourceSaysWhichSource: a flow whose source does not
// exist fails each record with the source's name and what to do.
func TestStockAtAMissingSourceSaysWhichSource(t *testing.T) {
	shop := adobetest.New(t)
	shop.AddProduct(map[string]any{"sku": "A-1", "name": "A", "price": 1})
	c := open(t, shop)
	_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Stock, Key: "A-1", Options: options(t, connectors.UseWrite,
		map[string]any{"source_code": "rotterdam"}), Data: map[string]any{"sku": "A-1", "quantity": 5, "status": 1}})
	if err == nil || !strings.Contains(err.Error(), "source rotterdam does not exist in Adobe Commerce; add it under Stores > Inventory > Sources") {
		t.Fatalf("got %v", err)
	}
}

// TestShipmentsWithTracks: a shipment ships the order's lines with its
// track; the same shipment again, found by the order's number, adds only
// its new track and ships nothing twice; an order or a line the shop
// does not have is an error that says so.
func TestShipmentsWithTracks(t *testing.T) {
	shop := adobetest.New(t)
	shop.AddOrder(anOrder(41, "processing", "processing", "2025-03-14 16:02:11", "SPK-200-BLK", "CBL-3M"))
	c := open(t, shop)
	opts := options(t, connectors.UseWrite, nil)
	data := func(tracks ...string) map[string]any {
		var list []any
		for _, tr := range tracks {
			list = append(list, map[string]any{"track_number": tr, "title": "PostNL", "carrier_code": "custom"})
		}
		return map[string]any{"order_increment_id": "000000041", "items": []any{map[string]any{"sku": "CBL-3M", "qty": 2}}, "tracks": list}
	}
	first, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Shipment, Key: "000000041", Data: data("3SABC1"), Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	id, found, err := c.FindByKey(ctx(t), connectors.Shipment, "000000041")
	if err != nil || !found || id != first.TargetID {
		t.Fatalf("FindByKey(the order's number) = %q, %v, %v; want shipment %s", id, found, err, first.TargetID)
	}
	if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Shipment, TargetID: id, Key: "000000041", Data: data("3SABC1", "3SABC2"), Options: opts}); err != nil {
		t.Fatal(err)
	}
	shipments := shop.Shipments()
	if len(shipments) != 1 || len(shipments[0]["tracks"].([]any)) != 2 {
		t.Fatalf("the shop has %d shipments: %v; want one with two tracks", len(shipments), shipments)
	}
	for _, tc := range []struct {
		data map[string]any
		want string
	}{
		{map[string]any{"order_increment_id": "000000099"}, "order 000000099 does not exist in Adobe Commerce; check the order number"},
		{map[string]any{"order_increment_id": "000000041", "items": []any{map[string]any{"sku": "XX-9", "qty": 1}}},
			"order 000000041 has no line with SKU XX-9"},
	} {
		_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Shipment, Key: "k", Data: tc.data, Options: opts})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
}

// TestAnOrderIsInvoicedOnce: an invoice for an order that has one already
// is that invoice, not a second one.
func TestAnOrderIsInvoicedOnce(t *testing.T) {
	shop := adobetest.New(t)
	shop.AddOrder(anOrder(41, "processing", "processing", "2025-03-14 16:02:11", "CBL-3M"))
	c := open(t, shop)
	req := connectors.WriteRequest{Entity: connectors.Invoice, Key: "F-1", Options: options(t, connectors.UseWrite, nil),
		Data: map[string]any{"order_increment_id": "000000041", "items": []any{}}}
	first, err := c.Write(ctx(t), req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Write(ctx(t), req)
	if err != nil || again.TargetID != first.TargetID || len(shop.Invoices()) != 1 {
		t.Fatalf("invoicing again gave %v, %v; the shop has %d invoices", again, err, len(shop.Invoices()))
	}
}

// TestVerdicts: the connection test names the store views, or says why
// it cannot connect.
func TestVerdicts(t *testing.T) {
	shop := adobetest.New(t)
	tests := []struct {
		name    string
		config  func(map[string]any)
		secrets map[string]string
		ok      bool
		want    string
	}{
		{"connected", nil, shop.Secrets(), true, "connected to Adobe Commerce: store views Default Store View (default)"},
		{"a wrong token", nil, map[string]string{"access_token": "wrong-token-123"}, false,
			"login refused: GET /rest/all/V1/store/storeViews: 401 Unauthorized: The consumer isn't authorized to access %resources."},
		{"the wrong address", func(c map[string]any) { c["base_url"] = "http://127.0.0.1:1" }, shop.Secrets(), false, "nothing answers at that address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config := shop.Config()
			if tt.config != nil {
				tt.config(config)
			}
			cfg, err := Spec.ResolveAndValidate(config, tt.secrets, env)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := New(cfg, env)
			res, err := c.Test(ctx(t))
			if err != nil || res.OK != tt.ok || !strings.Contains(res.Message, tt.want) {
				t.Fatalf("Test = %+v, %v; want ok=%v with %q", res, err, tt.ok, tt.want)
			}
		})
	}
}

// TestARateLimitPausesTheRead: a 429 from the shop is a pause with its
// Retry-After, not a failure.
func TestARateLimitPausesTheRead(t *testing.T) {
	shop := adobetest.New(t)
	shop.Handle("GET /V1/orders", func(*spectest.Call) spectest.Reply {
		return spectest.Reply{Status: http.StatusTooManyRequests, Body: map[string]any{"message": "Too many requests"},
			Header: http.Header{"Retry-After": {"7"}}}
	})
	c := open(t, shop)
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: connectors.Order, Options: options(t, connectors.UseRead, nil)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = stream.Next(ctx(t))
	if wait, limited := connectors.IsRateLimited(err); !limited || wait != 7*time.Second {
		t.Fatalf("Next = %v; want a rate limit of 7s", err)
	}
}

// TestSpecAndConfig: the connection needs the shop's address without
// /rest and a store code; the flow's date and lists are checked.
func TestSpecAndConfig(t *testing.T) {
	_, err := Spec.ResolveAndValidate(map[string]any{"base_url": "https://shop.example.com/rest/default", "store_code": "all/x"},
		map[string]string{"access_token": "x"}, env)
	for _, want := range []string{"base_url", "without /rest", "store_code", `"all/x" is not a store code`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
	}
	_, err = Spec.ResolveAndValidateFlow(connectors.UseRead, map[string]any{"from_date": "31-01-2025"}, connectors.Config{}, env)
	if err == nil || !strings.Contains(err.Error(), `"31-01-2025" is not a date such as 2025-01-31`) {
		t.Errorf("got %v", err)
	}
}
