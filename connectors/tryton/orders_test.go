package tryton

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // to put a sale in the state a failed Tryton task leaves it

	"github.com/switchboard-app/switchboard/connectors"
)

// stockUp makes the products orders name, in the template's accounting
// category "Goods", and a shipping service.
func stockUp(t *testing.T, c *Conn) {
	t.Helper()
	opts := writeOptions(t, nil)
	for _, p := range []map[string]any{
		{"code": "CHAIR-OAK", "name": "Oak dining chair", "list_price": "149.95", "type": "goods"},
		{"code": "CUSHION", "name": "Seat cushion", "list_price": "20.00", "type": "goods"},
		{"code": "SHIPPING", "name": "Shipping", "list_price": "0", "type": "service"},
	} {
		if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Key: p["code"].(string), Data: p, Options: opts}); err != nil {
			t.Fatal(err)
		}
	}
}

// webOrder is what the default write mapping makes of a webshop order.
func webOrder(number, email string) map[string]any {
	return map[string]any{
		"reference": number, "description": "Webshop order " + number, "date": fmt.Sprintf("%d-05-01", time.Now().Year()), "currency": "EUR",
		"party":            map[string]any{"name": "Jane van Dijk", "email": email},
		"invoice_address":  map[string]any{"name": "Jane van Dijk", "street": "Kerkweg 3", "postal_code": "3511 AA", "city": "Utrecht", "country": "NL"},
		"shipment_address": map[string]any{"name": "Jane van Dijk", "street": "Hauptstraße 5", "postal_code": "10115", "city": "Berlin", "country": "DE"},
		"lines": []any{
			map[string]any{"product": "CHAIR-OAK", "description": "Oak dining chair", "quantity": "2", "unit_price": "149.95", "tax_rate": "19"},
			map[string]any{"product": "CUSHION", "quantity": "1", "unit_price": "20.00", "tax_rate": "19"},
		},
		"vat_country": "DE", "shipping_method": "DHL Express", "shipping_cost": "5.00", "shipping_tax_rate": "19", "payment_method": "ideal",
	}
}

func writeOptions(t *testing.T, values map[string]any) connectors.Config {
	t.Helper()
	all := map[string]any{"vat_codes": `{"DE": {"19": "DE VAT 19%"}, "NL": {"21": "VAT 21%", "9": "VAT 9%"}}`,
		"payment_methods": `{"ideal": "Direct", "invoice": "30 days"}`, "shipping_sku": "SHIPPING", "product_category": "Goods"}
	for k, v := range values {
		all[k] = v
	}
	opts, err := Spec.ResolveAndValidateFlow(connectors.UseWrite, all, connectors.Config{}, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

func TestOrdersBecomeSalesOrInvoices(t *testing.T) {
	s := trytond(t)
	c := s.open(t, s.Database(t))
	stockUp(t, c)
	tests := []struct {
		orderType, model, state string
	}{
		{"order", "sale.sale", "processing"},
		{"quotation", "sale.sale", "quotation"},
		{"invoice", "account.invoice", "draft"},
	}
	for i, tt := range tests {
		t.Run(tt.orderType, func(t *testing.T) {
			number := fmt.Sprint(1001 + i)
			res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: number, Data: webOrder(number, "jane@example.com"),
				Options: writeOptions(t, map[string]any{"order_type": tt.orderType})})
			if err != nil {
				t.Fatal(err)
			}
			model, id, err := splitTarget(res.TargetID)
			if err != nil || model != tt.model {
				t.Fatalf("target id %q: %v", res.TargetID, err)
			}
			rec, err := c.read(ctx(t), model, id, "state", "reference", "party.contact_mechanisms.value", "payment_term.name",
				"lines.product.code", "lines.taxes.name", "lines.quantity", "untaxed_amount", "total_amount")
			if err != nil {
				t.Fatal(err)
			}
			if rec["state"] != tt.state || rec["reference"] != number || text(lookup(rec, "payment_term.name")) != "Direct" {
				t.Errorf("%s %d: state %v, reference %v, payment term %v", model, id, rec["state"], rec["reference"], rec["payment_term"])
			}
			lines := anyList(rec["lines"])
			if len(lines) != 3 || text(rec["untaxed_amount"]) != "324.90" || text(rec["total_amount"]) != "386.63" {
				t.Fatalf("lines %v, untaxed %v, total %v; want the items and shipping at 19%%", lines, rec["untaxed_amount"], rec["total_amount"])
			}
			for i, want := range []string{"CHAIR-OAK", "CUSHION", "SHIPPING"} {
				l := lines[i].(map[string]any)
				if text(lookup(l, "product.code")) != want || text(lookup(anyList(l["taxes"])[0].(map[string]any), "name")) != "DE VAT 19%" {
					t.Errorf("line %d = %v", i+1, l)
				}
			}
		})
	}
	parties, _ := c.model(ctx(t), "party.party", "search_count", []any{[]any{"contact_mechanisms.value", "=", "jane@example.com"}})
	if fmt.Sprint(parties) != "1" {
		t.Fatalf("%v parties with Jane's e-mail address, want the one the first order made", parties)
	}
}

