package businesscentral

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// sequenceStep is how far apart lines are numbered, as Business Central
// numbers the lines people add.
const sequenceStep = 10000

// lines are the document's lines: each on its item (found by number), with
// the tax code of its rate for the customer's country when the flow has a
// VAT table (a line without an item number, a fee, on the flow's fee
// item); and the shipping costs as a line on the flow's shipping item.
func (o *order) lines(ctx context.Context, who string) ([]map[string]any, error) {
	raw, _ := o.data[fieldLines].([]any)
	shipping, _ := o.data[fieldShipping].(map[string]any)
	costs := amount(shipping)
	items, err := o.itemIDs(ctx, raw, costs != 0)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(raw)+1)
	highest := ""
	for i, l := range raw {
		src, ok := l.(map[string]any)
		if !ok {
			return nil, connectors.Permanent(fmt.Errorf("order %s: line %d is not an object", o.number, i+1))
		}
		rate := rest.LookupString(src, "taxRate")
		highest = higher(highest, rate)
		line, err := o.line(src, items[o.itemNumber(src)], len(out)+1, who, rate)
		if err != nil {
			return nil, err
		}
		out = append(out, line)
	}
	if costs == 0 {
		return out, nil
	}
	rate := coalesce(rest.LookupString(shipping, "taxRate"), highest)
	line, err := o.line(map[string]any{"description": shippingText(shipping), "quantity": 1, "unitPrice": shipping["amount"]},
		items[o.opts.ShippingSKU], len(out)+1, who, rate)
	if err != nil {
		return nil, err
	}
	return append(out, line), nil
}

// line is one line of the document: the mapped line without its item
// number and rate, on the item, at its place, with its tax code; without a
// discount its discount is 0, so that an update of the line clears one.
func (o *order) line(src map[string]any, itemID string, place int, who, rate string) (map[string]any, error) {
	line := map[string]any{"sequence": place * sequenceStep, "lineType": "Item", "itemId": itemID, "discountAmount": 0}
	for k, v := range src {
		if k != "itemNumber" && k != "taxRate" {
			line[k] = v
		}
	}
	if o.untax {
		withoutTax(line, rate)
	}
	if rate == "" {
		return line, nil
	}
	country := rest.LookupString(o.data, fieldTaxCountry)
	code, found, err := o.opts.VATCode(country, rate)
	switch {
	case err != nil:
		return nil, connectors.Permanent(fmt.Errorf("order %s: %w", o.number, err))
	case found:
		line["taxCode"] = code
	case len(o.opts.VATCodes) > 0:
		return nil, connectors.Permanent(erp.NoVATCode(who, country, rate))
	}
	return line, nil
}

// itemNumber is the number of a line's item: its own, or for a line
// without one (a fee) the flow's fee item; "" when neither is set.
func (o *order) itemNumber(line any) string {
	if number := rest.LookupString(line, "itemNumber"); number != "" {
		return number
	}
	return o.opts.FeeSKU
}

// itemIDs finds the items of the lines (and of the shipping costs) by
// number, in one call; an item Business Central does not have fails the
// order, saying so.
func (o *order) itemIDs(ctx context.Context, lines []any, shipping bool) (map[string]string, error) {
	want := map[string]bool{}
	for i, l := range lines {
		number := o.itemNumber(l)
		if number == "" {
			return nil, connectors.Permanent(erp.NoFeeSKU(o.number, i+1, rest.LookupString(l, "description")))
		}
		want[number] = true
	}
	if shipping {
		if o.opts.ShippingSKU == "" {
			return nil, connectors.Permanent(erp.NoShippingSKU(o.number, rest.LookupString(o.data[fieldShipping], "amount")))
		}
		want[o.opts.ShippingSKU] = true
	}
	ids, err := o.c.itemsByNumber(ctx, want)
	if err != nil {
		return nil, err
	}
	var missing []string
	for number := range want {
		if ids[number] == "" {
			missing = append(missing, number)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, connectors.Permanent(fmt.Errorf("order %s: item %s does not exist in Business Central; add it there (or let a product flow "+
			"into Business Central make it), then retry", o.number, strings.Join(missing, ", ")))
	}
	return ids, nil
}

// itemsByNumber returns the ids of the items with the numbers, by the
// numbers as asked for: Business Central keeps item numbers in capitals
// and finds them whatever the case.
func (c *Conn) itemsByNumber(ctx context.Context, numbers map[string]bool) (map[string]string, error) {
	ids := map[string]string{}
	if len(numbers) == 0 {
		return ids, nil
	}
	var clauses []string
	for n := range numbers {
		clauses = append(clauses, "number eq "+literal(n))
	}
	sort.Strings(clauses)
	var body struct {
		Value []map[string]any `json:"value"`
	}
	q := url.Values{"$filter": {strings.Join(clauses, " or ")}}
	if err := c.call(ctx, rest.Request{Path: "items", Query: q}, &body); err != nil {
		return nil, fmt.Errorf("looking up the order's items: %w", err)
	}
	found := map[string]string{}
	for _, it := range body.Value {
		found[strings.ToUpper(rest.LookupString(it, "number"))] = rest.LookupString(it, "id")
	}
	for n := range numbers {
		if id, ok := found[strings.ToUpper(n)]; ok {
			ids[n] = id
		}
	}
	return ids, nil
}

// amount is the shipping costs' amount; 0 without.
func amount(shipping map[string]any) float64 {
	f, _ := strconv.ParseFloat(rest.LookupString(shipping, "amount"), 64)
	return f
}

func shippingText(shipping map[string]any) string {
	if d := rest.LookupString(shipping, "description"); d != "" {
		return "Shipping: " + d
	}
	return "Shipping"
}

// withoutTax takes the tax at rate percent out of a line's price and
// discount, to four decimals, for a document whose prices are without tax.
func withoutTax(line map[string]any, rate string) {
	r, _ := strconv.ParseFloat(rate, 64)
	for _, k := range []string{"unitPrice", "discountAmount"} {
		if f, err := strconv.ParseFloat(rest.LookupString(line, k), 64); err == nil {
			line[k] = math.Round(f/(1+r/100)*10000) / 10000
		}
	}
}
