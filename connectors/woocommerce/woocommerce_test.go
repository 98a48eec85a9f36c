package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/connectors/internal/mappingtest"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/since"
	"github.com/switchboard-app/switchboard/connectors/woocommerce/fake"
)

const (
	testKey    = "ck_4f1b2c3d4e5f60718293a4b5c6d7e8f901234567"
	testSecret = "cs_0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
)

type shop struct {
	*fake.Server
	url string
}

func newShop(t testing.TB) *shop {
	t.Helper()
	f := fake.New(testKey, testSecret)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return &shop{Server: f, url: srv.URL}
}

func (s *shop) open(t testing.TB, extra map[string]any) *Conn {
	t.Helper()
	cfg := map[string]any{"base_url": s.url}
	for k, v := range extra {
		cfg[k] = v
	}
	resolved, err := Spec.ResolveAndValidate(cfg, map[string]string{"consumer_key": testKey, "consumer_secret": testSecret}, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(resolved, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	return c.(*Conn)
}

func testEnv() connectors.Env {
	return connectors.Env{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Shared: connectors.NewShared()}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func options(t testing.TB, use connectors.Use, values map[string]any) connectors.Config {
	t.Helper()
	cfg, err := Spec.ResolveFlow(use, values)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func exampleOrder(t testing.TB) map[string]any {
	data, err := os.ReadFile("testdata/order.json")
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	if err := json.Unmarshal(data, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

func signed(secret, topic string, body []byte) connectors.WebhookRequest {
	h := http.Header{"Content-Type": {"application/json"}, "X-Wc-Webhook-Topic": {topic}, "X-Wc-Webhook-Delivery-Id": {"a1b2c3"}}
	h.Set("X-WC-Webhook-Signature", webhookScheme.Sign(secret, time.Now(), body))
	return connectors.WebhookRequest{Header: h, Body: body, Secret: secret}
}

func TestConformance(t *testing.T) {
	s := newShop(t)
	reg, _ := connectors.Lookup(Name)
	secrets := map[string]string{"consumer_key": testKey, "consumer_secret": testSecret}
	base := conntest.Suite{Registration: reg, Config: map[string]any{"base_url": s.url}, Secrets: secrets, Env: testEnv(),
		BadSecrets: map[string]string{"consumer_key": testKey, "consumer_secret": "cs_wrong_secret_value"}}
	t.Run("orders", func(t *testing.T) {
		suite := base
		suite.Entity = connectors.Order
		suite.Seed = func(t *testing.T, n int) {
			for i := range n {
				o := exampleOrder(t)
				o["id"], o["number"] = 800+i, fmt.Sprint(800+i)
				o["date_modified_gmt"] = time.Date(2025, 3, 1, 10, i, 0, 0, time.UTC).Format(wooTime)
				s.AddOrder(o)
			}
		}
		suite.Webhook = func(t *testing.T, secret string) connectors.WebhookRequest {
			body, _ := json.Marshal(exampleOrder(t))
			return signed(secret, "order.updated", body)
		}
		conntest.Run(t, suite)
	})
	t.Run("products", func(t *testing.T) {
		suite := base
		suite.Entity = connectors.Product
		suite.Sample = map[string]any{"sku": "CONF-1", "name": "Conformance product", "regular_price": "9.95"}
		conntest.Run(t, suite)
	})
}

func readAll(t *testing.T, c *Conn, e connectors.Entity, cursor string, opts connectors.Config) ([]connectors.Record, string) {
	t.Helper()
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: e, Cursor: cursor, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	var out []connectors.Record
	for {
		page, err := stream.Next(ctx(t))
		if errors.Is(err, connectors.ErrEndOfInput) {
			return out, cursor
		}
		if err != nil {
			t.Fatal(err)
		}
		out, cursor = append(out, page.Records...), page.Cursor
	}
}

// TestReadPagesByTheHeaders reads 250 orders in pages of 100, ending on
// the page X-WP-TotalPages names, filtered by the flow's status.
func TestReadPagesByTheHeaders(t *testing.T) {
	s := newShop(t)
	for i := range 250 {
		o := exampleOrder(t)
		o["id"], o["number"] = 1000+i, fmt.Sprint(1000+i)
		if i%5 == 0 {
			o["status"] = "completed"
		}
		s.AddOrder(o)
	}
	c := s.open(t, nil)
	all, _ := readAll(t, c, connectors.Order, "", options(t, connectors.UseRead, nil))
	processing, _ := readAll(t, c, connectors.Order, "", options(t, connectors.UseRead, map[string]any{"order_status": "processing"}))
	if len(all) != 250 || len(processing) != 200 || s.Calls("GET orders") != 3+2 {
		t.Fatalf("read %d orders and %d processing ones in %d calls", len(all), len(processing), s.Calls("GET orders"))
	}
}

// TestOrderChangedDuringAReadShiftsNoneAway: an order on a page already
// read changes while the run reads, and moves to the end of the list
// sorted by change time. The run still reads every order: asked by page
// number, the order that moved up onto the page already read was skipped,
// and with a change older than the next run's start it was never read.
func TestOrderChangedDuringAReadShiftsNoneAway(t *testing.T) {
	s := newShop(t)
	start := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	orders := make([]map[string]any, 250)
	for i := range orders {
		o := exampleOrder(t)
		o["id"], o["number"] = 1000+i, fmt.Sprint(1000+i)
		o["date_modified_gmt"] = start.Add(time.Duration(i) * time.Minute).Format(wooTime)
		s.AddOrder(o)
		orders[i] = o
	}
	c := s.open(t, nil)
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: connectors.Order, Options: options(t, connectors.UseRead, nil)})
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]int{}
	for pages := 0; ; pages++ {
		page, err := stream.Next(ctx(t))
		if errors.Is(err, connectors.ErrEndOfInput) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			read[r.Key]++
		}
		if pages == 0 { // someone changes an order of the first page
			orders[10]["date_modified_gmt"] = time.Now().UTC().Format(wooTime)
			s.AddOrder(orders[10])
		}
	}
	for i := range orders {
		key, want := fmt.Sprint(1000+i), 1
		if i == 10 {
			want = 2 // as it was, and as it changed
		}
		if read[key] != want {
			t.Errorf("order %s read %d times; want %d", key, read[key], want)
		}
	}
}

func TestReadVariableProductWithItsVariations(t *testing.T) {
	s := newShop(t)
	id := s.AddProduct(map[string]any{"name": "Ship Your Idea", "type": "variable", "sku": "SYI",
		"attributes": []any{map[string]any{"name": "Size", "variation": true, "options": []any{"M", "L"}}}})
	s.AddVariation(id, map[string]any{"sku": "SYI-M", "regular_price": "12.00", "attributes": []any{map[string]any{"name": "Size", "option": "M"}}})
	s.AddVariation(id, map[string]any{"sku": "SYI-L", "regular_price": "13.00", "attributes": []any{map[string]any{"name": "Size", "option": "L"}}})
	recs, _ := readAll(t, s.open(t, nil), connectors.Product, "", options(t, connectors.UseRead, nil))
	if len(recs) != 1 || len(recs[0].Data["variations"].([]any)) != 2 {
		t.Fatalf("read %+v", recs)
	}
}

func TestWriteStockThroughTheBatchEndpoint(t *testing.T) {
	s := newShop(t)
	s.AddProduct(map[string]any{"name": "Cable", "sku": "CBL-3M", "regular_price": "12.95"})
	parent := s.AddProduct(map[string]any{"name": "Shirt", "type": "variable", "sku": "SHIRT"})
	s.AddVariation(parent, map[string]any{"sku": "SHIRT-M", "regular_price": "20.00"})
	c := s.open(t, nil)
	opts := options(t, connectors.UseWrite, nil)
	for sku, qty := range map[string]any{"CBL-3M": json.Number("7"), "SHIRT-M": 3} {
		if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Stock, Key: sku, Data: map[string]any{"sku": sku, "stock_quantity": qty}, Options: opts}); err != nil {
			t.Fatal(err)
		}
	}
	cable, _ := s.Product("CBL-3M")
	shirt, _ := s.Product("SHIRT-M")
	if fmt.Sprintf("%v %v %v", cable["stock_quantity"], cable["manage_stock"], shirt["stock_quantity"]) != "7 true 3" {
		t.Fatalf("stock: cable %v (%v), shirt M %v", cable["stock_quantity"], cable["manage_stock"], shirt["stock_quantity"])
	}
	if s.Calls("POST products/batch") == 0 || s.Calls("POST products/{id}/variations/batch") == 0 {
		t.Fatal("the stock was not written through the batch endpoints")
	}
	_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Stock, Key: "SKU-123", Data: map[string]any{"sku": "SKU-123", "stock_quantity": 1}, Options: opts})
	if err == nil || err.Error() != "product SKU-123 does not exist in WooCommerce; add it or enable 'create missing products'" {
		t.Fatalf("a missing SKU gave %v", err)
	}
}