func TestOrderErrorsSayWhatToDo(t *testing.T) {
	s := trytond(t)
	c := s.open(t, s.Database(t))
	stockUp(t, c)
	tests := []struct {
		name    string
		change  func(d map[string]any)
		options map[string]any
		want    string
	}{
		{"no VAT code for the country and rate", func(d map[string]any) { d["lines"].([]any)[0].(map[string]any)["tax_rate"] = "7" },
			nil, "customer jane@example.com has no VAT code for DE at 7%; set one in the flow's VAT table (vat_codes)"},
		{"a VAT code Tryton does not have", func(map[string]any) {},
			map[string]any{"vat_codes": `{"DE": {"19": "MwSt 19%"}}`}, `Tryton has no tax named "MwSt 19%"; fix the flow's VAT table (vat_codes)`},
		{"a product Tryton does not have", func(d map[string]any) { d["lines"].([]any)[1].(map[string]any)["product"] = "LAMP" },
			nil, "order 2001 line 2: Tryton has no product with code LAMP; add it, or sync products first"},
		{"a guest order without a guest customer", func(d map[string]any) { d["party"] = map[string]any{"name": "Guest"} },
			nil, "order 2001 has no customer (no e-mail address, VAT id or customer number): a guest order; set the flow's customer of guest orders (guest_customer)"},
		{"shipping costs without a shipping product", func(map[string]any) {},
			map[string]any{"shipping_sku": ""}, "order 2001 has shipping costs of 5.00 but the flow has no shipping cost product; set shipping_sku"},
		{"a line without a SKU and no fee product", func(d map[string]any) {
			d["lines"] = append(d["lines"].([]any), map[string]any{"description": "Payment surcharge", "quantity": "1", "unit_price": "2.50", "tax_rate": "19"})
		},
			nil, "order 2001 line 3 (Payment surcharge) has no SKU: a fee, or a product without one; set fee_sku"},
		{"a VAT number that is not valid", func(d map[string]any) {
			d["party"] = map[string]any{"name": "Jane van Dijk", "email": "jane.bv@example.com", "tax_identifier": "NL001234567B01"}
		},
			nil, `The European VAT Number "NL001234567B01" for party "Jane van Dijk" is not valid.`},
		{"a warehouse Tryton does not have", func(map[string]any) {},
			map[string]any{"warehouse": "STORE"}, "Tryton has no warehouse STORE; set the flow's warehouse to the code of a Tryton warehouse"},
		{"a country Tryton does not have", func(d map[string]any) { d["shipment_address"].(map[string]any)["country"] = "AT" },
			nil, "Tryton has no country AT; add it under Party > Configuration > Countries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := webOrder("2001", "jane@example.com")
			tt.change(data)
			_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "2001", Data: data, Options: writeOptions(t, tt.options)})
			class, _ := connectors.Classify(err)
			if err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v (%s), want a permanent error saying %q", err, class, tt.want)
			}
			// the last case fails on an address, which is the customer's
			if id, err := c.partyID(ctx(t), "jane@example.com", "", ""); !strings.Contains(tt.want, "no country") && (err != nil || id != 0) {
				t.Fatalf("customer %d made of an order that failed before it was sent (%v)", id, err)
			}
		})
	}
	if n, _ := c.model(ctx(t), "sale.sale", "search_count", []any{[]any{"reference", "=", "2001"}}); fmt.Sprint(n) != "0" {
		t.Fatalf("%v sales of orders that failed", n)
	}
}

