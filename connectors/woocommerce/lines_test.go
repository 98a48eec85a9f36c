package woocommerce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"testing"

	"github.com/switchboard-app/switchboard/mappings"
)

// TestFeesAreLinesThatAddUp: WooCommerce's fee lines (a payment
// surcharge, gift wrapping) are lines of the canonical order, without a
// SKU, so that its lines and shipping add up to the order's total.
func TestFeesAreLinesThatAddUp(t *testing.T) {
	native := exampleOrder(t)
	native["fee_lines"] = []any{
		map[string]any{"id": 401, "name": "Payment surcharge", "tax_class": "", "tax_status": "taxable", "total": "2.50", "total_tax": "0.19",
			"taxes": []any{map[string]any{"id": 75, "total": "0.19", "subtotal": ""}}, "meta_data": []any{}},
		map[string]any{"id": 402, "name": "Gift wrap", "tax_class": "", "tax_status": "none", "total": "3.00", "total_tax": "0.00",
			"taxes": []any{}, "meta_data": []any{}},
	}
	native["total"], native["total_tax"] = "35.04", "1.54"
	order := mapOrder(t, native)
	sum := new(big.Rat)
	fees := map[string]map[string]any{}
	for _, l := range order["lines"].([]any) {
		line := l.(map[string]any)
		sum.Add(sum, rat(t, line["total_incl"]))
		if name, _ := line["name"].(string); name == "Payment surcharge" || name == "Gift wrap" {
			fees[name] = line
		}
	}
	sum.Add(sum, rat(t, order["shipping_method"].(map[string]any)["cost_incl"]))
	if total := rat(t, order["totals"].(map[string]any)["total"]); sum.Cmp(total) != 0 {
		t.Fatalf("the lines and shipping add up to %s, the order's total is %s", sum.FloatString(2), total.FloatString(2))
	}
	surcharge := fees["Payment surcharge"]
	if surcharge == nil || fees["Gift wrap"] == nil {
		t.Fatalf("lines %v; want the fees among them", order["lines"])
	}
	if surcharge["sku"] != nil || fmt.Sprint(surcharge["quantity"]) != "1" || fmt.Sprint(surcharge["total"]) != "2.50" ||
		fmt.Sprint(surcharge["tax"]) != "0.19" || fmt.Sprint(surcharge["id"]) != "401" {
		t.Errorf("the surcharge is the line %v", surcharge)
	}
}

// mapOrder maps a native order with the default mapping in.
func mapOrder(t *testing.T, native map[string]any) map[string]any {
	t.Helper()
	defaults, err := mappings.LoadDefaults(Mappings, ".")
	if err != nil {
		t.Fatal(err)
	}
	p, err := mappings.Compile(mappings.FlowConfig{Entity: "order", In: mappings.Find(defaults, "order", mappings.In)})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(native)
	var in map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		t.Fatal(err)
	}
	res, err := p.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	var order map[string]any
	canonical, _ := json.Marshal(res.Canonical)
	if err := json.Unmarshal(canonical, &order); err != nil {
		t.Fatal(err)
	}
	return order
}

func rat(t *testing.T, v any) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(fmt.Sprint(v))
	if !ok {
		t.Fatalf("%v is not a number", v)
	}
	return r
}

// TestShippingLinesAddUp: an order shipped by more than one shipping line
// (two packages, each with its own method) costs their sum, with their
// tax, so that its lines and shipping add up to the order's total; the
// second line's cost was dropped.
func TestShippingLinesAddUp(t *testing.T) {
	native := exampleOrder(t)
	native["shipping_lines"] = []any{
		map[string]any{"id": 317, "method_title": "Flat Rate", "method_id": "flat_rate", "total": "10.00", "total_tax": "2.10", "taxes": []any{}, "meta_data": []any{}},
		map[string]any{"id": 318, "method_title": "Bulky goods", "method_id": "flat_rate", "total": "5.00", "total_tax": "1.05", "taxes": []any{}, "meta_data": []any{}},
	}
	native["shipping_total"], native["shipping_tax"] = "15.00", "3.15"
	native["total"], native["total_tax"] = "37.50", "4.50"
	order := mapOrder(t, native)
	ship := order["shipping_method"].(map[string]any)
	if fmt.Sprint(ship["cost"]) != "15.00" && fmt.Sprint(ship["cost"]) != "15" {
		t.Errorf("shipping cost %v; want 15.00", ship["cost"])
	}
	if fmt.Sprint(ship["name"]) != "Flat Rate, Bulky goods" {
		t.Errorf("shipping method %v; want both lines' names", ship["name"])
	}
	sum := rat(t, ship["cost_incl"])
	for _, l := range order["lines"].([]any) {
		sum.Add(sum, rat(t, l.(map[string]any)["total_incl"]))
	}
	if total := rat(t, order["totals"].(map[string]any)["total"]); sum.Cmp(total) != 0 {
		t.Fatalf("the lines and shipping add up to %s, the order's total is %s", sum.FloatString(2), total.FloatString(2))
	}
}

