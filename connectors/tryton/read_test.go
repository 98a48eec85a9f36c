package tryton

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/mappings"
)

// readAll reads from cursor to the end and returns the records read and
// the last cursor.
func readAll(t *testing.T, c *Conn, entity connectors.Entity, cursor string, opts connectors.Config) ([]connectors.Record, string) {
	t.Helper()
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: entity, Cursor: cursor, PageSize: 2, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	var recs []connectors.Record
	for {
		page, err := stream.Next(context.Background())
		if errors.Is(err, connectors.ErrEndOfInput) {
			return recs, cursor
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			if r.Err != nil {
				t.Fatalf("record %s: %v", r.ID, r.Err)
			}
		}
		recs = append(recs, page.Records...)
		cursor = page.Cursor
	}
}

func keys(recs []connectors.Record) string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Key)
	}
	sort.Strings(out)
	return fmt.Sprint(out)
}

// receive brings a quantity of a product into the warehouse's storage
// from a supplier, as a done stock move.
func receive(t *testing.T, c *Conn, code string, quantity float64) {
	t.Helper()
	product, _, _ := c.search(ctx(t), "product.product", []any{[]any{"code", "=", code}})
	supplier, _ := c.idOf(ctx(t), "stock.location", []any{[]any{"code", "=", "SUP"}}, "supplier location")
	storage, _ := c.idOf(ctx(t), "stock.location", []any{[]any{"code", "=", "STO"}}, "storage location")
	mctx, _ := c.context(ctx(t))
	move, err := c.create(ctx(t), "stock.move", map[string]any{"product": product, "from_location": supplier, "to_location": storage,
		"quantity": quantity, "uom": 1, "company": mctx["company"], "currency": 1,
		"unit_price": map[string]any{"__class__": "Decimal", "decimal": "10"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.model(ctx(t), "stock.move", "do", []any{move}); err != nil {
		t.Fatal(err)
	}
}

func TestReadsAreIncremental(t *testing.T) {
	s := trytond(t)
	c := s.open(t, s.database(t))
	stockUp(t, c)
	for _, number := range []string{"6001", "6002", "6003"} {
		if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: number, Data: webOrder(number, "jane@example.com"),
			Options: writeOptions(t, nil)}); err != nil {
			t.Fatal(err)
		}
	}
	sales, cursor := readAll(t, c, connectors.Order, "", connectors.Config{})
	if len(sales) != 3 || keys(sales) != "[1 2 3]" {
		t.Fatalf("first run read sales %s", keys(sales))
	}
	lines, _ := sales[0].Data["lines"].([]any)
	if len(lines) != 3 || lookup(sales[0].Data, "party.name") != "Jane van Dijk" || lookup(sales[0].Data, "currency.code") != "EUR" {
		t.Fatalf("a sale read without its lines, party or currency: %v", sales[0].Data)
	}
	if again, _ := readAll(t, c, connectors.Order, cursor, connectors.Config{}); len(again) != 0 {
		t.Fatalf("a run with nothing changed read %s", keys(again))
	}
	if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "6004", Data: webOrder("6004", "jane@example.com"),
		Options: writeOptions(t, map[string]any{"order_type": "quotation"})}); err != nil {
		t.Fatal(err)
	}
	if next, _ := readAll(t, c, connectors.Order, cursor, connectors.Config{}); keys(next) != "[4]" {
		t.Fatalf("the second run read %s, want the new sale", keys(next))
	}
	invoices, _ := readAll(t, c, connectors.Invoice, "", connectors.Config{})
	if len(invoices) != 3 {
		t.Fatalf("%d invoices read, want the three the confirmed sales made", len(invoices))
	}
}

func TestStockIsReadPerWarehouseAsItMoves(t *testing.T) {
	s := trytond(t)
	c := s.open(t, s.database(t))
	stockUp(t, c)
	receive(t, c, "CHAIR-OAK", 12)
	opts, err := Spec.ResolveFlow(connectors.UseRead, map[string]any{"warehouse": "WH"})
	if err != nil {
		t.Fatal(err)
	}
	stock, cursor := readAll(t, c, connectors.Stock, "", opts)
	quantities := map[string]string{}
	for _, r := range stock {
		quantities[r.Key] = text(r.Data["quantity"])
	}
	if len(stock) != 2 || quantities["CHAIR-OAK"] != "12.0" || quantities["CUSHION"] != "0.0" {
		t.Fatalf("first run read %v, want both goods (not the service), the chairs in stock", quantities)
	}
	if again, _ := readAll(t, c, connectors.Stock, cursor, opts); len(again) != 0 {
		t.Fatalf("a run with no stock moved read %s", keys(again))
	}
	receive(t, c, "CUSHION", 5)
	next, _ := readAll(t, c, connectors.Stock, cursor, opts)
	if keys(next) != "[CUSHION]" || text(next[0].Data["quantity"]) != "5.0" || next[0].Data["location"] != "WH" {
		t.Fatalf("after cushions came in the run read %v", next)
	}
	_, err = c.Read(ctx(t), connectors.ReadRequest{Entity: connectors.Stock, Options: mustFlow(t, map[string]any{"warehouse": "STORE"})})
	class, _ := connectors.Classify(err)
	if err == nil || class != connectors.ClassPermanent {
		t.Fatalf("reading the stock of a warehouse Tryton does not have: %v", err)
	}
}

func mustFlow(t *testing.T, values map[string]any) connectors.Config {
	t.Helper()
	opts, err := Spec.ResolveFlow(connectors.UseRead, values)
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

// TestTheDefaultMappingsTakeWhatTrytonAnswers maps every record the real
// server answers with the default in mappings: none fails.
func TestTheDefaultMappingsTakeWhatTrytonAnswers(t *testing.T) {
	s := trytond(t)
	c := s.open(t, s.database(t))
	stockUp(t, c)
	receive(t, c, "CHAIR-OAK", 3)
	for number, kind := range map[string]string{"8001": "order", "8002": "invoice"} {
		data := webOrder(number, "jane@example.com")
		data["party"].(map[string]any)["tax_identifier"] = "NL123456782B01"
		if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: number, Data: data,
			Options: writeOptions(t, map[string]any{"order_type": kind})}); err != nil {
			t.Fatal(err)
		}
	}
	defaults, err := mappings.LoadDefaults(Mappings, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, entity := range Spec.Reads {
		p, err := mappings.Compile(mappings.FlowConfig{Entity: string(entity), In: mappings.Find(defaults, string(entity), mappings.In)})
		if err != nil {
			t.Fatal(err)
		}
		recs, _ := readAll(t, c, entity, "", connectors.Config{})
		if len(recs) == 0 {
			t.Fatalf("no %s records read", entity)
		}
		for _, r := range recs {
			if _, err := p.Run(r.Data); err != nil {
				t.Errorf("%s %s: %v", entity, r.ID, err)
			}
		}
	}
}
