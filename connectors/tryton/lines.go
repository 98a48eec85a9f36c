package tryton

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
)

// lines makes the order's lines: each product found by its code (SKU),
// in its sale unit, with the tax the flow's VAT table (or Tryton's one
// tax of the rate) gives; shipping costs as a line of the shipping
// product, a line without a SKU (a fee) on the fee product. An invoice's lines also get their revenue account.
func (o *order) lines(ctx context.Context, invoice bool) ([]any, error) {
	in := anyList(o.doc["lines"])
	if len(in) == 0 {
		return nil, connectors.Permanent(fmt.Errorf("order %s has no lines", o.number))
	}
	if shipping, err := o.shippingLine(); err != nil {
		return nil, err
	} else if shipping != nil {
		in = append(append([]any{}, in...), shipping)
	}
	out := make([]any, 0, len(in))
	for i, l := range in {
		line, ok := l.(map[string]any)
		if !ok {
			return nil, connectors.Permanent(fmt.Errorf("order %s line %d is not an object", o.number, i+1))
		}
		values, err := o.line(ctx, i+1, line, invoice)
		if err != nil {
			return nil, err
		}
		out = append(out, values)
	}
	return out, nil
}

// line makes one line's values.
func (o *order) line(ctx context.Context, n int, line map[string]any, invoice bool) (map[string]any, error) {
	code := text(line["product"])
	if code == "" { // a fee: booked on the flow's fee product
		if o.opts.FeeSKU == "" {
			return nil, connectors.Permanent(erp.NoFeeSKU(o.number, n, text(line["description"])))
		}
		code = o.opts.FeeSKU
	}
	product, err := o.c.product(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("order %s line %d: %w", o.number, n, err)
	}
	values := map[string]any{"type": "line", "product": product.id, "unit": product.unit, "description": firstOf(text(line["description"]), code)}
	if values["quantity"], err = strconv.ParseFloat(text(line["quantity"]), 64); err != nil {
		return nil, connectors.Permanent(fmt.Errorf("order %s line %d: the quantity %q is not a number", o.number, n, text(line["quantity"])))
	}
	if values["unit_price"], err = decimal(line["unit_price"]); err != nil {
		return nil, connectors.Permanent(fmt.Errorf("order %s line %d: unit_price: %w", o.number, n, err))
	}
	if rate := text(line["tax_rate"]); rate != "" {
		tax, err := o.tax(ctx, rate)
		if err != nil {
			return nil, fmt.Errorf("order %s line %d: %w", o.number, n, err)
		}
		values["taxes"] = []any{[]any{"add", []any{tax}}}
	}
	if invoice {
		if values["account"], err = o.c.revenueAccount(ctx, product); err != nil {
			return nil, fmt.Errorf("order %s line %d: %w", o.number, n, err)
		}
	}
	return values, nil
}

// shippingLine is the line of the order's shipping costs, on the flow's
// shipping product, described by the shipping method (translated by the
// flow's table); nil without costs.
func (o *order) shippingLine() (map[string]any, error) {
	cost := text(o.doc["shipping_cost"])
	if f, err := strconv.ParseFloat(cost, 64); cost == "" || err != nil || f == 0 {
		return nil, nil
	}
	if o.opts.ShippingSKU == "" {
		return nil, connectors.Permanent(erp.NoShippingSKU(o.number, cost))
	}
	method, err := o.opts.ShippingMethod(o.number, text(o.doc["shipping_method"]))
	if err != nil {
		return nil, connectors.Permanent(err)
	}
	return map[string]any{"product": o.opts.ShippingSKU, "quantity": "1", "unit_price": o.doc["shipping_cost"],
		"tax_rate": o.doc["shipping_tax_rate"], "description": firstOf(method, text(o.doc["shipping_method"]), "Shipping")}, nil
}

