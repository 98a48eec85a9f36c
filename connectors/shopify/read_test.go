package shopify

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
	"github.com/switchboard-app/switchboard/connectors/shopify/fake"
	"github.com/switchboard-app/switchboard/connectors/since"
)

func ids(recs []connectors.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Key)
	}
	return out
}

func TestReadOrdersByTheFlowsFilters(t *testing.T) {
	s := newShop(t, fake.Options{})
	add := func(name, financial, created string, cancelled bool) {
		o := exampleOrder(t)
		delete(o, "id")
		o["name"], o["displayFinancialStatus"], o["createdAt"] = name, financial, created
		if cancelled {
			o["cancelledAt"] = created
		}
		s.AddOrder(o)
	}
	add("#1001", "PAID", "2025-01-10T10:00:00Z", false)
	add("#1002", "PENDING", "2025-02-10T10:00:00Z", false)
	add("#1003", "PAID", "2025-03-10T10:00:00Z", true)
	add("#1004", "PAID", "2025-04-10T10:00:00Z", false)
	tests := []struct {
		opts map[string]any
		want string
	}{
		{map[string]any{}, "[1001 1002 1003 1004]"},
		{map[string]any{"financial_status": "paid"}, "[1001 1003 1004]"},
		{map[string]any{"order_status": "open", "financial_status": "paid"}, "[1001 1004]"},
		{map[string]any{"order_status": "cancelled"}, "[1003]"},
		{map[string]any{"orders_from": "2025-02-01"}, "[1002 1003 1004]"},
	}
	c := s.open(t)
	for _, tt := range tests {
		recs, _ := readAll(t, c, connectors.Order, "", options(t, connectors.UseRead, tt.opts))
		if got := fmt.Sprint(sorted(ids(recs))); got != tt.want {
			t.Errorf("options %v: read %s, want %s", tt.opts, got, tt.want)
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestIncrementalReadWithOverlap: a run asks for what changed since a
// minute before the last change the previous run saw; what it finds
// there unchanged is not read twice, what changed again is.
func TestIncrementalReadWithOverlap(t *testing.T) {
	s := newShop(t, fake.Options{})
	c := s.open(t)
	now := time.Now().UTC()
	var idOf = map[string]string{}
	for i, name := range []string{"#1", "#2", "#3"} {
		o := exampleOrder(t)
		delete(o, "id")
		o["name"] = name
		o["updatedAt"] = now.Add(time.Duration(i-3) * time.Hour).Format(time.RFC3339)
		idOf[name] = s.AddOrder(o)
	}
	opts := options(t, connectors.UseRead, nil)
	first, cursor := readAll(t, c, connectors.Order, "", opts)
	if len(first) != 3 {
		t.Fatalf("first run read %v", ids(first))
	}
	again, cursor := readAll(t, c, connectors.Order, cursor, opts)
	if len(again) != 0 {
		t.Fatalf("a run with nothing changed read %v", ids(again))
	}
	s.UpdateOrder(idOf["#1"], map[string]any{"note": "changed"})
	changed, _ := readAll(t, c, connectors.Order, cursor, opts)
	if fmt.Sprint(ids(changed)) != "[1]" {
		t.Fatalf("after order 1 changed, the run read %v", ids(changed))
	}
}

func TestOrderWithManyLinesIsReadWhole(t *testing.T) {
	s := newShop(t, fake.Options{})
	s.AddOrder(orderWithLines(t, 45))
	recs, _ := readAll(t, s.open(t), connectors.Order, "", options(t, connectors.UseRead, nil))
	if len(recs) != 1 {
		t.Fatalf("read %d orders", len(recs))
	}
	nodes := recs[0].Data["lineItems"].(map[string]any)["nodes"].([]any)
	if len(nodes) != 45 || nodes[44].(map[string]any)["sku"] != "SKU-44" {
		t.Fatalf("the order has %d lines, want 45 in order", len(nodes))
	}
}

// TestFullSyncOfManyProductsResumes reads a shop's products over runs
// cut off after some pages, as killed ones would be: each run goes on from
// the committed cursor, so every product is read exactly once. The shop
// has more products than the cursor remembers (since.MaxSeen), and the
// sync takes four runs, the last of which reads to the end.
func TestFullSyncOfManyProductsResumes(t *testing.T) {
	const n = 2 * since.MaxSeen
	s := newShop(t, fake.Options{})
	for i := range n {
		// A handle of its own spares the fake a search of every product.
		s.AddProduct(fake.Product{Title: fmt.Sprintf("Product %d", i), Handle: fmt.Sprintf("product-%d", i),
			Variants: []*fake.Variant{{SKU: fmt.Sprintf("P-%05d", i), Price: "9.95"}}})
	}
	seen, runs := syncInRuns(t, s.open(t), connectors.Product, 80)
	if runs != 4 {
		t.Fatalf("the sync took %d runs of 80 pages, want 4", runs)
	}
	if len(seen) != n {
		t.Fatalf("read %d products, want %d", len(seen), n)
	}
	for sku, times := range seen {
		if times != 1 {
			t.Fatalf("%s read %d times", sku, times)
		}
	}
}

// syncInRuns reads the entity in runs of at most pagesPerRun pages, each
// from the cursor of the last page the one before read, until a run reads
// to the end; it counts how often each record was read, and the runs.
func syncInRuns(t *testing.T, c *Conn, e connectors.Entity, pagesPerRun int) (map[string]int, int) {
	t.Helper()
	opts := options(t, connectors.UseRead, nil)
	seen := map[string]int{}
	cursor := ""
	for run := 1; run <= 10; run++ {
		stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: e, Cursor: cursor, Options: opts})
		if err != nil {
			t.Fatal(err)
		}
		for pages := 0; pages < pagesPerRun; pages++ {
			page, err := stream.Next(ctx(t))
			if err == connectors.ErrEndOfInput {
				return seen, run
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Records {
				seen[r.Key]++
			}
			cursor = page.Cursor
		}
	}
	t.Fatal("the sync does not end")
	return nil, 0
}

func TestReadStockAtTheFlowsLocation(t *testing.T) {
	s := newShop(t, fake.Options{})
	other := s.AddLocation("Shop floor")
	s.AddProduct(fake.Product{Title: "Speaker", Variants: []*fake.Variant{{SKU: "SPK-1", Price: "99.00"}}})
	s.AddProduct(fake.Product{Title: "No SKU", Variants: []*fake.Variant{{Price: "1.00"}}})
	if err := s.SetQuantity("SPK-1", s.location, 7); err != nil {
		t.Fatal(err)
	}
	if err := s.SetQuantity("SPK-1", other, 2); err != nil {
		t.Fatal(err)
	}
	c := s.open(t)
	all, _ := readAll(t, c, connectors.Stock, "", options(t, connectors.UseRead, nil))
	if len(all) != 2 {
		t.Fatalf("read %d stock levels, want 2 (an item without SKU is left out)", len(all))
	}
	// the location as a write finds it too: by its name in any case, or by its id
	for _, name := range []string{"Shop floor", "shop floor", other} {
		at, _ := readAll(t, c, connectors.Stock, "", options(t, connectors.UseRead, map[string]any{"location": name}))
		if len(at) != 1 || !strings.Contains(fmt.Sprint(at[0].Data["quantities"]), "name:available quantity:2") {
			t.Fatalf("stock at location %q: %v", name, at)
		}
	}
}

func TestReadCustomers(t *testing.T) {
	s := newShop(t, fake.Options{})
	s.AddCustomer(map[string]any{"email": "anna@example.nl", "firstName": "Anna", "lastName": "de Vries", "phone": "+31612345678",
		"defaultAddress": map[string]any{"address1": "Keizersgracht 123", "city": "Amsterdam", "zip": "1015 CJ", "countryCodeV2": "NL"}})
	recs, _ := readAll(t, s.open(t), connectors.Customer, "", options(t, connectors.UseRead, nil))
	if len(recs) != 1 || recs[0].Key != "anna@example.nl" {
		t.Fatalf("read %+v", recs)
	}
}

// TestCostBudgetPacesTheCalls: after an answer whose extensions.cost says
// the bucket could not pay for the same query again, the connection
// pauses until it can, so Shopify never has to refuse a call.
func TestCostBudgetPacesTheCalls(t *testing.T) {
	s := newShop(t, fake.Options{MaximumAvailable: 1000, RestoreRate: 2000})
	for i := range 30 {
		s.AddProduct(fake.Product{Title: fmt.Sprintf("P%d", i), Variants: []*fake.Variant{{SKU: fmt.Sprintf("P%d", i), Price: "1.00"}}})
	}
	c := s.open(t)
	recs, _ := readAll(t, c, connectors.Product, "", options(t, connectors.UseRead, nil))
	calls, throttled := s.Calls()
	if len(recs) != 30 || calls < 4 {
		t.Fatalf("read %d products in %d calls", len(recs), calls)
	}
	if throttled != 0 {
		t.Fatalf("Shopify refused %d of %d calls as throttled: the connection did not wait for its budget", throttled, calls)
	}
}

// TestThrottledIsARateLimit: a query refused as THROTTLED comes back as a
// rate limit with the wait the bucket needs, and pauses the connection.
func TestThrottledIsARateLimit(t *testing.T) {
	s := newShop(t, fake.Options{RestoreRate: 50})
	c := s.open(t)
	s.Drain()
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: connectors.Product, Options: options(t, connectors.UseRead, nil)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = stream.Next(ctx(t))
	wait, limited := connectors.IsRateLimited(err)
	if !limited || wait < time.Second {
		t.Fatalf("Next = %v; want a rate limit of some seconds", err)
	}
	if p := pace.For(c.shared, pace.Settings{}); p.PausedUntil().IsZero() {
		t.Fatal("the connection's pacer is not paused")
	}
}

// TestACursorThatRepeatsEndsTheRead: a shop whose page answers give back
// the cursor they were asked with (a fault of the shop) makes the read
// fail, saying so, instead of reading the same page for ever: the list of
// products, and the lines of a long order.
func TestACursorThatRepeatsEndsTheRead(t *testing.T) {
	longOrder := func(s *shop) { s.AddOrder(orderWithLines(t, 120)) } // more than the first page and one more
	manyProducts := func(s *shop) {
		for i := range 3 * productsPage {
			s.AddProduct(fake.Product{Title: fmt.Sprintf("Product %d", i), Handle: fmt.Sprintf("product-%d", i),
				Variants: []*fake.Variant{{SKU: fmt.Sprintf("P-%05d", i), Price: "9.95"}}})
		}
	}
	cases := []struct {
		name   string
		entity connectors.Entity
		fill   func(*shop)
	}{
		{"the products", connectors.Product, manyProducts},
		{"an order's lines", connectors.Order, longOrder},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newShop(t, fake.Options{StuckCursors: true})
			tc.fill(s)
			stream, err := s.open(t).Read(ctx(t), connectors.ReadRequest{Entity: tc.entity, Options: options(t, connectors.UseRead, nil)})
			if err != nil {
				t.Fatal(err)
			}
			for pages := 0; ; pages++ {
				_, err := stream.Next(ctx(t))
				if err != nil && strings.Contains(err.Error(), "same cursor again") {
					return
				}
				if err != nil || pages > 20 {
					t.Fatalf("after %d pages: %v; want the read to stop at the repeated cursor", pages, err)
				}
			}
		})
	}
}

