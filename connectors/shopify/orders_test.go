package shopify

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/shopify/fake"
	"github.com/switchboard-app/switchboard/mappings"
)

func money(amount, currency string) map[string]any {
	return map[string]any{"shopMoney": map[string]any{"amount": amount, "currencyCode": currency},
		"presentmentMoney": map[string]any{"amount": amount, "currencyCode": currency}}
}

// line is an order's line as the schema's LineItem, of quantity units of
// which current are left.
func line(sku string, quantity, current int, price, discount, cur string) map[string]any {
	return map[string]any{"sku": sku, "name": sku, "title": sku, "quantity": quantity, "currentQuantity": current,
		"originalUnitPriceSet": money(price, cur), "discountedUnitPriceSet": money(price, cur),
		"totalDiscountSet": money(discount, cur), "taxLines": []any{}}
}

// orderMapping is the default order mapping, compiled.
func orderMapping(t *testing.T) *mappings.Program {
	t.Helper()
	defaults, err := mappings.LoadDefaults(Mappings, ".")
	if err != nil {
		t.Fatal(err)
	}
	p, err := mappings.Compile(mappings.FlowConfig{Entity: "order", In: mappings.Find(defaults, "order", mappings.In)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEditedOrderIsReadAsItIsNow: an order whose line was lowered from 3
// to 1 by an edit (or a refund) and whose other line was removed is read
// with the quantities it has now (currentQuantity), without the removed
// line, with the line's discount for what is left of it, and with the
// order's current amounts, so that its lines add up to its subtotal; it
// was booked with 3 and the removed line. In a currency without cents
// (JPY) the discount's share is rounded to whole yen.
func TestEditedOrderIsReadAsItIsNow(t *testing.T) {
	for _, tc := range []struct {
		currency, price, discount, other, subtotal string
		wantDiscount                               string
	}{
		{"EUR", "10.00", "3.00", "5.00", "14.00", "1.00"},
		{"JPY", "1000", "100", "500", "1467", "33"},
	} {
		t.Run(tc.currency, func(t *testing.T) {
			s := newShop(t, fake.Options{})
			cur := tc.currency
			s.AddOrder(map[string]any{"currencyCode": cur, "taxesIncluded": false,
				"displayFinancialStatus": "PARTIALLY_REFUNDED",
				"subtotalPriceSet":       money("999", cur), "totalPriceSet": money("999", cur),
				"totalShippingPriceSet": money("0", cur), "totalDiscountsSet": money("3", cur), "totalTaxSet": money("0", cur),
				"currentSubtotalPriceSet": money(tc.subtotal, cur), "currentTotalPriceSet": money(tc.subtotal, cur),
				"lineItems": []any{
					line("MUG", 3, 1, tc.price, tc.discount, cur),
					line("GONE", 2, 0, tc.price, "0", cur),
					line("CUP", 1, 1, tc.other, "0", cur),
				}})
			recs, _ := readAll(t, s.open(t), connectors.Order, "", options(t, connectors.UseRead, nil))
			if len(recs) != 1 {
				t.Fatalf("read %d orders", len(recs))
			}
			res, err := orderMapping(t).Run(recs[0].Data)
			if err != nil {
				t.Fatal(err)
			}
			lines := res.Canonical["lines"].([]any)
			var got []string
			sum := new(big.Rat)
			for _, l := range lines {
				line := l.(map[string]any)
				got = append(got, fmt.Sprint(line["sku"], " ", line["quantity"], " ", line["discount"]))
				amount := new(big.Rat).Mul(rat(t, line["quantity"]), rat(t, line["unit_price"]))
				sum.Add(sum, amount.Sub(amount, rat(t, line["discount"])))
			}
			if want := "MUG 1 " + tc.wantDiscount + ", CUP 1 0"; strings.Join(got, ", ") != want {
				t.Errorf("the lines are %s, want %s", strings.Join(got, ", "), want)
			}
			totals := res.Canonical["totals"].(map[string]any)
			if fmt.Sprint(totals["subtotal"]) != tc.subtotal || fmt.Sprint(totals["total"]) != tc.subtotal {
				t.Errorf("totals %v, want the current subtotal and total %s", totals, tc.subtotal)
			}
			if sum.Cmp(rat(t, tc.subtotal)) != 0 {
				t.Errorf("the lines add up to %s, the order's current subtotal is %s", sum.FloatString(2), tc.subtotal)
			}
		})
	}
}

// TestEditedOrderWebhookHasTheCurrentQuantity: an orders/updated webhook
// of an order whose line was lowered from 2 to 1 (REST's current_quantity
// and current_*_set) maps as a read of it does.
func TestEditedOrderWebhookHasTheCurrentQuantity(t *testing.T) {
	s := newShop(t, fake.Options{})
	body := strings.Replace(restOrder, `"quantity": 2,`, `"quantity": 2, "current_quantity": 1,`, 1)
	body = strings.Replace(body, `"total_price_set":`, `"current_subtotal_price_set": {"shop_money": {"amount": "134.10", "currency_code": "EUR"}},
 "current_total_price_set": {"shop_money": {"amount": "141.05", "currency_code": "EUR"}}, "total_price_set":`, 1)
	hook, err := s.open(t).ParseWebhook(signed("x", "orders/updated", body))
	if err != nil {
		t.Fatal(err)
	}
	res, err := orderMapping(t).Run(hook.Records[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	got := mappings.Show(res.Canonical)
	for _, want := range []string{`quantity: 1`, `discount: 14.90`, `subtotal: 134.10`, `total: 141.05`} {
		if !strings.Contains(got, want) {
			t.Errorf("the canonical order lacks %s:\n%s", want, got)
		}
	}
}

// TestPricesInACurrencyOfThreeDecimals: an order in Bahraini dinars
// (three decimals) from a webhook keeps its shipping to the fils, and a
// shop whose prices include tax gives its lines' prices without tax to
// the fils too; both were rounded to two decimals (1.255 to 1.26).
func TestPricesInACurrencyOfThreeDecimals(t *testing.T) {
	s := newShop(t, fake.Options{})
	body := strings.NewReplacer(`"EUR"`, `"BHD"`, `"price": "149.00"`, `"price": "2.345"`, `"amount": "149.00"`, `"amount": "2.345"`,
		`"rate": 0.21`, `"rate": 0.10`, `"amount": "6.95"`, `"amount": "1.255"`).Replace(restOrder)
	hook, err := s.open(t).ParseWebhook(signed("x", "orders/create", body))
	if err != nil {
		t.Fatal(err)
	}
	res, err := orderMapping(t).Run(hook.Records[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	got := mappings.Show(res.Canonical)
	for _, want := range []string{`unit_price: 2.132`, `unit_price_incl: 2.345`, `cost_incl: 1.255`, `currency: "BHD"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the canonical order lacks %s:\n%s", want, got)
		}
	}
}

// TestTaxRatesOfALineAddUp: a line taxed twice (Canada's GST and a
// province's PST, a US state's and a county's tax) has the rates added
// up as its tax rate, and in a shop whose prices include tax its price
// without tax is the price less both; they were the first tax's alone. A
// webhook's rate keeps its decimals (Quebec's QST of 9.975%, not 9.98).
func TestTaxRatesOfALineAddUp(t *testing.T) {
	two := `"tax_lines": [{"title": "GST", "rate": 0.05, "price": "5.60", "price_set": {"shop_money": {"amount": "5.60", "currency_code": "CAD"}}},
   {"title": "PST", "rate": 0.07, "price": "7.84", "price_set": {"shop_money": {"amount": "7.84", "currency_code": "CAD"}}}]}]`
	for _, tc := range []struct {
		included string
		want     []string
	}{
		{"true", []string{`tax_rate: 12.00`, `unit_price: 100.00`, `unit_price_incl: 112.00`}},
		{"false", []string{`tax_rate: 12.00`, `unit_price: 112.00`}},
		{"false", []string{`tax_rate: 14.975`}}, // GST and Quebec's QST of 9.975%
	} {
		s := newShop(t, fake.Options{})
		tax := restOrder[strings.Index(restOrder, `"tax_lines": [{"title": "BTW"`):strings.Index(restOrder, `"shipping_lines"`)]
		tax = tax[:strings.LastIndex(tax, "]}]")+3]
		taxes := two
		if strings.Contains(tc.want[0], "14.975") {
			taxes = strings.Replace(two, `"rate": 0.07`, `"rate": 0.09975`, 1)
		}
		body := strings.NewReplacer(tax, taxes, `"EUR"`, `"CAD"`, `"price": "149.00"`, `"price": "112.00"`, `"amount": "149.00"`, `"amount": "112.00"`,
			`"taxes_included": true`, `"taxes_included": `+tc.included).Replace(restOrder)
		hook, err := s.open(t).ParseWebhook(signed("x", "orders/create", body))
		if err != nil {
			t.Fatal(err)
		}
		res, err := orderMapping(t).Run(hook.Records[0].Data)
		if err != nil {
			t.Fatal(err)
		}
		got := mappings.Show(res.Canonical["lines"])
		for _, want := range tc.want {
			if !strings.Contains(got, want) {
				t.Errorf("taxes included %s: the lines lack %s: %s", tc.included, want, got)
			}
		}
	}
}

// TestAnOrderWithoutLineItemsMaps: a record without lineItems (made by
// another source's mapping) maps without lines; only its own missing
// fields are named.
func TestAnOrderWithoutLineItemsMaps(t *testing.T) {
	_, err := orderMapping(t).Run(map[string]any{"id": "gid://shopify/Order/1", "name": "#1", "currencyCode": "EUR"})
	if err != nil && strings.Contains(err.Error(), "field lines") {
		t.Fatalf("an order without lineItems: %v", err)
	}
}