// TestVariationStockManagedByItsParent: WooCommerce says "parent" for
// manage_stock of a variation whose stock its product manages; the
// variation's stock is then the product's, and the product is read,
// instead of failing as a non-bool condition.
func TestVariationStockManagedByItsParent(t *testing.T) {
	defaults, err := mappings.LoadDefaults(Mappings, ".")
	if err != nil {
		t.Fatal(err)
	}
	p, err := mappings.Compile(mappings.FlowConfig{Entity: "product", In: mappings.Find(defaults, "product", mappings.In)})
	if err != nil {
		t.Fatal(err)
	}
	native := map[string]any{"id": json.Number("799"), "name": "Ship Your Idea", "sku": "SYI", "type": "variable", "status": "publish",
		"regular_price": "", "sale_price": "", "manage_stock": true, "stock_quantity": json.Number("12"),
		"variations": []any{
			map[string]any{"id": json.Number("732"), "sku": "SYI-BLK-S", "regular_price": "9.00", "sale_price": "",
				"manage_stock": "parent", "stock_quantity": json.Number("12"), "optionsByName": map[string]any{"Color": "Black"}},
			map[string]any{"id": json.Number("733"), "sku": "SYI-GRN-M", "regular_price": "10.00", "sale_price": "",
				"manage_stock": true, "stock_quantity": json.Number("3"), "optionsByName": map[string]any{"Color": "Green"}},
			map[string]any{"id": json.Number("734"), "sku": "SYI-RED-L", "regular_price": "10.00", "sale_price": "",
				"manage_stock": false, "stock_quantity": nil, "optionsByName": map[string]any{"Color": "Red"}},
		}}
	res, err := p.Run(native)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range res.Canonical["variants"].([]any) {
		v := v.(map[string]any)
		got = append(got, fmt.Sprint(v["sku"], "=", v["stock_quantity"]))
	}
	if want := "[SYI-BLK-S=12 SYI-GRN-M=3 SYI-RED-L=<nil>]"; fmt.Sprint(got) != want {
		t.Fatalf("variants' stock %v, want %s", got, want)
	}
}

// TestPricesInACurrencyOfThreeDecimals: a shop in Kuwaiti dinars (three
// decimals, as WooCommerce is set up for them) gives its lines' unit
// prices to the fils; they were rounded to two decimals, 1.255 to 1.26,
// so that a line no longer added up to its total.
func TestPricesInACurrencyOfThreeDecimals(t *testing.T) {
	for _, tc := range []struct {
		currency, subtotal, tax, want string
	}{
		{"KWD", "2.510", "0.000", "1.255 1.255"},
		{"BHD", "2.510", "0.251", "1.255 1.381"},
		{"EUR", "6.00", "0.45", "3.00 3.23"},
	} {
		native := exampleOrder(t)
		native["currency"] = tc.currency
		line := native["line_items"].([]any)[0].(map[string]any)
		line["subtotal"], line["total"], line["subtotal_tax"], line["total_tax"] = tc.subtotal, tc.subtotal, tc.tax, tc.tax
		order := mapOrder(t, native)
		first := order["lines"].([]any)[0].(map[string]any)
		if got := fmt.Sprint(first["unit_price"], " ", first["unit_price_incl"]); got != tc.want {
			t.Errorf("%s: a line of 2 for %s (%s tax) has unit prices %s, want %s", tc.currency, tc.subtotal, tc.tax, got, tc.want)
		}
	}
}