// TestALineWithoutASKUIsBookedOnTheFeeProduct: a shop's fee (a payment
// surcharge) has no SKU; it is a line on the flow's fee product, with
// the fee's own name, so that the sale adds up to the order.
func TestALineWithoutASKUIsBookedOnTheFeeProduct(t *testing.T) {
	s := trytond(t)
	c := s.open(t, s.Database(t))
	stockUp(t, c)
	data := webOrder("2201", "jane@example.com")
	data["lines"] = append(data["lines"].([]any), map[string]any{"description": "Payment surcharge", "quantity": "1", "unit_price": "2.50", "tax_rate": "19"})
	res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "2201", Data: data, Options: writeOptions(t, map[string]any{"fee_sku": "SHIPPING"})})
	if err != nil {
		t.Fatal(err)
	}
	model, id, err := splitTarget(res.TargetID)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := c.read(ctx(t), model, id, "lines.product.code", "lines.description", "untaxed_amount")
	if err != nil {
		t.Fatal(err)
	}
	lines := anyList(rec["lines"])
	if len(lines) != 4 || text(rec["untaxed_amount"]) != "327.40" {
		t.Fatalf("lines %v, untaxed %v; want the fee among them", lines, rec["untaxed_amount"])
	}
	if fee := lines[2].(map[string]any); text(lookup(fee, "product.code")) != "SHIPPING" || text(fee["description"]) != "Payment surcharge" {
		t.Fatalf("the fee is the line %v", fee)
	}
}

// TestASaleTrytonRefusesToConfirmIsRemoved: the product has no account
// category, so Tryton cannot invoice the sale it confirms; the error says
// why, and no half-made sale stays behind.
func TestASaleTrytonRefusesToConfirmIsRemoved(t *testing.T) {
	s := trytond(t)
	c := s.open(t, s.Database(t))
	stockUp(t, c)
	if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Key: "LAMP", Options: writeOptions(t, map[string]any{"product_category": ""}),
		Data: map[string]any{"code": "LAMP", "name": "Desk lamp", "list_price": "39.95"}}); err != nil {
		t.Fatal(err)
	}
	data := webOrder("2101", "jane@example.com")
	data["lines"] = []any{map[string]any{"product": "LAMP", "quantity": "1", "unit_price": "39.95", "tax_rate": "19"}}
	_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "2101", Data: data, Options: writeOptions(t, nil)})
	class, _ := connectors.Classify(err)
	if err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), "confirming the sale of order 2101") {
		t.Fatalf("got %v (%s), want a permanent error from confirming", err, class)
	}
	if n, _ := c.model(ctx(t), "sale.sale", "search_count", []any{[]any{"reference", "=", "2101"}}); fmt.Sprint(n) != "0" {
		t.Fatalf("%v sales of the order left behind", n)
	}
}

// TestAnOrderWrittenAtOnceByTwoWorkersIsMadeOnce: the same order (and its
// new customer) written by several workers at once makes one sale and
// one party.
func TestAnOrderWrittenAtOnceByTwoWorkersIsMadeOnce(t *testing.T) {
	s := trytond(t)
	db := s.Database(t)
	c := s.open(t, db)
	stockUp(t, c)
	shared := connectors.NewShared()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg, _ := Spec.ResolveAndValidate(s.Config(db), s.Secrets(), connectors.Env{})
			w, _ := New(cfg, connectors.Env{Shared: shared})
			if _, err := w.(*Conn).Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "9001",
				Data: webOrder("9001", "new@example.com"), Options: writeOptions(t, nil)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	sales, _ := c.model(ctx(t), "sale.sale", "search_count", []any{[]any{"reference", "=", "9001"}})
	parties, _ := c.model(ctx(t), "party.party", "search_count", []any{[]any{"contact_mechanisms.value", "=", "new@example.com"}})
	if fmt.Sprint(sales) != "1" || fmt.Sprint(parties) != "1" {
		t.Fatalf("%v sales and %v parties of one order written at once; want one each", sales, parties)
	}
}