// orderWithLines is the example order with n lines, SKU-00, SKU-01, ...
func orderWithLines(t *testing.T, n int) map[string]any {
	o := exampleOrder(t)
	line := o["lineItems"].(map[string]any)["nodes"].([]any)[0].(map[string]any)
	var lines []any
	for i := range n {
		l := map[string]any{}
		for k, v := range line {
			l[k] = v
		}
		delete(l, "id")
		l["sku"] = fmt.Sprintf("SKU-%02d", i)
		lines = append(lines, l)
	}
	o["lineItems"] = lines
	return o
}

// TestReadStockAtTheEleventhLocation: an item stocked at more locations
// than the read asks levels of at once has the rest read with further
// queries, so that a stock flow at its eleventh location reads it; the
// levels after the tenth were left out.
func TestReadStockAtTheEleventhLocation(t *testing.T) {
	s := newShop(t, fake.Options{})
	var last string
	for i := 2; i <= 12; i++ {
		last = s.AddLocation(fmt.Sprintf("Store %02d", i))
	}
	s.AddProduct(fake.Product{Title: "Speaker", Variants: []*fake.Variant{{SKU: "SPK-1", Price: "99.00"}}})
	if err := s.SetQuantity("SPK-1", last, 4); err != nil {
		t.Fatal(err)
	}
	c := s.open(t)
	all, _ := readAll(t, c, connectors.Stock, "", options(t, connectors.UseRead, nil))
	if len(all) != 12 {
		t.Fatalf("read %d stock levels, want 12 (one per location)", len(all))
	}
	at, _ := readAll(t, c, connectors.Stock, "", options(t, connectors.UseRead, map[string]any{"location": "Store 12"}))
	if len(at) != 1 || !strings.Contains(fmt.Sprint(at[0].Data["quantities"]), "name:available quantity:4") {
		t.Fatalf("stock at the twelfth location: %v", at)
	}
}
