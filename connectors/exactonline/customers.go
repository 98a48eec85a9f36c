package exactonline

import (
	"context"
	"fmt"
	"strings"
	"time"

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

// accountID finds an active account by e-mail address, VAT number or
// code, whichever is given, in that order; "" when none has them. An
// account that has them but is blocked, or whose end date has passed, is
// not one an order may be booked on: when only such accounts have them,
// a permanent error names the account and why.
func (c *Conn) accountID(ctx context.Context, email, vat, code string) (string, error) {
	var keys []accountKey
	if email != "" {
		keys = append(keys, accountKey{"Email eq " + quote(email), "e-mail address", email})
	}
	if vat != "" {
		keys = append(keys, accountKey{"VATNumber eq " + quote(vat), "VAT number", vat})
	}
	if code != "" {
		keys = append(keys, accountKey{"Code eq " + quote(padCode(code)), "code", code})
	}
	var inactive error
	for _, k := range keys {
		recs, err := c.find(ctx, "crm/Accounts", k.filter, "ID,Code,Name,Blocked,EndDate")
		if err != nil {
			return "", fmt.Errorf("finding the customer: %w", err)
		}
		for _, r := range recs {
			why := inactiveBecause(r, time.Now())
			if why == "" {
				return rest.LookupString(r, "ID"), nil
			}
			if inactive == nil {
				inactive = connectors.Permanent(fmt.Errorf("Exact Online's account %s (%s), found by its %s %s, %s; orders are not booked on "+
					"an inactive account: make it active in Exact Online, or give the customer another %s",
					strings.TrimSpace(text(r["Code"])), text(r["Name"]), k.field, k.value, why, k.field))
			}
		}
	}
	return "", inactive
}

// accountKey is one way of finding an account: its filter, and the field
// and value it finds by, for messages.
type accountKey struct{ filter, field, value string }

// inactiveBecause says why an account is not active at now: blocked, or
// its end date passed; "" when it is active.
func inactiveBecause(acc map[string]any, now time.Time) string {
	if b, _ := acc["Blocked"].(bool); b {
		return "is blocked"
	}
	if end, ok := rest.MicrosoftDate(text(acc["EndDate"])); ok && end.Before(now.Truncate(24*time.Hour)) {
		return "ended on " + end.Format("2006-01-02")
	}
	return ""
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
