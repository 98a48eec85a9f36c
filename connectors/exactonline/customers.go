package exactonline

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// customer finds the order's account by e-mail address, VAT number or
// account code, or creates it; a guest order (none of the three) goes to
// the flow's customer of guest orders.
func (o *order) customer(ctx context.Context) (string, error) {
	party, _ := o.doc["OrderedBy"].(map[string]any)
	email, vat, code := text(party["Email"]), text(party["VATNumber"]), text(party["Code"])
	if email == "" && vat == "" && code == "" {
		return o.guest(ctx)
	}
	unlock := o.c.customers.Lock(strings.ToLower(firstOf(email, vat, code)))
	defer unlock()
	id, err := o.c.accountID(ctx, email, vat, code)
	if err != nil || id != "" {
		return id, err
	}
	body := withoutEmpty(party)
	body["Status"] = "C"
	if code != "" {
		body["Code"] = code
	}
	rec, err := o.c.create(ctx, "crm/Accounts", body, "")
	if err != nil {
		return "", fmt.Errorf("creating customer %s: %w", o.who, err)
	}
	return rest.LookupString(rec, "ID"), nil
}

// customerName names the order's customer in messages: its e-mail
// address or name, or the order; for a guest order the flow's customer
// of guest orders.
func (o *order) customerName() string {
	party, _ := o.doc["OrderedBy"].(map[string]any)
	email, vat, code := text(party["Email"]), text(party["VATNumber"]), text(party["Code"])
	if email == "" && vat == "" && code == "" && o.opts.GuestCustomer != "" {
		return "for guest orders " + o.opts.GuestCustomer
	}
	return firstOf(email, text(party["Name"]), "of order "+o.number)
}

// guest is the account of guest orders, by its code (or e-mail address).
func (o *order) guest(ctx context.Context) (string, error) {
	g := o.opts.GuestCustomer
	if g == "" {
		return "", connectors.Permanent(erp.NoGuestCustomer(o.number))
	}
	var id string
	var err error
	if strings.Contains(g, "@") {
		id, err = o.c.accountID(ctx, g, "", "")
	} else {
		id, err = o.c.accountID(ctx, "", "", g)
	}
	if err == nil && id == "" {
		err = connectors.Permanent(fmt.Errorf("the customer of guest orders, %s, is not an account of Exact Online (by its code or e-mail address); "+
			"create it, or set %s to one that is", g, erp.OptGuestCustomer))
	}
	return id, err
}

// accountID finds an account by e-mail address, VAT number or code,
// whichever is given, in that order; "" when none has them.
func (c *Conn) accountID(ctx context.Context, email, vat, code string) (string, error) {
	var filters []string
	if email != "" {
		filters = append(filters, "Email eq "+quote(email))
	}
	if vat != "" {
		filters = append(filters, "VATNumber eq "+quote(vat))
	}
	if code != "" {
		filters = append(filters, "Code eq "+quote(padCode(code)))
	}
	for _, f := range filters {
		recs, err := c.find(ctx, "crm/Accounts", f, "ID")
		if err != nil {
			return "", fmt.Errorf("finding the customer: %w", err)
		}
		if len(recs) > 0 {
			return rest.LookupString(recs[0], "ID"), nil
		}
	}
	return "", nil
}

// FindByKey finds a record Exact Online has already: a customer by its
// e-mail address, VAT number or account code; an item by its code; an
// order by its reference (YourRef) among sales orders, invoices and
// quotations.
func (c *Conn) FindByKey(ctx context.Context, entity connectors.Entity, key string) (string, bool, error) {
	key = strings.TrimSpace(key)
	var id string
	var err error
	switch entity {
	case connectors.Customer:
		if strings.Contains(key, "@") {
			id, err = c.accountID(ctx, key, "", "")
		} else {
			id, err = c.accountID(ctx, "", key, key)
		}
	case connectors.Product:
		var recs []map[string]any
		if recs, err = c.find(ctx, "logistics/Items", "Code eq "+quote(key), "ID"); len(recs) > 0 {
			id = rest.LookupString(recs[0], "ID")
		}
	case connectors.Order:
		id, err = c.orderByReference(ctx, key)
	}
	return id, id != "" && err == nil, err
}

// orderByReference finds a document whose YourRef is the order's number.
func (c *Conn) orderByReference(ctx context.Context, ref string) (string, error) {
	for _, kind := range erp.OrderTypes {
		d := documents[kind]
		recs, err := c.find(ctx, d.resource, "YourRef eq "+quote(ref), d.id)
		if err != nil {
			return "", fmt.Errorf("finding order %s: %w", ref, err)
		}
		if len(recs) > 0 {
			return kind + "/" + rest.LookupString(recs[0], d.id), nil
		}
	}
	return "", nil
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
