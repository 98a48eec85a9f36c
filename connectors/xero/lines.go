package xero

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// lines are the invoice's lines: each with the tax type of its rate for
// the customer's country, its item only when Xero has it, and the flow's
// sales account; and the shipping costs as a line of their own.
func (o *order) lines(ctx context.Context, who string) ([]any, error) {
	raw, _ := o.data["LineItems"].([]any)
	known, err := o.knownItems(ctx, raw)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(raw)+1)
	highest := ""
	for i, l := range raw {
		src, ok := l.(map[string]any)
		if !ok {
			return nil, connectors.Permanent(fmt.Errorf("order %s: line %d is not an object", o.number, i+1))
		}
		line, rate := o.line(src, known)
		if rate != "" {
			if line["TaxType"], err = o.taxType(ctx, who, rate); err != nil {
				return nil, err
			}
			highest = higher(highest, rate)
		}
		out = append(out, line)
	}
	shipping, err := o.shippingLine(ctx, who, highest)
	if err != nil || shipping == nil {
		return out, err
	}
	return append(out, shipping), nil
}

// line is a copy of a mapped line without its rate, which it returns: its
// item code only when Xero has the item, the sales account when it names
// none.
func (o *order) line(src map[string]any, known map[string]bool) (map[string]any, string) {
	line := make(map[string]any, len(src)+1)
	for k, v := range src {
		line[k] = v
	}
	rate := rest.LookupString(line, fieldLineRate)
	delete(line, fieldLineRate)
	if code := rest.LookupString(line, "ItemCode"); code != "" && !known[code] {
		delete(line, "ItemCode") // an item Xero does not have: the line keeps its description
	}
	if rest.LookupString(line, "AccountCode") == "" && o.account != "" {
		line["AccountCode"] = o.account
	}
	return line, rate
}

// shippingLine is the order's shipping costs as a line: on the flow's
// shipping item when it names one, taxed at the shipping's rate or else
// the highest rate of the lines; nil without costs.
func (o *order) shippingLine(ctx context.Context, who, highest string) (map[string]any, error) {
	s, _ := o.data[fieldShipping].(map[string]any)
	amount := rest.LookupString(s, "Amount")
	if f, err := strconv.ParseFloat(amount, 64); err != nil || f == 0 {
		return nil, nil
	}
	line := map[string]any{"Description": "Shipping", "Quantity": 1, "UnitAmount": s["Amount"], "AccountCode": o.account}
	if d := rest.LookupString(s, "Description"); d != "" {
		line["Description"] = "Shipping: " + d
	}
	if o.opts.ShippingSKU != "" {
		line["ItemCode"] = o.opts.ShippingSKU
	}
	rate := rest.LookupString(s, fieldLineRate)
	if rate == "" {
		rate = highest
	}
	if rate != "" {
		tt, err := o.taxType(ctx, who, rate)
		if err != nil {
			return nil, err
		}
		line["TaxType"] = tt
	}
	return line, nil
}

// higher is the higher of two rates in percent; "" is none.
func higher(a, b string) string {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA != nil || (errB == nil && y > x) {
		return b
	}
	return a
}

// taxType is the tax type of a line at rate percent for the customer: the
// flow's VAT table's, or, when the flow has none, the one sales tax rate
// Xero has at that rate.
func (o *order) taxType(ctx context.Context, who, rate string) (string, error) {
	country := rest.LookupString(o.data, fieldTaxCountry)
	code, found, err := o.opts.VATCode(country, rate)
	if err != nil {
		return "", connectors.Permanent(fmt.Errorf("order %s: %w", o.number, err))
	}
	if found {
		return code, nil
	}
	if len(o.opts.VATCodes) > 0 {
		return "", connectors.Permanent(erp.NoVATCode(who, country, rate))
	}
	code, why, err := o.c.taxes.byRate(ctx, o.c, rate)
	if err != nil {
		return "", err
	}
	if code == "" {
		return "", connectors.Permanent(fmt.Errorf("%w; %s", erp.NoVATCode(who, country, rate), why))
	}
	return code, nil
}

// knownItems are the item codes of the lines that Xero has.
func (o *order) knownItems(ctx context.Context, lines []any) (map[string]bool, error) {
	var clauses []string
	for _, l := range lines {
		if code := rest.LookupString(l, "ItemCode"); code != "" {
			clauses = append(clauses, "Code=="+quote(code))
		}
	}
	known := map[string]bool{}
	if len(clauses) == 0 {
		return known, nil
	}
	items, err := o.c.findAll(ctx, "Items", strings.Join(clauses, " OR "))
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		known[rest.LookupString(it, "Code")] = true
	}
	return known, nil
}
