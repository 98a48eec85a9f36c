package tryton

import (
	"fmt"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestRecordsTrytonHasAreFound: an order already in Tryton is found by its
// reference when the xref was lost, as a sale or an invoice; a sale an
// interrupted write left in draft is finished by the next write; parties
// by e-mail address (in any case), VAT number or code; products by code.
func TestRecordsTrytonHasAreFound(t *testing.T) {
	s := trytond(t)
	c := s.open(t, s.database(t))
	stockUp(t, c)
	written := map[string]string{}
	for number, kind := range map[string]string{"5001": "order", "5002": "invoice"} {
		res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: number, Data: webOrder(number, "jane@example.com"),
			Options: writeOptions(t, map[string]any{"order_type": kind})})
		if err != nil {
			t.Fatal(err)
		}
		written[number] = res.TargetID
	}
	vat := map[string]any{"name": "Bakkerij", "email": "inkoop@bakkerij.example", "code": "C-1024", "tax_identifier": "NL123456782B01",
		"addresses": []any{map[string]any{"street": "Dorpsstraat 12", "postal_code": "1234 AB", "city": "Amsterdam", "country": "NL"}}}
	party, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Customer, Key: "inkoop@bakkerij.example", Data: vat})
	if err != nil {
		t.Fatal(err)
	}
	chair, _, _ := c.search(ctx(t), "product.product", []any{[]any{"code", "=", "CHAIR-OAK"}})
	tests := []struct {
		entity    connectors.Entity
		key, want string
	}{
		{connectors.Order, "5001", written["5001"]},
		{connectors.Order, "5002", written["5002"]},
		{connectors.Order, "5003", ""},
		{connectors.Customer, "Inkoop@Bakkerij.example", party.TargetID},
		{connectors.Customer, "NL123456782B01", party.TargetID},
		{connectors.Customer, "C-1024", party.TargetID},
		{connectors.Customer, "nobody@example.com", ""},
		{connectors.Product, "CHAIR-OAK", fmt.Sprint(chair)},
		{connectors.Product, "LAMP", ""},
	}
	for _, tt := range tests {
		id, found, err := c.FindByKey(ctx(t), tt.entity, tt.key)
		if err != nil || id != tt.want || found != (tt.want != "") {
			t.Errorf("FindByKey(%s, %s) = %q, %v, %v; want %q", tt.entity, tt.key, id, found, err, tt.want)
		}
	}

	// A write cut off after the sale was made and before it was confirmed
	// left it in draft; the engine finds it by its reference and writes
	// again: it is confirmed, not made twice.
	mctx, _ := c.context(ctx(t))
	address, _, _ := c.search(ctx(t), "party.address", []any{[]any{"party", "=", mustInt(t, party.TargetID)}})
	draft, err := c.create(ctx(t), "sale.sale", map[string]any{"company": mctx["company"], "party": mustInt(t, party.TargetID), "reference": "5003",
		"invoice_address": address, "shipment_address": address,
		"lines": []any{[]any{"create", []any{map[string]any{"type": "line", "product": chair, "quantity": 1.0, "unit": 1,
			"unit_price": map[string]any{"__class__": "Decimal", "decimal": "149.95"}, "description": "Oak dining chair"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	target, found, err := c.FindByKey(ctx(t), connectors.Order, "5003")
	if err != nil || !found || target != fmt.Sprintf("sale/%d", draft) {
		t.Fatalf("FindByKey of the draft sale = %q, %v, %v", target, found, err)
	}
	if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Key: "5003", TargetID: target,
		Data: webOrder("5003", "inkoop@bakkerij.example"), Options: writeOptions(t, nil)}); err != nil {
		t.Fatal(err)
	}
	rec, _ := c.read(ctx(t), "sale.sale", draft, "state")
	n, _ := c.model(ctx(t), "sale.sale", "search_count", []any{[]any{"reference", "=", "5003"}})
	if rec["state"] != "processing" || fmt.Sprint(n) != "1" {
		t.Fatalf("the draft sale is %v, and there are %v sales of order 5003; want it confirmed, and one", rec["state"], n)
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, ok := toInt(s)
	if !ok {
		t.Fatalf("%q is not an id", s)
	}
	return n
}
