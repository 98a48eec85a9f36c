package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"testing"

	"github.com/switchboard-app/switchboard/mappings"
)

// TestOrderLinesAddUp: a canonical order's lines add up to its subtotal
// as every target reads them, quantity times unit price less the line's
// discount: the unit price is the one before the discount that discount
// holds (Shopify's discounted unit price already has it taken off).
func TestOrderLinesAddUp(t *testing.T) {
	defaults, err := mappings.LoadDefaults(Mappings, ".")
	if err != nil {
		t.Fatal(err)
	}
	p, err := mappings.Compile(mappings.FlowConfig{Entity: "order", In: mappings.Find(defaults, "order", mappings.In)})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/order.json")
	if err != nil {
		t.Fatal(err)
	}
	var native map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&native); err != nil {
		t.Fatal(err)
	}
	res, err := p.Run(native)
	if err != nil {
		t.Fatal(err)
	}
	var order map[string]any
	canonical, _ := json.Marshal(res.Canonical)
	if err := json.Unmarshal(canonical, &order); err != nil {
		t.Fatal(err)
	}
	sum := new(big.Rat)
	for _, l := range order["lines"].([]any) {
		line := l.(map[string]any)
		amount := new(big.Rat).Mul(rat(t, line["quantity"]), rat(t, line["unit_price_incl"]))
		sum.Add(sum, amount.Sub(amount, rat(t, line["discount"])))
	}
	if subtotal := rat(t, order["totals"].(map[string]any)["subtotal"]); sum.Cmp(subtotal) != 0 {
		t.Fatalf("the lines add up to %s, the order's subtotal is %s", sum.FloatString(2), subtotal.FloatString(2))
	}
}

func rat(t *testing.T, v any) *big.Rat {
	r, ok := new(big.Rat).SetString(fmt.Sprint(v))
	if !ok {
		t.Fatalf("%v is not a number", v)
	}
	return r
}

// TestDiscountCodesAreNotCountedTwice: an order's codes are one discount
// of the order's whole amount; with two codes (discounts Shopify
// combines) each was given the whole discount, which made the order's
// discounts add up to twice what it was given off.
func TestDiscountCodesAreNotCountedTwice(t *testing.T) {
	for _, tc := range []struct {
		codes []any
		want  string
	}{
		{[]any{"SPRING10"}, "SPRING10 29.80"},
		{[]any{"SPRING10", "FREESHIP"}, "SPRING10, FREESHIP 29.80"},
	} {
		defaults, err := mappings.LoadDefaults(Mappings, ".")
		if err != nil {
			t.Fatal(err)
		}
		p, err := mappings.Compile(mappings.FlowConfig{Entity: "order", In: mappings.Find(defaults, "order", mappings.In)})
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile("testdata/order.json")
		if err != nil {
			t.Fatal(err)
		}
		var native map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&native); err != nil {
			t.Fatal(err)
		}
		native["discountCodes"] = tc.codes
		res, err := p.Run(native)
		if err != nil {
			t.Fatal(err)
		}
		discounts, _ := res.Canonical["discounts"].([]any)
		if len(discounts) != 1 {
			t.Fatalf("codes %v: discounts %v, want one", tc.codes, discounts)
		}
		d := discounts[0].(map[string]any)
		if got := fmt.Sprint(d["code"], " ", d["amount"]); got != tc.want {
			t.Errorf("codes %v: discount %q, want %q", tc.codes, got, tc.want)
		}
	}
}

// TestOrderLevelDiscountIsOnTheLines: a discount of the whole order (10%
// off the order) is allocated to its lines, which Shopify's
// totalDiscountSet leaves out; a line's discount is what its
// discountAllocations took off, so that the lines still add up to the
// order's subtotal after its discounts.
func TestOrderLevelDiscountIsOnTheLines(t *testing.T) {
	defaults, err := mappings.LoadDefaults(Mappings, ".")
	if err != nil {
		t.Fatal(err)
	}
	p, err := mappings.Compile(mappings.FlowConfig{Entity: "order", In: mappings.Find(defaults, "order", mappings.In)})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/order.json")
	if err != nil {
		t.Fatal(err)
	}
	var native map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&native); err != nil {
		t.Fatal(err)
	}
	money := func(amount string) map[string]any {
		return map[string]any{"shopMoney": map[string]any{"amount": amount, "currencyCode": "EUR"}}
	}
	lines := native["lineItems"].(map[string]any)["nodes"].([]any)
	for i, allocated := range []string{"29.80", "1.30"} {
		line := lines[i].(map[string]any)
		line["totalDiscountSet"] = money("0.00")
		line["discountAllocations"] = []any{map[string]any{"allocatedAmountSet": money(allocated)}}
	}
	native["subtotalPriceSet"], native["totalDiscountsSet"] = money("279.85"), money("31.10")
	res, err := p.Run(native)
	if err != nil {
		t.Fatal(err)
	}
	var order map[string]any
	canonical, _ := json.Marshal(res.Canonical)
	if err := json.Unmarshal(canonical, &order); err != nil {
		t.Fatal(err)
	}
	sum := new(big.Rat)
	for _, l := range order["lines"].([]any) {
		line := l.(map[string]any)
		amount := new(big.Rat).Mul(rat(t, line["quantity"]), rat(t, line["unit_price_incl"]))
		sum.Add(sum, amount.Sub(amount, rat(t, line["discount"])))
	}
	if subtotal := rat(t, order["totals"].(map[string]any)["subtotal"]); sum.Cmp(subtotal) != 0 {
		t.Fatalf("the lines add up to %s, the order's subtotal is %s", sum.FloatString(2), subtotal.FloatString(2))
	}
}

