package businesscentral

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/fieldset"
)

// Write creates or updates one record.
func (c *Conn) Write(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	if req.Options.Values == nil { // called without a flow's options (a test): the defaults
		opts, err := connectors.ResolveOptions(Name, writeFields, nil)
		if err != nil {
			return connectors.WriteResult{}, err
		}
		req.Options = opts
	}
	switch req.Entity {
	case connectors.Customer:
		return c.writeCustomer(ctx, req)
	case connectors.Product:
		return c.writeItem(ctx, req)
	case connectors.Order:
		return c.writeOrder(ctx, req)
	}
	return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("Business Central: %s records are not written", req.Entity))
}

// FindByKey looks a customer up by its e-mail address, an item by its
// number (the SKU) and an order by its external document number (the
// order's number) among the sales orders, invoices and quotes.
func (c *Conn) FindByKey(ctx context.Context, entity connectors.Entity, key string) (string, bool, error) {
	var rec map[string]any
	var err error
	switch entity {
	case connectors.Customer:
		rec, err = c.customerBy(ctx, "email", key)
	case connectors.Product:
		rec, err = c.findFirst(ctx, "items", "number eq "+literal(key))
	case connectors.Order:
		doc, found, err := c.documentByNumber(ctx, key)
		if err != nil || !found {
			return "", false, err
		}
		return doc.target(), true, nil
	default:
		return "", false, nil
	}
	if err != nil || rec == nil {
		return "", false, err
	}
	return rest.LookupString(rec, "id"), true, nil
}

// findFirst returns the first record of a list that a $filter finds; nil
// when there is none.
func (c *Conn) findFirst(ctx context.Context, path, filter string) (map[string]any, error) {
	var body struct {
		Value []map[string]any `json:"value"`
	}
	q := url.Values{"$filter": {filter}, "$top": {"1"}}
	if err := c.call(ctx, rest.Request{Path: path, Query: q}, &body); err != nil {
		return nil, fmt.Errorf("looking up %s where %s: %w", path, filter, err)
	}
	if len(body.Value) == 0 {
		return nil, nil
	}
	return body.Value[0], nil
}

// customerFields name the fields a customer is looked up by, in
// messages.
var customerFields = map[string]string{"email": "e-mail address", "taxRegistrationNumber": "VAT registration number", "number": "number"}

// customerBy returns the customer whose field has the value and who is
// not blocked for everything (blocked All, on which Business Central
// makes no sales document); nil when none has it. When only such a
// blocked customer has it, a permanent error names it, and no second
// customer is made beside it.
func (c *Conn) customerBy(ctx context.Context, field, value string) (map[string]any, error) {
	var body struct {
		Value []map[string]any `json:"value"`
	}
	filter := field + " eq " + literal(value)
	q := url.Values{"$filter": {filter}, "$top": {"10"}}
	if err := c.call(ctx, rest.Request{Path: "customers", Query: q}, &body); err != nil {
		return nil, fmt.Errorf("looking up customers where %s: %w", filter, err)
	}
	for _, rec := range body.Value {
		if !strings.EqualFold(strings.TrimSpace(rest.LookupString(rec, "blocked")), "All") {
			return rec, nil
		}
	}
	if len(body.Value) == 0 {
		return nil, nil
	}
	rec, what := body.Value[0], customerFields[field]
	return nil, connectors.Permanent(fmt.Errorf("Business Central's customer %s (%s), found by its %s %s, is blocked for all sales (blocked: All); "+
		"no order is made for it: unblock it in Business Central, or give the customer another %s",
		rest.LookupString(rec, "number"), rest.LookupString(rec, "displayName"), what, value, what))
}

// create posts a record to a list and returns Business Central's.
func (c *Conn) create(ctx context.Context, path string, rec map[string]any) (map[string]any, error) {
	var saved map[string]any
	if err := c.call(ctx, rest.Request{Method: http.MethodPost, Path: path, JSON: rec}, &saved); err != nil {
		return nil, err
	}
	return saved, nil
}