// TestBatchFailsOneRecordAlone: a duplicated SKU in a batch of products
// fails that record alone.
func TestBatchFailsOneRecordAlone(t *testing.T) {
	s := newShop(t)
	s.AddProduct(map[string]any{"name": "Taken", "sku": "DUP-1"})
	c := s.open(t, nil)
	opts := options(t, connectors.UseWrite, nil)
	errs := make(chan error, 3)
	for _, sku := range []string{"NEW-1", "DUP-1", "NEW-2"} {
		go func() {
			_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Key: sku, Data: map[string]any{"sku": sku, "name": sku, "regular_price": "1.00"}, Options: opts})
			errs <- err
		}()
	}
	var failed []string
	for range 3 {
		if err := <-errs; err != nil {
			failed = append(failed, err.Error())
		}
	}
	if len(failed) != 1 || !strings.Contains(failed[0], "product DUP-1: WooCommerce refused it: Invalid or duplicated SKU.") {
		t.Fatalf("failures %v; want DUP-1 alone", failed)
	}
	if _, ok := s.Product("NEW-2"); !ok {
		t.Fatal("NEW-2 was not written")
	}
}

// TestAFailedBatchCallFailsItsOwnRecordsAlone: the records of one batch
// go out in one call per endpoint (products, and the variations of each
// product); a call that fails as a whole (the variations of a product
// deleted in the shop since the last write, whose SKU is then looked up
// again and not found) fails its own records, named, and the records of
// the other calls are written and succeed.
func TestAFailedBatchCallFailsItsOwnRecordsAlone(t *testing.T) {
	s := newShop(t)
	cable := s.AddProduct(map[string]any{"name": "Cable", "sku": "CBL-3M"})
	s.AddProduct(map[string]any{"name": "Plug", "sku": "PLG-1"})
	c := s.open(t, nil)
	opts := options(t, connectors.UseWrite, nil)
	writes := []connectors.WriteRequest{
		{Entity: connectors.Stock, Key: "CBL-3M", TargetID: fmt.Sprint(cable), Data: map[string]any{"sku": "CBL-3M", "stock_quantity": 7}},
		{Entity: connectors.Stock, Key: "PLG-1", Data: map[string]any{"sku": "PLG-1", "stock_quantity": 4}},
		{Entity: connectors.Stock, Key: "GONE-M", TargetID: "9999/10000", Data: map[string]any{"sku": "GONE-M", "stock_quantity": 2}},
	}
	errs := make(map[string]chan error, len(writes))
	for _, w := range writes {
		w.Options = opts
		errs[w.Key] = make(chan error, 1)
		go func() {
			_, err := c.Write(ctx(t), w)
			errs[w.Key] <- err
		}()
	}
	for _, key := range []string{"CBL-3M", "PLG-1"} {
		if err := <-errs[key]; err != nil {
			t.Errorf("%s: %v; want it written", key, err)
		}
	}
	if err := <-errs["GONE-M"]; err == nil || err.Error() != "product GONE-M does not exist in WooCommerce; add it or enable 'create missing products'" {
		t.Errorf("GONE-M: %v; want its own failure, naming it and the cause", err)
	}
	for sku, want := range map[string]string{"CBL-3M": "7", "PLG-1": "4"} {
		if p, _ := s.Product(sku); fmt.Sprint(p["stock_quantity"]) != want {
			t.Errorf("the shop holds %v of %s, want %s", p["stock_quantity"], sku, want)
		}
	}
}

