package woocommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// Write writes products and stock through the batch endpoints (the
// writes the engine's workers make at once go together, each with its own
// result), customers one by one, and a shipment as its order's status and
// a tracking note.
func (c *Conn) Write(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	switch req.Entity {
	case connectors.Product, connectors.Stock:
		return c.batches.Write(ctx, req)
	case connectors.Customer:
		return c.writeCustomer(ctx, req)
	case connectors.Shipment:
		return c.writeShipment(ctx, req)
	}
	return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("the woocommerce connector does not write %s records", req.Entity))
}

// FindByKey finds a record the shop has already: a product by SKU (a
// stock level's SKU may be a variation's: its id is then
// "<product>/<variation>"), a customer by e-mail address, an order by its
// number. A shipment is not looked up: its tracking note is not added
// twice.
func (c *Conn) FindByKey(ctx context.Context, entity connectors.Entity, key string) (string, bool, error) {
	switch entity {
	case connectors.Product, connectors.Stock:
		p, found, err := c.bySKU(ctx, key)
		if err != nil || !found {
			return "", false, err
		}
		if p.parent != "" {
			if entity == connectors.Product {
				return "", false, nil
			}
			return p.parent + "/" + p.id, true, nil
		}
		return p.id, true, nil
	case connectors.Customer:
		return c.find(ctx, "customers", url.Values{"email": {key}, "role": {"all"}}, "email", key)
	case connectors.Order:
		return c.findOrder(ctx, key)
	}
	return "", false, nil
}

// findOrder finds an order by its number. The number is the order's id
// unless a plugin numbers orders: it is asked for by id first, then
// searched for. WooCommerce's search finds the number in addresses and
// line items too, newest first, so an older order may come after a page
// of others: the search asks for a hundred at once.
func (c *Conn) findOrder(ctx context.Context, number string) (string, bool, error) {
	if number == "" {
		return "", false, nil
	}
	if _, err := strconv.ParseUint(number, 10, 64); err == nil {
		var o map[string]any
		_, err := c.client.DoJSON(ctx, rest.Request{Path: "orders/" + number}, &o)
		var se *rest.StatusError
		switch {
		case err == nil && rest.LookupString(o, "number") == number:
			return rest.LookupString(o, "id"), true, nil
		case err != nil && !(errors.As(err, &se) && se.Status == http.StatusNotFound):
			return "", false, fmt.Errorf("looking up order %s: %w", number, err)
		}
	}
	return c.find(ctx, "orders", url.Values{"search": {number}, "per_page": {strconv.Itoa(pageSize)}}, "number", number)
}

// find lists path with q and returns the id of the record whose field is
// key.
func (c *Conn) find(ctx context.Context, path string, q url.Values, field, key string) (string, bool, error) {
	if key == "" {
		return "", false, nil
	}
	var items []map[string]any
	if _, err := c.client.DoJSON(ctx, rest.Request{Path: path, Query: q}, &items); err != nil {
		return "", false, fmt.Errorf("looking up %s %s: %w", path, key, err)
	}
	for _, it := range items {
		if strings.EqualFold(rest.LookupString(it, field), key) {
			return rest.LookupString(it, "id"), true, nil
		}
	}
	return "", false, nil
}

// found is a product or variation found by SKU.
type found struct{ id, parent string }

func (c *Conn) bySKU(ctx context.Context, sku string) (found, bool, error) {
	if sku == "" {
		return found{}, false, nil
	}
	var items []map[string]any
	if _, err := c.client.DoJSON(ctx, rest.Request{Path: "products", Query: url.Values{"sku": {sku}}}, &items); err != nil {
		return found{}, false, fmt.Errorf("looking up SKU %s: %w", sku, err)
	}
	for _, it := range items {
		if rest.LookupString(it, "sku") == sku {
			f := found{id: rest.LookupString(it, "id")}
			if p := rest.LookupString(it, "parent_id"); p != "" && p != "0" {
				f.parent = p
			}
			return f, true, nil
		}
	}
	return found{}, false, nil
}

func (c *Conn) writeCustomer(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	method, path := http.MethodPost, "customers"
	data := req.Data
	if req.TargetID != "" {
		method, path = http.MethodPut, "customers/"+url.PathEscape(req.TargetID)
		data = without(data, "email") // WooCommerce keeps a customer's e-mail address; it is the key
	}
	var answer map[string]any
	if _, err := c.client.DoJSON(ctx, rest.Request{Method: method, Path: path, JSON: data}, &answer); err != nil {
		return connectors.WriteResult{}, fmt.Errorf("writing customer %s: %w", req.Key, err)
	}
	return connectors.WriteResult{TargetID: rest.LookupString(answer, "id"), Response: answer}, nil
}

// writeShipment gives the order its shipped status and a note with the
// tracking details, for the customer; a note the order has already is
// not added again.
func (c *Conn) writeShipment(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	number := rest.LookupString(req.Data, "order_number")
	id := req.TargetID
	if id == "" {
		var ok bool
		var err error
		if id, ok, err = c.findOrder(ctx, number); err != nil {
			return connectors.WriteResult{}, err
		} else if !ok {
			return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("order %s does not exist in WooCommerce; check the shipment's order number", number))
		}
	}
	note := rest.LookupString(req.Data, "note")
	if note != "" {
		if err := c.addNote(ctx, id, note); err != nil {
			return connectors.WriteResult{}, fmt.Errorf("order %s: %w", number, err)
		}
	}
	var answer map[string]any
	if st := req.Options.String("shipped_status"); st != "" && st != "unchanged" {
		if _, err := c.client.DoJSON(ctx, rest.Request{Method: http.MethodPut, Path: "orders/" + url.PathEscape(id),
			JSON: map[string]any{"status": st}}, &answer); err != nil {
			return connectors.WriteResult{}, fmt.Errorf("setting the status of order %s: %w", number, err)
		}
	}
	return connectors.WriteResult{TargetID: id, Response: map[string]any{"order": id, "status": answer["status"], "note": note}}, nil
}

func (c *Conn) addNote(ctx context.Context, orderID, note string) error {
	var notes []map[string]any
	if _, err := c.client.DoJSON(ctx, rest.Request{Path: "orders/" + url.PathEscape(orderID) + "/notes"}, &notes); err != nil {
		return fmt.Errorf("reading its notes: %w", err)
	}
	for _, n := range notes {
		if rest.LookupString(n, "note") == note {
			return nil
		}
	}
	_, err := c.client.Do(ctx, rest.Request{Method: http.MethodPost, Path: "orders/" + url.PathEscape(orderID) + "/notes",
		JSON: map[string]any{"note": note, "customer_note": true}})
	if err != nil {
		return fmt.Errorf("adding the tracking note: %w", err)
	}
	return nil
}

func without(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }
