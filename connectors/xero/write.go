package xero

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
		return c.writeContact(ctx, req)
	case connectors.Product:
		return c.writeItem(ctx, req)
	case connectors.Order:
		return c.writeOrder(ctx, req)
	}
	return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("Xero: %s records are not written", req.Entity))
}

// FindByKey looks a contact up by its e-mail address, an item by its code
// (the SKU) and an order's invoice by its reference (the order number).
func (c *Conn) FindByKey(ctx context.Context, entity connectors.Entity, key string) (string, bool, error) {
	var rec map[string]any
	var err error
	switch entity {
	case connectors.Customer:
		rec, err = c.contactBy(ctx, "EmailAddress", key)
	case connectors.Product:
		rec, err = c.findOne(ctx, "Items", "Code=="+quote(key))
	case connectors.Order:
		rec, err = c.invoiceByReference(ctx, key)
	default:
		return "", false, nil
	}
	if err != nil || rec == nil {
		return "", false, err
	}
	return rest.LookupString(rec, idOf[entity]), true, nil
}

// idOf is where a written entity's record holds its id.
var idOf = map[connectors.Entity]string{connectors.Customer: "ContactID", connectors.Product: "ItemID", connectors.Order: "InvoiceID"}

// findOne returns the first record of a list that a where filter finds;
// nil when there is none.
func (c *Conn) findOne(ctx context.Context, path, where string) (map[string]any, error) {
	all, err := c.findAll(ctx, path, where)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	return all[0], nil
}

// findAll returns the records of a list that a where filter finds (the
// first page of a paged list).
func (c *Conn) findAll(ctx context.Context, path, where string) ([]map[string]any, error) {
	return c.findWith(ctx, path, url.Values{"where": {where}})
}

// findWith returns the records of a list that a query finds (the first
// page of a paged list).
func (c *Conn) findWith(ctx context.Context, path string, query url.Values) ([]map[string]any, error) {
	var body map[string]any
	if err := c.call(ctx, rest.Request{Path: path, Query: query}, &body); err != nil {
		return nil, fmt.Errorf("looking up %s where %s: %w", path, query.Get("where"), err)
	}
	items, _ := body[path].([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// save creates (PUT on the list) or updates (POST on the record) one
// record, sent as a list of one as Xero takes it, and returns Xero's.
func (c *Conn) save(ctx context.Context, path, id string, rec map[string]any, idempotencyKey string) (map[string]any, error) {
	r := rest.Request{Method: http.MethodPut, Path: path, JSON: map[string]any{path: []any{rec}}, IdempotencyKey: idempotencyKey}
	if id != "" {
		r.Method, r.Path = http.MethodPost, path+"/"+url.PathEscape(id)
	}
	var body map[string]any
	if err := c.call(ctx, r, &body); err != nil {
		return nil, err
	}
	list, _ := body[path].([]any)
	if len(list) == 0 {
		return nil, connectors.Permanent(fmt.Errorf("%s %s: Xero answered without the record", r.Method, r.Path))
	}
	saved, _ := list[0].(map[string]any)
	return saved, nil
}

// writeItem creates an item, or updates it with what the flow's update
// policy allows.
func (c *Conn) writeItem(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	create, update, err := fieldset.FromOptions(req.Options)
	if err != nil {
		return connectors.WriteResult{}, connectors.Permanent(err)
	}
	code := rest.LookupString(req.Data, "Code")
	if code == "" {
		return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("product %s: the record has no Code (the SKU); map one", req.Key))
	}
	item := withSalesAccount(req.Data, req.Options.String(optAccount))
	send := create.Keep(item, "Code")
	if req.TargetID != "" {
		send = update.Keep(item, "Code")
	}
	saved, err := c.save(ctx, "Items", req.TargetID, send, req.IdempotencyKey)
	if err != nil {
		return connectors.WriteResult{}, fmt.Errorf("writing item %s: %w", code, err)
	}
	return connectors.WriteResult{TargetID: rest.LookupString(saved, "ItemID"), Response: saved}, nil
}

// withSalesAccount books an item's sales on the flow's sales account when
// the record names none; rec is not changed.
func withSalesAccount(rec map[string]any, account string) map[string]any {
	sales, ok := rec["SalesDetails"].(map[string]any)
	if !ok || account == "" || rest.LookupString(sales, "AccountCode") != "" {
		return rec
	}
	out := make(map[string]any, len(rec))
	for k, v := range rec {
		out[k] = v
	}
	details := make(map[string]any, len(sales)+1)
	for k, v := range sales {
		details[k] = v
	}
	details["AccountCode"] = account
	out["SalesDetails"] = details
	return out
}

// writeContact creates a contact, unless Xero has it (by e-mail address,
// tax number or account number, see contactID), or updates it with what
// the flow's update policy allows.
func (c *Conn) writeContact(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	create, update, err := fieldset.FromOptions(req.Options)
	if err != nil {
		return connectors.WriteResult{}, connectors.Permanent(err)
	}
	id := req.TargetID
	if id == "" {
		found, created, err := c.contactID(ctx, create.Keep(req.Data, "EmailAddress", "Name"), req.IdempotencyKey)
		if err != nil {
			return connectors.WriteResult{}, err
		}
		if created {
			return connectors.WriteResult{TargetID: found, Response: map[string]any{"ContactID": found, "created": true}}, nil
		}
		id = found
	}
	saved, err := c.save(ctx, "Contacts", id, update.Keep(req.Data, "EmailAddress"), req.IdempotencyKey)
	if err != nil {
		return connectors.WriteResult{}, fmt.Errorf("updating contact %s: %w", contactLabel(req.Data), err)
	}
	return connectors.WriteResult{TargetID: rest.LookupString(saved, "ContactID"), Response: saved}, nil
}

// contactLabel names a contact in messages: its e-mail address, or name.
func contactLabel(contact map[string]any) string {
	for _, k := range []string{"EmailAddress", "Name", "TaxNumber", "AccountNumber"} {
		if v := strings.TrimSpace(rest.LookupString(contact, k)); v != "" {
			return v
		}
	}
	return "without a name"
}