// TestASaleLeftConfirmedIsProcessedWhenWrittenAgain: Tryton processes a
// confirmed sale in a task after the confirm, and a task that fails (its
// database busy) says nothing to the caller; when the write that follows
// fails too, the order's retry finds the sale confirmed and processes it,
// instead of taking it for done (before, the sale stayed confirmed, with
// no shipment and no invoice, and the order was recorded as written).
func TestASaleLeftConfirmedIsProcessedWhenWrittenAgain(t *testing.T) {
	s := trytond(t)
	db := s.Database(t)
	c := s.open(t, db)
	stockUp(t, c)
	if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "2201", Data: webOrder("2201", "jane@example.com"),
		Options: writeOptions(t, map[string]any{"order_type": "quotation"})}); err != nil {
		t.Fatal(err)
	}
	leaveConfirmed(t, filepath.Join(s.Dir, db+".sqlite"), "2201")

	res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "2201", Data: webOrder("2201", "jane@example.com"),
		Options: writeOptions(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	model, id, err := splitTarget(res.TargetID)
	if err != nil || model != "sale.sale" {
		t.Fatalf("target id %q: %v", res.TargetID, err)
	}
	rec, err := c.read(ctx(t), model, id, "state", "shipments", "invoices")
	if err != nil {
		t.Fatal(err)
	}
	if rec["state"] != "processing" || len(anyList(rec["shipments"])) != 1 || len(anyList(rec["invoices"])) != 1 {
		t.Fatalf("the sale written again: state %v, shipments %v, invoices %v; want it processed", rec["state"], rec["shipments"], rec["invoices"])
	}
}

// leaveConfirmed puts the quoted sale of an order in the state a failed
// processing task leaves it: confirmed, dated, and nothing made from it.
func leaveConfirmed(t *testing.T, dbFile, reference string) {
	t.Helper()
	sqlDB, err := sql.Open("sqlite", dbFile)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	res, err := sqlDB.Exec(`UPDATE sale_sale SET state = 'confirmed', sale_date = ? WHERE reference = ? AND state = 'quotation'`,
		time.Now().Format(time.DateOnly), reference)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("confirming the quoted sale %s in the database: %d rows, %v", reference, n, err)
	}
}

// TestAnInvoiceLeftWithoutTaxesGetsThemWhenWrittenAgain: a draft invoice
// whose write was cut short after it was made, before Tryton computed its
// taxes, gets them when the order is written again, so that it adds up to
// the order.
func TestAnInvoiceLeftWithoutTaxesGetsThemWhenWrittenAgain(t *testing.T) {
	s := trytond(t)
	db := s.Database(t)
	c := s.open(t, db)
	stockUp(t, c)
	opts := writeOptions(t, map[string]any{"order_type": "invoice"})
	first, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "2301", Data: webOrder("2301", "jane@example.com"), Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	_, id, _ := splitTarget(first.TargetID)
	want, err := c.read(ctx(t), "account.invoice", id, "tax_amount")
	if err != nil || fmt.Sprint(want["tax_amount"]) == "0" {
		t.Fatalf("the invoice's tax: %v, %v", want, err)
	}
	leaveUntaxed(t, filepath.Join(s.Dir, db+".sqlite"), id)

	res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "2301", Data: webOrder("2301", "jane@example.com"), Options: opts})
	if err != nil || res.TargetID != first.TargetID {
		t.Fatalf("writing the order again: %v, %v; want invoice %s", res, err, first.TargetID)
	}
	if got, err := c.read(ctx(t), "account.invoice", id, "tax_amount"); err != nil || fmt.Sprint(got["tax_amount"]) != fmt.Sprint(want["tax_amount"]) {
		t.Fatalf("the invoice written again has tax %v (%v); want %v", got["tax_amount"], err, want["tax_amount"])
	}
}

