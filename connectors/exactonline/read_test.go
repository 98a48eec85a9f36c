package exactonline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/exactonline/fake"
)

// readAll reads from cursor to the end and returns the keys read, sorted,
// and the last cursor.
func readAll(t *testing.T, c *Conn, entity connectors.Entity, cursor string, opts connectors.Config) ([]string, string) {
	t.Helper()
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: entity, Cursor: cursor, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for {
		page, err := stream.Next(context.Background())
		if errors.Is(err, connectors.ErrEndOfInput) {
			sort.Strings(keys)
			return keys, cursor
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			if r.Err != nil {
				t.Fatalf("record %s: %v", r.ID, r.Err)
			}
			keys = append(keys, r.Key)
		}
		cursor = page.Cursor
	}
}

func msAgo(d time.Duration) string { return fmt.Sprintf("/Date(%d)/", time.Now().Add(-d).UnixMilli()) }

// TestReadsAreIncrementalWithAnOverlap: a run reads the records changed
// since the last run's latest change less a minute, page by page with
// __next; the records read in that minute are not passed again unless
// they changed, and one changed meanwhile with an older time is not
// missed.
func TestReadsAreIncrementalWithAnOverlap(t *testing.T) {
	srv, base := exact(t, fake.Options{PageSize: 2})
	for i, age := range []time.Duration{3 * time.Hour, 2 * time.Hour, time.Hour, time.Hour, 30 * time.Second} {
		srv.AddRecord(division, "logistics/Items", map[string]any{"Code": fmt.Sprintf("SKU-%d", i+1), "Description": "Item", "Modified": msAgo(age)})
	}
	c, _ := connected(t, base)
	keys, cursor := readAll(t, c, connectors.Product, "", connectors.Config{})
	if fmt.Sprint(keys) != "[SKU-1 SKU-2 SKU-3 SKU-4 SKU-5]" {
		t.Fatalf("first run read %v", keys)
	}
	if again, _ := readAll(t, c, connectors.Product, cursor, connectors.Config{}); len(again) != 0 {
		t.Fatalf("a run with nothing changed read %v", again)
	}
	// SKU-6 is committed late: its change is 20 seconds older than the
	// latest the first run saw, within the overlap.
	srv.AddRecord(division, "logistics/Items", map[string]any{"Code": "SKU-6", "Description": "Late", "Modified": msAgo(50 * time.Second)})
	srv.AddRecord(division, "logistics/Items", map[string]any{"Code": "SKU-7", "Description": "New"})
	keys, cursor = readAll(t, c, connectors.Product, cursor, connectors.Config{})
	if fmt.Sprint(keys) != "[SKU-6 SKU-7]" {
		t.Fatalf("the second run read %v, want the late and the new item", keys)
	}
	if again, _ := readAll(t, c, connectors.Product, cursor, connectors.Config{}); len(again) != 0 {
		t.Fatalf("a third run read %v", again)
	}
}

func TestStockIsReadPerWarehouse(t *testing.T) {
	srv, base := exact(t, fake.Options{})
	shop(srv)
	srv.AddRecord(division, "inventory/Warehouses", map[string]any{"Code": "2", "Description": "Store"})
	srv.SetStock(division, "CHAIR-OAK", "1", 12)
	srv.SetStock(division, "CUSHION", "1", 3)
	srv.SetStock(division, "CHAIR-OAK", "2", 4)
	c, _ := connected(t, base)
	for _, tt := range []struct{ warehouse, want string }{{"", "[CHAIR-OAK CHAIR-OAK CUSHION]"}, {"1", "[CHAIR-OAK CUSHION]"}, {"2", "[CHAIR-OAK]"}} {
		opts, err := Spec.ResolveFlow(connectors.UseRead, map[string]any{"warehouse": tt.warehouse})
		if err != nil {
			t.Fatal(err)
		}
		if keys, _ := readAll(t, c, connectors.Stock, "", opts); fmt.Sprint(keys) != tt.want {
			t.Errorf("stock of warehouse %q: %v, want %s", tt.warehouse, keys, tt.want)
		}
	}
}

func TestOrdersAndInvoicesAreReadWithTheirLines(t *testing.T) {
	srv, base := exact(t, fake.Options{})
	shop(srv)
	c, _ := connected(t, base)
	for number, kind := range map[string]string{"7001": "order", "7002": "invoice"} {
		if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: number, Data: webOrder(number, "jane@example.com"),
			Options: writeOptions(t, map[string]any{"order_type": kind})}); err != nil {
			t.Fatal(err)
		}
	}
	for _, entity := range []connectors.Entity{connectors.Order, connectors.Invoice} {
		stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: entity})
		if err != nil {
			t.Fatal(err)
		}
		page, err := stream.Next(ctx(t))
		if err != nil || len(page.Records) != 1 {
			t.Fatalf("%s: %+v, %v", entity, page, err)
		}
		lines := map[connectors.Entity]string{connectors.Order: "SalesOrderLines", connectors.Invoice: "SalesInvoiceLines"}[entity]
		results, _ := page.Records[0].Data[lines].(map[string]any)["results"].([]any)
		if len(results) != 3 || page.Records[0].Key != "1" {
			t.Fatalf("%s read with key %q and lines %v", entity, page.Records[0].Key, page.Records[0].Data[lines])
		}
	}
}

// loopingNext answers as the fake does, but a page asked for by its
// $skiptoken names itself as the next page: a __next that leads back to
// the page just read.
type loopingNext struct{ srv *fake.Server }

func (l loopingNext) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	l.srv.ServeHTTP(rec, r)
	var body map[string]map[string]any
	if r.URL.Query().Get("$skiptoken") == "" || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body["d"]["__next"] == nil {
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return
	}
	body["d"]["__next"] = "http://" + r.Host + r.URL.RequestURI()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

// TestANextLinkBackToThePageReadEndsTheRead: an answer whose __next
// leads to the page it answered ends the read there, instead of reading
// the same page forever.
func TestANextLinkBackToThePageReadEndsTheRead(t *testing.T) {
	srv := fake.New(fake.Options{ClientID: clientID, ClientSecret: clientSecret, RedirectBase: "https://switchboard.example/",
		Division: division, PageSize: 2})
	hs := httptest.NewServer(loopingNext{srv})
	t.Cleanup(hs.Close)
	srv.SetURL(hs.URL)
	for i := range 6 {
		srv.AddRecord(division, "logistics/Items", map[string]any{"Code": fmt.Sprintf("SKU-%d", i+1), "Description": "Item"})
	}
	c, _ := connected(t, hs.URL)
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: connectors.Product})
	if err != nil {
		t.Fatal(err)
	}
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("still reading after 10 pages")
		}
		if _, err := stream.Next(ctx(t)); errors.Is(err, connectors.ErrEndOfInput) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
}
