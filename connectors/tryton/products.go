package tryton

import (
	"context"
	"fmt"

	"github.com/switchboard-app/switchboard/connectors"
)

// templateFields are a product's fields that Tryton keeps on its template.
var templateFields = []string{"name", "code", "description", "type", "salable"}

// writeProduct creates a product (a template with one variant), or
// updates the target id's; its SKU is the template's code.
func (c *Conn) writeProduct(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	id, err := c.targetID(req.TargetID)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	tmpl, variant, err := c.productValues(req.Data)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	gtin := text(req.Data["gtin"])
	if id == 0 {
		id, err = c.createProduct(ctx, req, tmpl, withGTIN(variant, gtin))
	} else {
		err = c.updateProduct(ctx, id, tmpl, variant, gtin)
	}
	if err != nil {
		return connectors.WriteResult{}, err
	}
	return c.result(ctx, "product.product", id, "", "code", "name", "list_price")
}

// productValues splits the write mapping's product into template and
// variant values, prices as decimals.
func (c *Conn) productValues(data map[string]any) (map[string]any, map[string]any, error) {
	tmpl, variant := map[string]any{}, map[string]any{}
	for _, f := range templateFields {
		if v, ok := data[f]; ok && v != nil {
			tmpl[f] = v
		}
	}
	for field, values := range map[string]map[string]any{"list_price": tmpl, "cost_price": variant} {
		if v := data[field]; v != nil {
			d, err := decimal(v)
			if err != nil {
				return nil, nil, connectors.Permanent(fmt.Errorf("field %s: %w", field, err))
			}
			values[field] = d
		}
	}
	return tmpl, variant, nil
}

// withGTIN adds a GTIN to a variant's values as an EAN identifier (which
// Tryton checks).
func withGTIN(variant map[string]any, gtin string) map[string]any {
	if gtin != "" {
		variant["identifiers"] = []any{[]any{"create", []any{map[string]any{"type": "ean", "code": gtin}}}}
	}
	return variant
}

// createProduct makes a template, in units, of the flow's account
// category, with one variant.
func (c *Conn) createProduct(ctx context.Context, req connectors.WriteRequest, tmpl, variant map[string]any) (int64, error) {
	unit, err := c.idOf(ctx, "product.uom", []any{[]any{"symbol", "=", "u"}}, "unit of measure u (Unit)")
	if err != nil {
		return 0, err
	}
	tmpl["default_uom"], tmpl["sale_uom"] = unit, unit
	if tmpl["type"] == nil {
		tmpl["type"] = "goods"
	}
	if tmpl["salable"] == nil {
		tmpl["salable"] = true
	}
	if name := req.Options.String(OptProductCategory); name != "" {
		if tmpl["account_category"], err = c.idOf(ctx, "product.category", []any{[]any{"name", "=", name}, []any{"accounting", "=", true}},
			"account category "+name); err != nil {
			return 0, fmt.Errorf("%w; set the flow's %s to one", err, OptProductCategory)
		}
	}
	tmpl["products"] = []any{[]any{"create", []any{variant}}}
	tid, err := c.create(ctx, "product.template", tmpl)
	if err != nil {
		return 0, err
	}
	rec, err := c.read(ctx, "product.template", tid, "products")
	if err != nil {
		return 0, err
	}
	id, _ := toInt(first(anyList(rec["products"])))
	return id, nil
}

// updateProduct changes a variant and its template; a GTIN it has
// already is not added again.
func (c *Conn) updateProduct(ctx context.Context, id int64, tmpl, variant map[string]any, gtin string) error {
	rec, err := c.read(ctx, "product.product", id, "template", "identifiers.code")
	if err != nil {
		return err
	}
	if !hasIdentifier(rec, gtin) {
		variant = withGTIN(variant, gtin)
	}
	tid, _ := toInt(rec["template"])
	if err := c.write(ctx, "product.template", tid, tmpl); err != nil {
		return err
	}
	return c.write(ctx, "product.product", id, variant)
}

func first(l []any) any {
	if len(l) == 0 {
		return nil
	}
	return l[0]
}
