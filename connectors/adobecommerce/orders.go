package adobecommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// order is what shipments and invoices need of an order.
type order struct {
	id     string // entity_id
	number string // increment_id
	items  []map[string]any
}

// findOrder looks an order up by its number (increment_id).
func (c *Conn) findOrder(ctx context.Context, number string) (order, bool, error) {
	rec, found, err := c.searchOne(ctx, "V1/orders", newCriteria().filter("increment_id", "eq", number))
	if err != nil || !found {
		return order{}, false, err
	}
	o := order{id: rest.LookupString(rec, "entity_id"), number: number}
	items, _ := rec["items"].([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok && rest.LookupString(m, "parent_item_id") == "" {
			o.items = append(o.items, m) // children of a configurable ship with their parent
		}
	}
	return o, true, nil
}

// orderFor finds the order a shipment or invoice record names, or says
// what to do when the shop does not have it.
func (c *Conn) orderFor(ctx context.Context, req connectors.WriteRequest, what string) (order, error) {
	number := rest.LookupString(req.Data, "order_increment_id")
	if number == "" {
		return order{}, connectors.Permanent(fmt.Errorf("%s %s: the record has no order_increment_id (the order number); map one", what, req.Key))
	}
	o, found, err := c.findOrder(ctx, number)
	if err != nil {
		return order{}, fmt.Errorf("looking order %s up: %w", number, err)
	}
	if !found {
		return order{}, connectors.Permanent(fmt.Errorf("order %s does not exist in Adobe Commerce; check the order number "+
			"(the shop's order number, such as 000000123), or wait until the order is in the shop and retry", number))
	}
	return o, nil
}

// lines turns the record's lines (sku, qty) into the order's item ids; no
// lines are every line of the order.
func (o order) lines(rec map[string]any, what string) ([]any, error) {
	list, _ := rec["items"].([]any)
	out := []any{}
	for _, l := range list {
		sku, qty := rest.LookupString(l, "sku"), jsonNumber(l, "qty")
		item, ok := o.item(sku)
		if !ok {
			return nil, connectors.Permanent(fmt.Errorf("order %s has no line with SKU %s, so the %s cannot name it; check the %s's lines", o.number, sku, what, what))
		}
		out = append(out, map[string]any{"order_item_id": jsonNumber(item, "item_id"), "qty": qty})
	}
	return out, nil
}

func (o order) item(sku string) (map[string]any, bool) {
	for _, it := range o.items {
		if rest.LookupString(it, "sku") == sku {
			return it, true
		}
	}
	return nil, false
}

// jsonNumber is the number at key as JSON takes it.
func jsonNumber(v any, key string) any {
	s := rest.LookupString(v, key)
	if s == "" {
		return nil
	}
	return json.Number(s)
}

// findShipment finds the first shipment of the order with the number.
func (c *Conn) findShipment(ctx context.Context, number string) (string, bool, error) {
	o, found, err := c.findOrder(ctx, number)
	if err != nil || !found {
		return "", false, err
	}
	return c.findOne(ctx, "V1/shipments", newCriteria().filter("order_id", "eq", o.id), "entity_id")
}

// writeShipment ships an order's lines with their tracks, or adds the
// record's new tracks to the order's shipment (req.TargetID).
func (c *Conn) writeShipment(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	o, err := c.orderFor(ctx, req, "shipment")
	if err != nil {
		return connectors.WriteResult{}, err
	}
	tracks, _ := req.Data["tracks"].([]any)
	if req.TargetID != "" {
		return c.addTracks(ctx, o, req.TargetID, tracks)
	}
	items, err := o.lines(req.Data, "shipment")
	if err != nil {
		return connectors.WriteResult{}, err
	}
	body := map[string]any{"items": items, "tracks": tracks, "notify": req.Options.Bool(optNotify)}
	if len(tracks) == 0 {
		body["tracks"] = []any{}
	}
	return c.postID(ctx, "V1/order/"+o.id+"/ship", body, "shipping order "+o.number)
}

// addTracks adds the tracks the shipment does not have yet.
func (c *Conn) addTracks(ctx context.Context, o order, shipmentID string, tracks []any) (connectors.WriteResult, error) {
	var shipment map[string]any
	if _, err := c.client.DoJSON(ctx, rest.Request{Path: "V1/shipment/" + shipmentID}, &shipment); err != nil {
		return connectors.WriteResult{}, fmt.Errorf("reading shipment %s of order %s: %w", shipmentID, o.number, err)
	}
	have := map[string]bool{}
	existing, _ := shipment["tracks"].([]any)
	for _, t := range existing {
		have[rest.LookupString(t, "track_number")] = true
	}
	var added []string
	for _, t := range tracks {
		number := rest.LookupString(t, "track_number")
		if number == "" || have[number] {
			continue
		}
		entity := map[string]any{"order_id": json.Number(o.id), "parent_id": json.Number(shipmentID), "track_number": number,
			"title": rest.LookupString(t, "title"), "carrier_code": rest.LookupString(t, "carrier_code"),
			"weight": nil, "qty": nil, "description": nil}
		if _, err := c.client.Do(ctx, rest.Request{Method: http.MethodPost, Path: "V1/shipment/track", JSON: map[string]any{"entity": entity}}); err != nil {
			return connectors.WriteResult{}, fmt.Errorf("adding track %s to shipment %s of order %s: %w", number, shipmentID, o.number, err)
		}
		added = append(added, number)
	}
	return connectors.WriteResult{TargetID: shipmentID, Response: map[string]any{"shipment": shipmentID, "tracks_added": strings.Join(added, ", ")}}, nil
}

// writeInvoice invoices an order's lines, unless the order has an
// invoice already: then that one is the record's.
func (c *Conn) writeInvoice(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	if req.TargetID != "" { // Adobe Commerce's invoices do not change once made
		return connectors.WriteResult{TargetID: req.TargetID,
			Response: map[string]any{"invoice": req.TargetID, "note": "the invoice exists; invoices are not changed once made"}}, nil
	}
	o, err := c.orderFor(ctx, req, "invoice")
	if err != nil {
		return connectors.WriteResult{}, err
	}
	existing, found, err := c.findOne(ctx, "V1/invoices", newCriteria().filter("order_id", "eq", o.id), "entity_id")
	if err != nil {
		return connectors.WriteResult{}, fmt.Errorf("looking up the invoices of order %s: %w", o.number, err)
	}
	if found {
		return connectors.WriteResult{TargetID: existing,
			Response: map[string]any{"invoice": existing, "note": "order " + o.number + " has this invoice already; no second one was made"}}, nil
	}
	items, err := o.lines(req.Data, "invoice")
	if err != nil {
		return connectors.WriteResult{}, err
	}
	body := map[string]any{"items": items, "capture": req.Options.Bool(optCapture), "notify": req.Options.Bool(optNotify)}
	return c.postID(ctx, "V1/order/"+o.id+"/invoice", body, "invoicing order "+o.number)
}

// postID posts a body whose answer is the new record's id.
func (c *Conn) postID(ctx context.Context, path string, body map[string]any, what string) (connectors.WriteResult, error) {
	var id json.Number
	if _, err := c.client.DoJSON(ctx, rest.Request{Method: http.MethodPost, Path: path, JSON: body}, &id); err != nil {
		return connectors.WriteResult{}, fmt.Errorf("%s: %w", what, err)
	}
	return connectors.WriteResult{TargetID: id.String(), Response: map[string]any{"id": id, "request": body}}, nil
}
