package tryton

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
)

// customer finds the order's party by e-mail address, VAT number or
// code, or creates it; a guest order (none of the three) goes to the
// flow's customer of guest orders.
func (o *order) customer(ctx context.Context) (int64, error) {
	p, _ := o.doc["party"].(map[string]any)
	pp := party(p)
	if pp.email() == "" && pp.vat() == "" && pp.code() == "" {
		return o.guest(ctx)
	}
	unlock := o.c.customers.Lock(strings.ToLower(firstOf(pp.email(), pp.vat(), pp.code())))
	defer unlock()
	id, err := o.c.partyID(ctx, pp.email(), pp.vat(), pp.code())
	if err != nil || id != 0 {
		return id, err
	}
	id, err = o.c.createParty(ctx, pp)
	if err != nil {
		return 0, fmt.Errorf("creating customer %s: %w", o.who, err)
	}
	return id, nil
}

// customerName names the order's customer in messages: its e-mail
// address or name, or the order; for a guest order the flow's customer
// of guest orders.
func (o *order) customerName() string {
	p, _ := o.doc["party"].(map[string]any)
	pp := party(p)
	if pp.email() == "" && pp.vat() == "" && pp.code() == "" && o.opts.GuestCustomer != "" {
		return "for guest orders " + o.opts.GuestCustomer
	}
	return pp.who(o.number)
}

// guest is the party of guest orders, by its code or e-mail address.
func (o *order) guest(ctx context.Context) (int64, error) {
	g := o.opts.GuestCustomer
	if g == "" {
		return 0, connectors.Permanent(erp.NoGuestCustomer(o.number))
	}
	var id int64
	var err error
	if strings.Contains(g, "@") {
		id, err = o.c.partyID(ctx, g, "", "")
	} else {
		id, err = o.c.partyID(ctx, "", "", g)
	}
	if err == nil && id == 0 {
		err = connectors.Permanent(fmt.Errorf("the customer of guest orders, %s, is not a party of Tryton (by its code or e-mail address); "+
			"create it, or set %s to one that is", g, erp.OptGuestCustomer))
	}
	return id, err
}

// FindByKey finds a record Tryton has already: a party by its e-mail
// address, VAT number or code; a product by its code; an order by its
// reference among sales and customer invoices.
func (c *Conn) FindByKey(ctx context.Context, entity connectors.Entity, key string) (string, bool, error) {
	key = strings.TrimSpace(key)
	var id int64
	var err error
	prefix := ""
	switch entity {
	case connectors.Customer:
		if strings.Contains(key, "@") {
			id, err = c.partyID(ctx, key, "", "")
		} else {
			id, err = c.partyID(ctx, "", key, key)
		}
	case connectors.Product:
		id, _, err = c.search(ctx, "product.product", []any{[]any{"code", "=", key}})
	case connectors.Order:
		prefix = "sale/"
		if id, _, err = c.search(ctx, "sale.sale", []any{[]any{"reference", "=", key}}); err == nil && id == 0 {
			prefix = "invoice/"
			id, _, err = c.search(ctx, "account.invoice", []any{[]any{"type", "=", "out"}, []any{"reference", "=", key}})
		}
	}
	if err != nil || id == 0 {
		return "", false, err
	}
	return fmt.Sprintf("%s%d", prefix, id), true, nil
}

// splitTarget reads an order's target id: "sale/12" or "invoice/7".
func splitTarget(target string) (string, int64, error) {
	kind, num, _ := strings.Cut(target, "/")
	id, ok := toInt(num)
	model := map[string]string{"sale": "sale.sale", "invoice": "account.invoice"}[kind]
	if !ok || model == "" {
		return "", 0, connectors.Permanent(fmt.Errorf("the target id %q is not a Tryton sale or invoice", target))
	}
	return model, id, nil
}