// tax finds the tax of a line at rate percent: by name from the flow's
// VAT table, or else Tryton's one percentage tax of that rate for sales
// (taxes of a tax group for purchases are left aside).
func (o *order) tax(ctx context.Context, rate string) (int64, error) {
	country := strings.ToUpper(text(o.doc["vat_country"]))
	name, found, err := o.opts.VATCode(country, rate)
	if err != nil {
		return 0, connectors.Permanent(err)
	}
	if found {
		id, err := o.c.idOf(ctx, "account.tax", []any{[]any{"name", "=", name}}, "tax named "+strconv.Quote(name))
		if err != nil {
			return 0, fmt.Errorf("%w; fix the flow's VAT table (%s)", err, erp.OptVATCodes)
		}
		return id, nil
	}
	pct, _ := strconv.ParseFloat(rate, 64)
	res, err := o.c.model(ctx, "account.tax", "search_read", []any{[]any{"type", "=", "percentage"}, []any{"parent", "=", nil},
		[]any{"rate", "=", map[string]any{"__class__": "Decimal", "decimal": strconv.FormatFloat(pct/100, 'f', -1, 64)}}},
		0, 20, []any{[]any{"name", "ASC"}}, []any{"name", "group.kind"})
	if err != nil {
		return 0, fmt.Errorf("finding the tax of %s%%: %w", rate, err)
	}
	sales, purchases := salesTaxes(asList(undot(res)))
	switch {
	case len(sales) == 1:
		id, _ := toInt(sales[0]["id"])
		return id, nil
	case len(sales) > 1:
		return 0, connectors.Permanent(fmt.Errorf("%w; Tryton has %d sales taxes of %s%%: %s", erp.NoVATCode(o.who, country, rate),
			len(sales), rate, strings.Join(taxNames(sales), ", ")))
	case len(purchases) > 0:
		return 0, connectors.Permanent(fmt.Errorf("%w; Tryton's taxes of %s%% are for purchases only: %s", erp.NoVATCode(o.who, country, rate),
			rate, strings.Join(taxNames(purchases), ", ")))
	}
	return 0, connectors.Permanent(erp.NoVATCode(o.who, country, rate))
}

// salesTaxes splits taxes into those sales may be taxed with (of a tax
// group for sales, for both, or of none) and those of a group for
// purchases only.
func salesTaxes(taxes []map[string]any) (sales, purchases []map[string]any) {
	for _, t := range taxes {
		group, _ := t["group"].(map[string]any)
		if text(group["kind"]) == "purchase" {
			purchases = append(purchases, t)
		} else {
			sales = append(sales, t)
		}
	}
	return sales, purchases
}

// taxNames are the taxes' names, quoted.
func taxNames(taxes []map[string]any) []string {
	names := make([]string, len(taxes))
	for i, t := range taxes {
		names[i] = strconv.Quote(text(t["name"]))
	}
	return names
}

// productRef is a product found by code: its id, sale unit and account
// category.
type productRef struct {
	code            string
	id, unit        int64
	categoryRevenue int64
}

// product finds a product by its code (see productByCode).
func (c *Conn) product(ctx context.Context, code string) (productRef, error) {
	id, err := c.productByCode(ctx, code)
	if err != nil {
		return productRef{}, err
	}
	rec, err := c.read(ctx, "product.product", id, "template.sale_uom", "template.default_uom", "template.account_category.account_revenue")
	if err != nil {
		return productRef{}, err
	}
	p := productRef{code: code, id: id}
	p.unit, _ = toInt(lookup(rec, "template.sale_uom"))
	if p.unit == 0 {
		p.unit, _ = toInt(lookup(rec, "template.default_uom"))
	}
	p.categoryRevenue, _ = toInt(lookup(rec, "template.account_category.account_revenue"))
	return p, nil
}

// productByCode finds the product of an order line's code: the one of
// that very code, or else the one product whose code differs from it in
// case only (a shop's "chair-oak" for Tryton's "CHAIR-OAK"); several of
// those fail naming them, as does none.
func (c *Conn) productByCode(ctx context.Context, code string) (int64, error) {
	res, err := c.model(ctx, "product.product", "search_read", []any{[]any{"code", "ilike", like(code)}}, 0, 10,
		[]any{[]any{"id", "ASC"}}, []any{"code"})
	if err != nil {
		return 0, fmt.Errorf("finding product %s: %w", code, err)
	}
	found := asList(res)
	var codes []string
	for _, p := range found {
		if text(p["code"]) == code {
			id, _ := toInt(p["id"])
			return id, nil
		}
		codes = append(codes, text(p["code"]))
	}
	switch len(found) {
	case 0:
		return 0, connectors.Permanent(fmt.Errorf("Tryton has no product with code %s; add it, or sync products first", code))
	case 1:
		id, _ := toInt(found[0]["id"])
		return id, nil
	}
	return 0, connectors.Permanent(fmt.Errorf("Tryton has no product with code %s, but %d whose codes differ from it in case only: %s; "+
		"give the shop's product the code of the one it is", code, len(found), strings.Join(codes, ", ")))
}

// revenueAccount is the account an invoice line of the product goes to:
// its account category's, or the accounting configuration's default.
func (c *Conn) revenueAccount(ctx context.Context, p productRef) (int64, error) {
	if p.categoryRevenue != 0 {
		return p.categoryRevenue, nil
	}
	rec, err := c.read(ctx, "account.configuration", 1, "default_category_account_revenue")
	if err != nil {
		return 0, err
	}
	if id, ok := toInt(rec["default_category_account_revenue"]); ok && id != 0 {
		return id, nil
	}
	return 0, connectors.Permanent(fmt.Errorf("product %s has no revenue account: give it an account category that has one", p.code))
}