func TestUpdatePolicyKeepsTheShopsText(t *testing.T) {
	s := newShop(t)
	id := s.AddProduct(map[string]any{"name": "Cable, gold plated (shop's text)", "sku": "CBL-3M", "regular_price": "12.95", "description": "Written in the shop"})
	c := s.open(t, nil)
	_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Key: "CBL-3M", TargetID: fmt.Sprint(id),
		Data:    map[string]any{"sku": "CBL-3M", "name": "CABLE 3M", "regular_price": "11.95", "description": ""},
		Options: options(t, connectors.UseWrite, map[string]any{"update_fields": "regular_price,sale_price"})})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := s.Product("CBL-3M")
	if p["name"] != "Cable, gold plated (shop's text)" || p["description"] != "Written in the shop" || p["regular_price"] != "11.95" {
		t.Fatalf("after a price update the shop holds %v / %v / %v", p["name"], p["description"], p["regular_price"])
	}
}

func TestFindByKey(t *testing.T) {
	s := newShop(t)
	id := s.AddProduct(map[string]any{"name": "Cable", "sku": "CBL-3M"})
	cid := s.AddCustomer(map[string]any{"email": "john.doe@example.com", "first_name": "John"})
	s.AddOrder(exampleOrder(t))
	c := s.open(t, nil)
	for _, tt := range []struct {
		entity    connectors.Entity
		key, want string
	}{{connectors.Product, "CBL-3M", fmt.Sprint(id)}, {connectors.Customer, "John.Doe@example.com", fmt.Sprint(cid)}, {connectors.Order, "727", "727"}} {
		got, found, err := c.FindByKey(ctx(t), tt.entity, tt.key)
		if err != nil || !found || got != tt.want {
			t.Errorf("FindByKey(%s %s) = %q, %v, %v; want %s", tt.entity, tt.key, got, found, err, tt.want)
		}
	}
}

func TestShipmentSetsTheStatusAndANoteOnce(t *testing.T) {
	s := newShop(t)
	s.AddOrder(exampleOrder(t))
	c := s.open(t, nil)
	req := connectors.WriteRequest{Entity: connectors.Shipment, Key: "727", Options: options(t, connectors.UseWrite, nil),
		Data: map[string]any{"order_number": "727", "note": "Shipped, with PostNL, tracking number 3SABC123"}}
	for range 2 {
		if _, err := c.Write(ctx(t), req); err != nil {
			t.Fatal(err)
		}
	}
	if o := s.Order(727); o["status"] != "completed" || len(s.Notes(727)) != 1 || s.Notes(727)[0]["customer_note"] != true {
		t.Fatalf("order status %v, notes %v", o["status"], s.Notes(727))
	}
	req.Data = map[string]any{"order_number": "4242"}
	if _, err := c.Write(ctx(t), req); err == nil || !strings.Contains(err.Error(), "order 4242 does not exist in WooCommerce") {
		t.Fatalf("a missing order gave %v", err)
	}
}

func TestQueryStringAuthentication(t *testing.T) {
	s := newShop(t)
	verdict, _ := s.open(t, map[string]any{"auth_in": "query"}).Test(ctx(t))
	if !verdict.OK || verdict.Message != "connected to https://shop.example.com (WooCommerce 9.6.0)" {
		t.Fatalf("Test = %+v", verdict)
	}
}

func TestRegisterAndRemoveWebhooks(t *testing.T) {
	s := newShop(t)
	c := s.open(t, nil)
	id, err := c.RegisterWebhook(ctx(t), connectors.WebhookRegistration{Entity: connectors.Product, URL: "https://sb.example.com/hooks/f1", Secret: "flow-secret"})
	if err != nil || s.Webhooks() != 2 {
		t.Fatalf("RegisterWebhook = %q, %v; %d webhooks", id, err, s.Webhooks())
	}
	if err := c.RemoveWebhook(ctx(t), id); err != nil || s.Webhooks() != 0 {
		t.Fatalf("RemoveWebhook: %v; %d left", err, s.Webhooks())
	}
	if err := c.RemoveWebhook(ctx(t), id); err != nil {
		t.Fatalf("removing webhooks already gone: %v", err)
	}
}

// TestGoldenMappings maps the REST reference's examples with the default
// mappings.
func TestGoldenMappings(t *testing.T) { mappingtest.Golden(t, Mappings, nil) }

// TestPingIsTakenAndStoresNothing: the unsigned ping WooCommerce sends
// when a webhook is saved is answered, with no records; a body that only
// looks like one is not taken unsigned.
func TestPingIsTakenAndStoresNothing(t *testing.T) {
	c := newShop(t).open(t, nil)
	ping := connectors.WebhookRequest{Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: []byte("webhook_id=42"), Secret: "s"}
	if err := c.VerifyWebhook(ping); err != nil {
		t.Fatalf("the ping was refused: %v", err)
	}
	hook, err := c.ParseWebhook(ping)
	if err != nil || len(hook.Records) != 0 {
		t.Fatalf("ParseWebhook(ping) = %+v, %v", hook, err)
	}
	forged := ping
	forged.Body = []byte(`webhook_id=42&id=727`)
	if err := c.VerifyWebhook(forged); err == nil {
		t.Fatal("an unsigned body with more than the ping was taken")
	}
}

// TestAdvanceNeverAsksTheSameQueryAgain: the next page of a list sorted by
// change time is asked from the page's latest change less a second, unless
// that asks what the page's own query asked; then it is that query's next
// page.
func TestAdvanceNeverAsksTheSameQueryAgain(t *testing.T) {
	items := func(times ...string) []map[string]any {
		out := make([]map[string]any, len(times))
		for i, at := range times {
			out[i] = map[string]any{"id": json.Number(fmt.Sprint(i + 1)), "date_modified_gmt": at}
		}
		return out
	}
	tests := []struct {
		name  string
		pos   since.Position
		items []map[string]any
		want  since.Position
	}{
		{"spans seconds", since.Position{Page: 1}, items("2025-03-01T10:00:00", "2025-03-01T10:05:00"),
			since.Position{After: "2025-03-01T10:04:59", Page: 1}},
		{"one second", since.Position{After: "2025-03-01T09:59:59", Page: 1}, items("2025-03-01T10:00:00", "2025-03-01T10:00:00"),
			since.Position{After: "2025-03-01T09:59:59", Page: 2}},
		{"would ask the same", since.Position{After: "2025-03-01T10:00:00", Page: 3}, items("2025-03-01T10:00:00", "2025-03-01T10:00:01"),
			since.Position{After: "2025-03-01T10:00:00", Page: 4}},
		{"no times", since.Position{Page: 2}, items("", ""), since.Position{Page: 3}},
	}
	for _, tt := range tests {
		s := &stream{incremental: true}
		if got := s.advance(tt.pos, tt.items); got != tt.want {
			t.Errorf("%s: advance = %+v; want %+v", tt.name, got, tt.want)
		}
	}
}

// TestDeleteWebhooksStoreNothing: WooCommerce's deleted topics carry the
// record's id alone ({"id": 727}); they are taken with no records, rather
// than as an empty record of the flow's entity. A restored record is the
// whole record, and is taken.
func TestDeleteWebhooksStoreNothing(t *testing.T) {
	c := newShop(t).open(t, nil)
	for _, topic := range []string{"order.deleted", "product.deleted", "customer.deleted"} {
		hook, err := c.ParseWebhook(signed("s", topic, []byte(`{"id": 727}`)))
		if err != nil || len(hook.Records) != 0 {
			t.Errorf("%s: ParseWebhook = %+v, %v; want no records", topic, hook, err)
		}
	}
	hook, err := c.ParseWebhook(signed("s", "order.restored", []byte(`{"id": 727, "number": "727", "status": "processing", "line_items": []}`)))
	if err != nil || len(hook.Records) != 1 || hook.Records[0].Key != "727" {
		t.Fatalf("order.restored: ParseWebhook = %+v, %v; want the order", hook, err)
	}
}

