package adobetest

import (
	"fmt"
	"sort"

	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// lines resolves a request's items (order_item_id, qty) against the
// order, counting what was done already at doneKey (qty_shipped,
// qty_invoiced); no items are every line not done yet.
func lines(o map[string]any, body any, doneKey string) (map[string]float64, string) {
	byID := orderItems(o)
	asked, _ := body.(map[string]any)["items"].([]any)
	out := map[string]float64{}
	if len(asked) == 0 {
		for id, it := range byID {
			if left := num(it["qty_ordered"]) - num(it[doneKey]); left > 0 && it["parent_item_id"] == nil {
				out[id] = left
			}
		}
	}
	for _, a := range asked {
		m := a.(map[string]any)
		id := fmt.Sprint(m["order_item_id"])
		it, ok := byID[id]
		if !ok {
			return nil, fmt.Sprintf("The order item %s does not belong to the order.", id)
		}
		if num(m["qty"]) > num(it["qty_ordered"])-num(it[doneKey]) {
			return nil, fmt.Sprintf("The quantity of order item %s is more than is left to do.", id)
		}
		out[id] = num(m["qty"])
	}
	if len(out) == 0 {
		return nil, "The order does not allow this document to be created."
	}
	return out, ""
}

// ship makes a shipment of an order's lines with its tracks.
func (s *Shop) ship(c *spectest.Call) spectest.Reply {
	o, ok := c.Store.Get(Orders, c.Params["orderId"])
	if !ok {
		return notFound("entity")
	}
	qty, problem := lines(o, c.Body, "qty_shipped")
	if problem != "" {
		return badRequest("Shipment Document Validation Error(s):\n" + problem)
	}
	id := c.Store.NextID(Shipments)
	at := s.tick()
	shipment := map[string]any{"entity_id": id, "increment_id": fmt.Sprintf("%09d", id), "order_id": o["entity_id"],
		"created_at": at, "updated_at": at, "items": s.documentItems(o, qty, "qty_shipped"), "comments": []any{}, "tracks": []any{}}
	tracks, _ := c.Body.(map[string]any)["tracks"].([]any)
	for _, t := range tracks {
		shipment["tracks"] = append(shipment["tracks"].([]any), track(c.Store.NextID("tracks"), id, o["entity_id"], t.(map[string]any), at))
	}
	c.Store.Put(Shipments, fmt.Sprint(id), shipment)
	s.AddOrder(o)
	return spectest.JSON(200, id)
}

func track(id int, shipment, order any, t map[string]any, at string) map[string]any {
	return map[string]any{"entity_id": id, "parent_id": shipment, "order_id": order, "track_number": t["track_number"],
		"title": t["title"], "carrier_code": t["carrier_code"], "weight": nil, "qty": nil, "description": nil,
		"created_at": at, "updated_at": at}
}

// addTrack adds a track to a shipment.
func (s *Shop) addTrack(c *spectest.Call) spectest.Reply {
	t := object(c.Body, "entity")
	shipment, ok := c.Store.Get(Shipments, fmt.Sprint(t["parent_id"]))
	if !ok {
		return notFound("entity")
	}
	at := s.tick()
	added := track(c.Store.NextID("tracks"), shipment["entity_id"], shipment["order_id"], t, at)
	shipment["tracks"] = append(shipment["tracks"].([]any), added)
	shipment["updated_at"] = at
	c.Store.Put(Shipments, fmt.Sprint(shipment["entity_id"]), shipment)
	return spectest.JSON(200, added)
}

// invoice makes an invoice of an order's lines.
func (s *Shop) invoice(c *spectest.Call) spectest.Reply {
	o, ok := c.Store.Get(Orders, c.Params["orderId"])
	if !ok {
		return notFound("entity")
	}
	qty, problem := lines(o, c.Body, "qty_invoiced")
	if problem != "" {
		return badRequest("Invoice Document Validation Error(s):\n" + problem)
	}
	id := c.Store.NextID(Invoices)
	at := s.tick()
	items := s.documentItems(o, qty, "qty_invoiced")
	total := 0.0
	for _, it := range items {
		total += num(it.(map[string]any)["qty"])
	}
	invoice := map[string]any{"entity_id": id, "increment_id": fmt.Sprintf("%09d", id), "order_id": o["entity_id"],
		"created_at": at, "updated_at": at, "items": items, "total_qty": jsonNum(total), "state": 2,
		"order_currency_code": o["order_currency_code"]}
	c.Store.Put(Invoices, fmt.Sprint(id), invoice)
	s.AddOrder(o)
	return spectest.JSON(200, id)
}

// documentItems are a document's items, and count them done on the
// order's items.
func (s *Shop) documentItems(o map[string]any, qty map[string]float64, doneKey string) []any {
	byID := orderItems(o)
	ids := make([]string, 0, len(qty))
	for id := range qty {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []any
	for _, id := range ids {
		it := byID[id]
		it[doneKey] = jsonNum(num(it[doneKey]) + qty[id])
		out = append(out, map[string]any{"order_item_id": it["item_id"], "sku": it["sku"], "name": it["name"],
			"qty": jsonNum(qty[id]), "price": it["price"], "product_id": it["product_id"]})
	}
	o["updated_at"] = s.tick()
	return out
}

// Shipments returns the shop's shipments.
func (s *Shop) Shipments() []map[string]any { return s.Store.All(Shipments) }

// Invoices returns the shop's invoices.
func (s *Shop) Invoices() []map[string]any { return s.Store.All(Invoices) }