// leaveUntaxed puts a draft invoice in the state a write cut short after
// its create leaves it: its taxes not computed.
func leaveUntaxed(t *testing.T, dbFile string, invoice int64) {
	t.Helper()
	sqlDB, err := sql.Open("sqlite", dbFile)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	if res, err := sqlDB.Exec(`DELETE FROM account_invoice_tax WHERE invoice = ?`, invoice); err != nil {
		t.Fatalf("removing the taxes of invoice %d: %v", invoice, err)
	} else if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("invoice %d has no taxes to remove", invoice)
	}
}

// TestTaxesWithoutATableAreSalesTaxes: without a VAT table, a line's tax
// is Tryton's one sales tax of its rate; taxes of a tax group for
// purchases are left aside, and a rate that only they have, or that
// several sales taxes have, fails naming them.
func TestTaxesWithoutATableAreSalesTaxes(t *testing.T) {
	s := trytond(t)
	c := s.open(t, s.Database(t))
	stockUp(t, c)
	addTax := func(name, rate, kind string) {
		t.Helper()
		vat, err := c.idOf(ctx(t), "account.tax", []any{[]any{"name", "=", "VAT 21%"}}, "tax VAT 21%")
		if err != nil {
			t.Fatal(err)
		}
		ref, err := c.read(ctx(t), "account.tax", vat, "company", "invoice_account", "credit_note_account")
		if err != nil {
			t.Fatal(err)
		}
		group, err := c.create(ctx(t), "account.tax.group", map[string]any{"name": name + " group", "code": name, "kind": kind})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.create(ctx(t), "account.tax", map[string]any{"name": name, "description": name, "type": "percentage",
			"rate": map[string]any{"__class__": "Decimal", "decimal": rate}, "company": ref["company"], "group": group,
			"invoice_account": ref["invoice_account"], "credit_note_account": ref["credit_note_account"]}); err != nil {
			t.Fatal(err)
		}
	}
	addTax("VAT 21% purchases", "0.21", "purchase")
	addTax("VAT 6% purchases", "0.06", "purchase")
	addTax("VAT 9% shop", "0.09", "sale")
	tests := []struct {
		rate, want string // the lines' tax, or the error
	}{
		{"21", "VAT 21%"},
		{"6", `customer jane@example.com has no VAT code for NL at 6%; set one in the flow's VAT table (vat_codes); Tryton's taxes of 6% are for purchases only: "VAT 6% purchases"`},
		{"9", `customer jane@example.com has no VAT code for NL at 9%; set one in the flow's VAT table (vat_codes); Tryton has 2 sales taxes of 9%: "VAT 9%", "VAT 9% shop"`},
	}
	for i, tt := range tests {
		t.Run(tt.rate, func(t *testing.T) {
			number := fmt.Sprint(8001 + i)
			data := webOrder(number, "jane@example.com")
			data["vat_country"], data["shipping_tax_rate"] = "NL", tt.rate
			for _, l := range data["lines"].([]any) {
				l.(map[string]any)["tax_rate"] = tt.rate
			}
			res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: number, Data: data,
				Options: writeOptions(t, map[string]any{"vat_codes": ""})})
			if strings.HasPrefix(tt.want, "customer ") {
				class, _ := connectors.Classify(err)
				if err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("got %v (%s), want a permanent error saying %q", err, class, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			model, id, _ := splitTarget(res.TargetID)
			rec, err := c.read(ctx(t), model, id, "lines.taxes.name")
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range anyList(rec["lines"]) {
				if taxes := anyList(l.(map[string]any)["taxes"]); len(taxes) != 1 || text(lookup(taxes[0].(map[string]any), "name")) != tt.want {
					t.Errorf("line %d has the taxes %v, want %s", i+1, taxes, tt.want)
				}
			}
		})
	}
}