// patch changes a record (If-Match: *, the last write wins) and returns
// Business Central's.
func (c *Conn) patch(ctx context.Context, path string, rec map[string]any) (map[string]any, error) {
	var saved map[string]any
	r := rest.Request{Method: http.MethodPatch, Path: path, JSON: rec, Header: http.Header{"If-Match": {"*"}}}
	if err := c.call(ctx, r, &saved); err != nil {
		return nil, err
	}
	return saved, nil
}

// writeItem creates an item, or updates it with what the flow's update
// policy allows.
func (c *Conn) writeItem(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	create, update, err := fieldset.FromOptions(req.Options)
	if err != nil {
		return connectors.WriteResult{}, connectors.Permanent(err)
	}
	number := rest.LookupString(req.Data, "number")
	if number == "" {
		return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("product %s: the record has no number (the SKU); map one", req.Key))
	}
	var saved map[string]any
	if req.TargetID == "" {
		saved, err = c.create(ctx, "items", create.Keep(req.Data, "number"))
	} else {
		saved, err = c.patch(ctx, "items("+req.TargetID+")", update.Keep(req.Data, "number"))
	}
	if err != nil {
		return connectors.WriteResult{}, fmt.Errorf("writing item %s: %w", number, err)
	}
	return connectors.WriteResult{TargetID: rest.LookupString(saved, "id"), Response: saved}, nil
}

// writeCustomer creates a customer, unless Business Central has it (by
// e-mail address, VAT registration number or number, see customerID),
// or updates it with what the flow's update policy allows.
func (c *Conn) writeCustomer(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	create, update, err := fieldset.FromOptions(req.Options)
	if err != nil {
		return connectors.WriteResult{}, connectors.Permanent(err)
	}
	id := req.TargetID
	if id == "" {
		found, created, err := c.customerID(ctx, create.Keep(req.Data, "email", "displayName"))
		if err != nil {
			return connectors.WriteResult{}, err
		}
		if created {
			return connectors.WriteResult{TargetID: found, Response: map[string]any{"id": found, "created": true}}, nil
		}
		id = found
	}
	saved, err := c.patch(ctx, "customers("+id+")", update.Keep(req.Data, "email"))
	if err != nil {
		return connectors.WriteResult{}, fmt.Errorf("updating customer %s: %w", customerLabel(req.Data), err)
	}
	return connectors.WriteResult{TargetID: rest.LookupString(saved, "id"), Response: saved}, nil
}

// customerLabel names a customer in messages: its e-mail address, name
// or number.
func customerLabel(customer map[string]any) string {
	for _, k := range []string{"email", "displayName", "taxRegistrationNumber", "number"} {
		if v := strings.TrimSpace(rest.LookupString(customer, k)); v != "" {
			return v
		}
	}
	return "without a name"
}

// customerKeys are what a customer is looked up by, in that order.
var customerKeys = []string{"email", "taxRegistrationNumber", "number"}

// customerKey is what a customer is worked on by over every worker: the
// first it is looked up by (its name when it has none), so that two
// writes of one customer spelt two ways look it up and make it one at a
// time.
func customerKey(customer map[string]any) string {
	for _, field := range customerKeys {
		if v := strings.TrimSpace(rest.LookupString(customer, field)); v != "" {
			return field + ":" + strings.ToLower(v)
		}
	}
	return "name:" + strings.ToLower(customerLabel(customer))
}

// customerID returns the id of the customer Business Central has for the
// record (by e-mail address, VAT registration number or number), and
// whether it was made now: one it does not have is made. One key is
// looked up and made at a time over every worker of the connection.
func (c *Conn) customerID(ctx context.Context, customer map[string]any) (string, bool, error) {
	unlock := c.customers.Lock(customerKey(customer))
	defer unlock()
	for _, field := range customerKeys {
		v := strings.TrimSpace(rest.LookupString(customer, field))
		if v == "" {
			continue
		}
		rec, err := c.customerBy(ctx, field, v)
		if err != nil || rec != nil {
			return rest.LookupString(rec, "id"), false, err
		}
	}
	saved, err := c.create(ctx, "customers", customer)
	if err != nil {
		return "", false, fmt.Errorf("making customer %s: %w", customerLabel(customer), err)
	}
	return rest.LookupString(saved, "id"), true, nil
}