// TestOrderStatus: a Shopify order's status as the other shops give it:
// a fully refunded order is refunded, not still processing.
func TestOrderStatus(t *testing.T) {
	defaults, err := mappings.LoadDefaults(Mappings, ".")
	if err != nil {
		t.Fatal(err)
	}
	p, err := mappings.Compile(mappings.FlowConfig{Entity: "order", In: mappings.Find(defaults, "order", mappings.In)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cancelled           any
		financial, shipping string
		want                string
	}{
		{nil, "PAID", "UNFULFILLED", "processing"},
		{nil, "PAID", "FULFILLED", "completed"},
		{nil, "PARTIALLY_REFUNDED", "FULFILLED", "completed"},
		{nil, "REFUNDED", "UNFULFILLED", "refunded"},
		{nil, "REFUNDED", "FULFILLED", "refunded"},
		{"2025-03-15T10:00:00Z", "REFUNDED", "UNFULFILLED", "cancelled"},
	} {
		data, err := os.ReadFile("testdata/order.json")
		if err != nil {
			t.Fatal(err)
		}
		var native map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&native); err != nil {
			t.Fatal(err)
		}
		native["cancelledAt"], native["displayFinancialStatus"], native["displayFulfillmentStatus"] = tc.cancelled, tc.financial, tc.shipping
		res, err := p.Run(native)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(res.Canonical["status"]); got != tc.want {
			t.Errorf("cancelled %v, %s, %s: status %s, want %s", tc.cancelled, tc.financial, tc.shipping, got, tc.want)
		}
	}
}

// TestCompareAtPriceIsASaleOnlyAbovePrice: Shopify shows a variant's
// compare-at price struck through only when it is above its price; one
// at or below the price (left from an ended sale) is no sale, and the
// list price stays the price, instead of a list price below the sale.
func TestCompareAtPriceIsASaleOnlyAbovePrice(t *testing.T) {
	defaults, err := mappings.LoadDefaults(Mappings, ".")
	if err != nil {
		t.Fatal(err)
	}
	p, err := mappings.Compile(mappings.FlowConfig{Entity: "product", In: mappings.Find(defaults, "product", mappings.In)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		compareAt any
		want      string
	}{
		{"25.00", "25.00 20.00"},
		{"20.00", "20.00 <nil>"},
		{"15.00", "20.00 <nil>"},
		{nil, "20.00 <nil>"},
	} {
		variant := func(sku string) map[string]any {
			return map[string]any{"sku": sku, "title": sku, "price": "20.00", "compareAtPrice": tc.compareAt, "inventoryQuantity": json.Number("1"),
				"optionsByName": map[string]any{"Size": sku}}
		}
		native := map[string]any{"id": "gid://shopify/Product/1", "title": "Shirt", "status": "ACTIVE", "handle": "shirt", "tags": []any{},
			"options":  []any{map[string]any{"name": "Size", "values": []any{"S", "M"}}},
			"variants": map[string]any{"nodes": []any{variant("S"), variant("M")}}}
		res, err := p.Run(native)
		if err != nil {
			t.Fatal(err)
		}
		prices := res.Canonical["prices"].(map[string]any)
		v := res.Canonical["variants"].([]any)[0].(map[string]any)
		if got := fmt.Sprint(prices["list"], " ", prices["sale"]); got != tc.want {
			t.Errorf("compare-at %v: prices %s, want %s", tc.compareAt, got, tc.want)
		}
		if got := fmt.Sprint(v["price"], " ", v["sale_price"]); got != tc.want {
			t.Errorf("compare-at %v: the variant's prices %s, want %s", tc.compareAt, got, tc.want)
		}
	}
}