// TestOrdersAreNotBookedOnInactiveParties: an order whose customer only
// an inactive party has the e-mail address or code of fails naming it,
// and makes no second party; an active party of the key is taken over
// an inactive one.
func TestOrdersAreNotBookedOnInactiveParties(t *testing.T) {
	s := trytond(t)
	c := s.open(t, s.Database(t))
	stockUp(t, c)
	write := func(number string, party map[string]any) (connectors.WriteResult, error) {
		data := webOrder(number, "")
		data["party"] = party
		return c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: number, Data: data, Options: writeOptions(t, nil)})
	}
	count := func(email string) string {
		n, _ := c.model(ctx(t), "party.party", "search_count", []any{[]any{"contact_mechanisms.value", "=", email}, []any{"active", "in", []any{true, false}}})
		return fmt.Sprint(n)
	}
	old, err := write("8101", map[string]any{"name": "Jane Old", "email": "jane@example.com", "code": "C-JANE"})
	if err != nil {
		t.Fatal(err)
	}
	model, id, _ := splitTarget(old.TargetID)
	sale, _ := c.read(ctx(t), model, id, "party")
	partyID, _ := toInt(sale["party"])
	if err := c.write(ctx(t), "party.party", partyID, map[string]any{"active": false}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		party map[string]any
		want  string
	}{
		{map[string]any{"name": "Jane van Dijk", "email": "JANE@example.com"},
			`Tryton's party "Jane Old" (code C-JANE), found by its e-mail address JANE@example.com, is inactive; orders are not booked on it: ` +
				"make it active in Tryton, or give the customer another e-mail address"},
		{map[string]any{"name": "Jane van Dijk", "code": "C-JANE"}, `Tryton's party "Jane Old" (code C-JANE), found by its code C-JANE, is inactive`},
	} {
		_, err := write("8102", tt.party)
		if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), tt.want) {
			t.Fatalf("got %v (%s), want a permanent error saying %q", err, class, tt.want)
		}
	}
	if _, _, err := c.FindByKey(ctx(t), connectors.Customer, "jane@example.com"); err == nil || !strings.Contains(err.Error(), "is inactive") {
		t.Fatalf("FindByKey of an inactive party's e-mail address: %v", err)
	}
	if n := count("jane@example.com"); n != "1" {
		t.Fatalf("%s parties with Jane's e-mail address after orders of the inactive one, want it alone", n)
	}
	newer, err := c.createParty(ctx(t), party{"name": "Jane New", "email": "jane@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := write("8103", map[string]any{"name": "Jane van Dijk", "email": "jane@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	model, id, _ = splitTarget(res.TargetID)
	if sale, _ := c.read(ctx(t), model, id, "party"); fmt.Sprint(sale["party"]) != fmt.Sprint(newer) {
		t.Fatalf("the order is booked on party %v, want the active one %d", sale["party"], newer)
	}
}

// TestLineCodesAreFoundWhateverTheirCase: a line's product code that
// differs from Tryton's in case only finds the product; one that several
// products' codes match in another case fails naming them.
func TestLineCodesAreFoundWhateverTheirCase(t *testing.T) {
	s := trytond(t)
	c := s.open(t, s.Database(t))
	stockUp(t, c)
	for _, code := range []string{"Cable-1", "CABLE-1"} {
		p := map[string]any{"code": code, "name": "Cable " + code, "list_price": "5.00", "type": "goods"}
		if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Key: code, Data: p, Options: writeOptions(t, nil)}); err != nil {
			t.Fatal(err)
		}
	}
	data := webOrder("8201", "jane@example.com")
	data["lines"].([]any)[0].(map[string]any)["product"] = "chair-oak"
	res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "8201", Data: data, Options: writeOptions(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	model, id, _ := splitTarget(res.TargetID)
	rec, err := c.read(ctx(t), model, id, "lines.product.code")
	if err != nil {
		t.Fatal(err)
	}
	if got := text(lookup(anyList(rec["lines"])[0].(map[string]any), "product.code")); got != "CHAIR-OAK" {
		t.Fatalf("the line of chair-oak is on product %s, want CHAIR-OAK", got)
	}
	data = webOrder("8202", "jane@example.com")
	data["lines"].([]any)[1].(map[string]any)["product"] = "cable-1"
	_, err = c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "8202", Data: data, Options: writeOptions(t, nil)})
	want := "order 8202 line 2: Tryton has no product with code cable-1, but 2 whose codes differ from it in case only: Cable-1, CABLE-1"
	if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v (%s), want a permanent error saying %q", err, class, want)
	}
}
