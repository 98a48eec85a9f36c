package exactonline

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// Write creates or updates an account or an item, or creates an order as
// a sales order, a sales invoice or a quotation.
func (c *Conn) Write(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	var res connectors.WriteResult
	var err error
	switch req.Entity {
	case connectors.Customer:
		res, err = c.writeAccount(ctx, req)
	case connectors.Product:
		res, err = c.writeItem(ctx, req)
	case connectors.Order:
		res, err = c.writeOrder(ctx, req)
	default:
		return res, connectors.Permanent(fmt.Errorf("Exact Online does not take %s records", req.Entity))
	}
	if err != nil {
		c.forget()
		return res, fmt.Errorf("writing %s %s to Exact Online: %w", req.Entity, req.Key, err)
	}
	return res, nil
}

// forget drops the ids looked up so far: after a failed write, the next
// looks them up again (an item may have been removed or added).
func (c *Conn) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cache = map[string]string{}
}

// writeAccount creates an account (a customer, unless the record says
// otherwise) or updates the target id's.
func (c *Conn) writeAccount(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	body := withoutEmpty(req.Data)
	if _, ok := body["Status"]; !ok && req.TargetID == "" {
		body["Status"] = "C"
	}
	return c.upsert(ctx, "crm/Accounts", "ID", req, body)
}

// writeItem creates or updates an item; its sales price, which Exact
// Online keeps apart, is then set as a sales item price.
func (c *Conn) writeItem(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	body := withoutEmpty(req.Data)
	price, currency := body["StandardSalesPrice"], body["Currency"]
	delete(body, "StandardSalesPrice")
	delete(body, "Currency")
	res, err := c.upsert(ctx, "logistics/Items", "ID", req, body)
	if err != nil || price == nil {
		return res, err
	}
	p := map[string]any{"Item": res.TargetID, "Price": price}
	if currency != nil {
		p["Currency"] = currency
	}
	if _, err := c.create(ctx, "logistics/SalesItemPrices", p, ""); err != nil {
		return res, fmt.Errorf("setting the sales price: %w", err)
	}
	res.Response["StandardSalesPrice"] = price
	return res, nil
}

// upsert creates the record, or updates the target id's.
func (c *Conn) upsert(ctx context.Context, resource, idField string, req connectors.WriteRequest, body map[string]any) (connectors.WriteResult, error) {
	if req.TargetID != "" {
		if err := c.update(ctx, resource, req.TargetID, body); err != nil {
			return connectors.WriteResult{}, err
		}
		resp := connectors.CloneData(body)
		resp[idField] = req.TargetID
		return connectors.WriteResult{TargetID: req.TargetID, Response: resp}, nil
	}
	rec, err := c.create(ctx, resource, body, req.IdempotencyKey)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	id := rest.LookupString(rec, idField)
	if id == "" {
		return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("POST %s: the answer has no %s", resource, idField))
	}
	return connectors.WriteResult{TargetID: id, Response: rec}, nil
}

// withoutEmpty copies a record without its nil values and empty texts:
// Exact Online would clear a field sent empty.
func withoutEmpty(data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for k, v := range data {
		if v == nil {
			continue
		}
		if s, ok := v.(string); ok && strings.TrimSpace(s) == "" {
			continue
		}
		out[k] = v
	}
	return out
}

// text is a value as text, "" for nil.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case fmt.Stringer:
		return x.String()
	}
	return strings.TrimSpace(fmt.Sprint(v))
}
