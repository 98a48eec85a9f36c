package exactonline

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

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
// Online keeps apart, is then set as a sales item price (see setPrice).
func (c *Conn) writeItem(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	body := withoutEmpty(req.Data)
	price, currency := body["StandardSalesPrice"], text(body["Currency"])
	delete(body, "StandardSalesPrice")
	delete(body, "Currency")
	res, err := c.upsert(ctx, "logistics/Items", "ID", req, body)
	if err != nil || price == nil {
		return res, err
	}
	if err := c.setPrice(ctx, res.TargetID, price, currency); err != nil {
		return res, fmt.Errorf("setting the sales price of item %s: %w", firstOf(text(req.Data["Code"]), req.Key), err)
	}
	res.Response["StandardSalesPrice"] = price
	return res, nil
}

// setPrice sets an item's general sales price (for every customer, from
// one unit) in a currency ("": the division's): the price record Exact
// Online has is left alone when it holds the price already, and changed
// when it does not; a new one is made only for an item that has none, so
// that writing an item again adds no price records.
func (c *Conn) setPrice(ctx context.Context, item string, price any, currency string) error {
	if currency == "" {
		cur, err := c.lookup(ctx, "system/Divisions", "Code eq "+c.division, "Currency")
		if err != nil {
			return fmt.Errorf("reading the division's currency: %w", err)
		}
		currency = cur
	}
	current, err := c.currentPrice(ctx, item, currency)
	if err != nil {
		return err
	}
	switch {
	case current == nil:
		p := map[string]any{"Item": item, "Price": price}
		if currency != "" {
			p["Currency"] = currency
		}
		_, err = c.create(ctx, "logistics/SalesItemPrices", p, "")
	case !samePrice(current["Price"], price):
		err = c.update(ctx, "logistics/SalesItemPrices", text(current["ID"]), map[string]any{"Price": price})
	}
	return err
}

// currentPrice is the item's general sales price record in the currency
// that applies today (no customer's, no end date passed, from one unit),
// the one changed last when there are several; nil when there is none.
func (c *Conn) currentPrice(ctx context.Context, item, currency string) (map[string]any, error) {
	filter := "Item eq " + guid(item)
	if currency != "" {
		filter += " and Currency eq " + quote(currency)
	}
	recs, err := c.find(ctx, "logistics/SalesItemPrices", filter, "ID,Account,Price,Quantity,EndDate,Modified")
	if err != nil {
		return nil, fmt.Errorf("reading the sales prices: %w", err)
	}
	var best map[string]any
	var bestAt time.Time
	now := time.Now()
	for _, r := range recs {
		if text(r["Account"]) != "" || number(r["Quantity"]) > 1 {
			continue // a customer's price, or a price from a quantity up
		}
		if end, ok := rest.MicrosoftDate(text(r["EndDate"])); ok && end.Before(now) {
			continue
		}
		at, _ := rest.MicrosoftDate(text(r["Modified"]))
		if best == nil || at.After(bestAt) {
			best, bestAt = r, at
		}
	}
	return best, nil
}

// samePrice reports whether two prices are one amount, however written
// (12.5, "12.50").
func samePrice(a, b any) bool {
	x, errA := strconv.ParseFloat(text(a), 64)
	y, errB := strconv.ParseFloat(text(b), 64)
	return errA == nil && errB == nil && x == y
}

// number is a value as a number, 0 when it is none.
func number(v any) float64 {
	f, _ := strconv.ParseFloat(text(v), 64)
	return f
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