// TestAnOrderIsFoundAmongItsSearchsOtherMatches: WooCommerce's order
// search finds the term in addresses too, newest first, ten at a time: a
// search for order 12 answers with newer orders shipped to "12 Main
// Street" before order 12 itself. The order is still found, and shipped.
func TestAnOrderIsFoundAmongItsSearchsOtherMatches(t *testing.T) {
	s := newShop(t)
	s.AddOrder(map[string]any{"id": 12, "status": "processing", "date_created_gmt": "2024-01-05T10:00:00", "billing": map[string]any{"address_1": "Keizersgracht 1"}})
	for i := range 11 {
		s.AddOrder(map[string]any{"id": 100 + i, "status": "processing", "date_created_gmt": fmt.Sprintf("2025-03-%02dT10:00:00", i+1),
			"billing": map[string]any{"address_1": "12 Main Street"}})
	}
	c := s.open(t, nil)
	if id, found, err := c.FindByKey(ctx(t), connectors.Order, "12"); err != nil || !found || id != "12" {
		t.Errorf("FindByKey(order 12) = %q, %v, %v; want 12", id, found, err)
	}
	req := connectors.WriteRequest{Entity: connectors.Shipment, Key: "12", Options: options(t, connectors.UseWrite, nil),
		Data: map[string]any{"order_number": "12", "note": "Shipped, with PostNL, tracking number 3SABC123"}}
	if _, err := c.Write(ctx(t), req); err != nil {
		t.Fatal(err)
	}
	if o := s.Order(12); o["status"] != "completed" || len(s.Notes(12)) != 1 {
		t.Fatalf("order 12 has status %v and notes %v", o["status"], s.Notes(12))
	}
}

// TestProductWebhooksAreCompletedAsARead: WooCommerce's product webhook
// body names a variable product's variations by id only, and a change of
// a variation is sent as product.updated with the variation's body. The
// record a product flow takes is the one its read gives: the product with
// its variations whole (optionsByName too), a variation's parent product.
func TestProductWebhooksAreCompletedAsARead(t *testing.T) {
	s := newShop(t)
	id := s.AddProduct(map[string]any{"name": "Ship Your Idea", "type": "variable", "sku": "SYI",
		"attributes": []any{map[string]any{"name": "Size", "variation": true, "options": []any{"M", "L"}}}})
	m := s.AddVariation(id, map[string]any{"sku": "SYI-M", "regular_price": "12.00", "attributes": []any{map[string]any{"name": "Size", "option": "M"}}})
	s.AddVariation(id, map[string]any{"sku": "SYI-L", "regular_price": "13.00", "attributes": []any{map[string]any{"name": "Size", "option": "L"}}})
	c := s.open(t, nil)
	body := func(path string) []byte {
		t.Helper()
		var v map[string]any
		if _, err := c.client.DoJSON(ctx(t), rest.Request{Path: path}, &v); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(v)
		return b
	}
	for _, tc := range []struct{ name, path string }{
		{"the variable product", fmt.Sprintf("products/%d", id)},
		{"one of its variations", fmt.Sprintf("products/%d", m)},
	} {
		hook, err := c.ParseWebhook(signed("s", "product.updated", body(tc.path)))
		if err != nil {
			t.Fatal(err)
		}
		hook, err = c.CompleteWebhook(ctx(t), connectors.ReadRequest{Entity: connectors.Product, Options: options(t, connectors.UseRead, nil)}, hook)
		if err != nil || len(hook.Records) != 1 {
			t.Fatalf("%s: CompleteWebhook = %+v, %v", tc.name, hook, err)
		}
		r := hook.Records[0]
		vars, _ := r.Data["variations"].([]any)
		if r.Key != "SYI" || r.ID != fmt.Sprint(id) || len(vars) != 2 {
			t.Fatalf("%s: the record is %s/%s with variations %v; want product SYI with its two variations", tc.name, r.ID, r.Key, r.Data["variations"])
		}
		for _, v := range vars {
			if v, _ := v.(map[string]any); v == nil || fmt.Sprint(v["optionsByName"]) != "map[Size:"+strings.TrimPrefix(fmt.Sprint(v["sku"]), "SYI-")+"]" {
				t.Fatalf("%s: a variation is %v; want it whole, with optionsByName", tc.name, v)
			}
		}
	}
}

// TestStockOfAProductMadeAgainIsWritten: a stock record's product may be
// deleted in the shop and made again with its SKU (a re-import) after the
// last write; the write to the old id is refused, so the SKU is looked up
// again and the new product's stock is written, for a product and for a
// variation.
func TestStockOfAProductMadeAgainIsWritten(t *testing.T) {
	s := newShop(t)
	oldCable := s.AddProduct(map[string]any{"name": "Cable", "sku": "CBL-3M"})
	oldShirt := s.AddProduct(map[string]any{"name": "Shirt", "type": "variable", "sku": "SHIRT"})
	s.AddVariation(oldShirt, map[string]any{"sku": "SHIRT-M"})
	c := s.open(t, nil)
	opts := options(t, connectors.UseWrite, nil)
	stock := func(sku, target string, qty int) (connectors.WriteResult, error) {
		return c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Stock, Key: sku, TargetID: target, Options: opts,
			Data: map[string]any{"sku": sku, "stock_quantity": qty}})
	}
	targets := map[string]string{}
	for _, sku := range []string{"CBL-3M", "SHIRT-M"} {
		res, err := stock(sku, "", 1)
		if err != nil {
			t.Fatal(err)
		}
		targets[sku] = res.TargetID
	}
	s.DeleteProduct(oldCable)
	s.DeleteProduct(oldShirt)
	s.AddProduct(map[string]any{"name": "Cable", "sku": "CBL-3M"})
	shirt := s.AddProduct(map[string]any{"name": "Shirt", "type": "variable", "sku": "SHIRT"})
	s.AddVariation(shirt, map[string]any{"sku": "SHIRT-M"})
	for _, sku := range []string{"CBL-3M", "SHIRT-M"} {
		res, err := stock(sku, targets[sku], 9)
		if err != nil {
			t.Errorf("%s: %v", sku, err)
			continue
		}
		p, _ := s.Product(sku)
		if res.TargetID == targets[sku] || fmt.Sprint(p["stock_quantity"]) != "9" {
			t.Errorf("%s: target %s (was %s), stock %v; want the new product's stock written", sku, res.TargetID, targets[sku], p["stock_quantity"])
		}
	}
}

// TestOrderWebhookAtTheFlowsFilters: an order flow that reads orders of
// one status, or from a date, takes the order webhooks of those orders
// only, as its read does; it took every order WooCommerce told of, a
// pending one into a flow of processing orders.
func TestOrderWebhookAtTheFlowsFilters(t *testing.T) {
	c := newShop(t).open(t, nil)
	for _, tc := range []struct {
		options map[string]any
		status  string
		taken   bool
	}{
		{nil, "pending", true},
		{map[string]any{"order_status": "any"}, "pending", true},
		{map[string]any{"order_status": "processing"}, "processing", true},
		{map[string]any{"order_status": "processing"}, "pending", false},
		{map[string]any{"order_status": "on-hold"}, "on-hold", true},
		{map[string]any{"orders_from": "2017-03-22"}, "processing", true},
		{map[string]any{"orders_from": "2017-03-23"}, "processing", false},
	} {
		order := exampleOrder(t)
		order["status"] = tc.status
		body, _ := json.Marshal(order)
		hook, err := c.ParseWebhook(signed("s", "order.updated", body))
		if err != nil {
			t.Fatal(err)
		}
		hook, err = c.CompleteWebhook(ctx(t), connectors.ReadRequest{Entity: connectors.Order, Options: options(t, connectors.UseRead, tc.options)}, hook)
		if err != nil {
			t.Fatal(err)
		}
		if taken := len(hook.Records) == 1; taken != tc.taken {
			t.Errorf("a flow with %v took a %s order: %v, want %v", tc.options, tc.status, taken, tc.taken)
		}
	}
}
