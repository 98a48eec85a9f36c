package fake

import (
	"fmt"
	"strconv"
	"strings"
)

// mutation resolves a root mutation field.
func (s *Server) mutation(name string, args map[string]any) (any, error) {
	switch name {
	case "productSet":
		return s.productSet(obj(args["input"]))
	case "productUpdate":
		return s.productUpdate(obj(args["product"]))
	case "inventorySetQuantities":
		return s.inventorySet(obj(args["input"]))
	case "fulfillmentCreate":
		return s.fulfillmentCreate(obj(args["fulfillment"]))
	case "fulfillmentTrackingInfoUpdate":
		return s.trackingUpdate(str(args["fulfillmentId"]), obj(args["trackingInfoInput"]))
	case "webhookSubscriptionCreate":
		return s.webhookCreate(str(args["topic"]), obj(args["webhookSubscription"]))
	case "webhookSubscriptionDelete":
		return s.webhookDelete(str(args["id"]))
	}
	return nil, fmt.Errorf("the fake does not answer the mutation %s", name)
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

func objs(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		out = append(out, obj(x))
	}
	return out
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// userError is a mutation's refusal of its input, as Shopify words them.
func userError(code, message string, field ...string) map[string]any {
	e := map[string]any{"__typename": "UserError", "field": strs(field), "message": message}
	if code != "" {
		e["code"] = code
	}
	return e
}

func payload(typename string, fields map[string]any, errs ...map[string]any) map[string]any {
	fields["__typename"] = typename
	list := make([]any, len(errs))
	for i, e := range errs {
		list[i] = e
	}
	fields["userErrors"] = list
	return fields
}

func (s *Server) inventorySet(in map[string]any) (any, error) {
	st := s.store
	name, reason := str(in["name"]), str(in["reason"])
	if name != "available" && name != "on_hand" {
		return payload("InventorySetQuantitiesPayload", map[string]any{}, userError("INVALID_NAME", "The quantity name must be either 'available' or 'on_hand'.", "input", "name")), nil
	}
	if !validReasons[reason] {
		return payload("InventorySetQuantitiesPayload", map[string]any{}, userError("INVALID_REASON", "The specified reason is invalid.", "input", "reason")), nil
	}
	ignoreCompare, _ := in["ignoreCompareQuantity"].(bool)
	var changes []any
	for i, q := range objs(in["quantities"]) {
		itemID, locID, qty := str(q["inventoryItemId"]), str(q["locationId"]), toInt(q["quantity"])
		at := []string{"input", "quantities", strconv.Itoa(i)}
		v, loc := st.variantOf[itemID], st.location(locID)
		switch {
		case v == nil:
			return payload("InventorySetQuantitiesPayload", map[string]any{}, userError("INVALID_INVENTORY_ITEM", "The specified inventory item could not be found.", append(at, "inventoryItemId")...)), nil
		case loc == nil:
			return payload("InventorySetQuantitiesPayload", map[string]any{}, userError("INVALID_LOCATION", "The specified location could not be found.", append(at, "locationId")...)), nil
		case st.levels[itemID][locID] == nil:
			return payload("InventorySetQuantitiesPayload", map[string]any{}, userError("ITEM_NOT_STOCKED_AT_LOCATION", "The specified inventory item is not stocked at the location.", append(at, "locationId")...)), nil
		}
		before := st.levels[itemID][locID].quantities[name]
		if cq, ok := q["compareQuantity"]; ok && cq != nil && !ignoreCompare && toInt(cq) != before {
			return payload("InventorySetQuantitiesPayload", map[string]any{}, userError("COMPARE_QUANTITY_STALE", "The compareQuantity value does not match persisted value.", append(at, "compareQuantity")...)), nil
		} else if !ok && !ignoreCompare {
			return payload("InventorySetQuantitiesPayload", map[string]any{}, userError("COMPARE_QUANTITY_REQUIRED", "The compareQuantity argument must be given to each quantity or ignored using ignoreCompareQuantity.", append(at, "compareQuantity")...)), nil
		}
		st.setLevel(itemID, locID, name, qty)
		changes = append(changes, map[string]any{"__typename": "InventoryChange", "name": name, "delta": qty - before,
			"quantityAfterChange": qty, "item": s.store.itemNode(v), "location": locationNode(loc)})
	}
	group := map[string]any{"__typename": "InventoryAdjustmentGroup", "id": st.gid("InventoryAdjustmentGroup"),
		"createdAt": stamp(st.now()), "reason": reason, "changes": append([]any{}, changes...)}
	return payload("InventorySetQuantitiesPayload", map[string]any{"inventoryAdjustmentGroup": group}), nil
}

// validReasons are the reasons inventorySetQuantities takes.
var validReasons = map[string]bool{"correction": true, "cycle_count_available": true, "damaged": true, "movement_created": true,
	"movement_updated": true, "movement_received": true, "movement_canceled": true, "other": true, "promotion": true,
	"quality_control": true, "received": true, "reservation_created": true, "reservation_deleted": true,
	"reservation_updated": true, "restock": true, "safety_stock": true, "shrinkage": true}

func (s *Server) fulfillmentCreate(in map[string]any) (any, error) {
	st := s.store
	var order map[string]any
	total := 0
	type take struct {
		item map[string]any
		qty  int
	}
	var takes []take
	for i, group := range objs(in["lineItemsByFulfillmentOrder"]) {
		fo, o := st.fulfillmentOrderByID(str(group["fulfillmentOrderId"]))
		at := []string{"fulfillment", "lineItemsByFulfillmentOrder", strconv.Itoa(i)}
		if fo == nil {
			return payload("FulfillmentCreatePayload", map[string]any{}, userError("", "Fulfillment order does not exist.", append(at, "fulfillmentOrderId")...)), nil
		}
		if fo["status"] == "CLOSED" {
			return payload("FulfillmentCreatePayload", map[string]any{}, userError("", "Fulfillment order "+idNumber(str(fo["id"]))+" has an unfulfillable status= closed.", append(at, "fulfillmentOrderId")...)), nil
		}
		order = o
		wanted := objs(group["fulfillmentOrderLineItems"])
		for _, li := range fo["lineItems"].([]any) {
			item := li.(map[string]any)
			qty, ok := toInt(item["remainingQuantity"]), len(wanted) == 0
			for _, w := range wanted {
				if str(w["id"]) == item["id"] {
					qty, ok = toInt(w["quantity"]), true
				}
			}
			if !ok || qty == 0 {
				continue
			}
			if qty > toInt(item["remainingQuantity"]) {
				return payload("FulfillmentCreatePayload", map[string]any{}, userError("", "Invalid fulfillment order line item quantity requested.", at...)), nil
			}
			takes, total = append(takes, take{item, qty}), total+qty
		}
	}
	if order == nil || total == 0 {
		return payload("FulfillmentCreatePayload", map[string]any{}, userError("", "No fulfillment order line items to fulfill.", "fulfillment")), nil
	}
	for _, t := range takes {
		t.item["remainingQuantity"] = toInt(t.item["remainingQuantity"]) - t.qty
	}
	f := map[string]any{"__typename": "Fulfillment", "id": st.gid("Fulfillment"), "status": "SUCCESS", "name": fmt.Sprint(order["name"], "-F", len(order["fulfillments"].([]any))+1),
		"createdAt": stamp(st.now()), "updatedAt": stamp(st.now()), "totalQuantity": total, "requiresShipping": true,
		"trackingInfo": trackingList(obj(in["trackingInfo"])), "notifyCustomer": in["notifyCustomer"] == true}
	order["fulfillments"] = append(order["fulfillments"].([]any), f)
	st.fulfillments[f["id"].(string)] = f
	st.settle(order)
	f["order"] = map[string]any{"__typename": "Order", "id": order["id"], "name": order["name"]}
	return payload("FulfillmentCreatePayload", map[string]any{"fulfillment": f}), nil
}

func trackingList(in map[string]any) []any {
	if in == nil || (in["number"] == nil && in["numbers"] == nil) {
		return []any{}
	}
	return []any{map[string]any{"__typename": "FulfillmentTrackingInfo", "number": in["number"], "company": in["company"], "url": in["url"]}}
}

func (st *store) fulfillmentOrderByID(id string) (map[string]any, map[string]any) {
	for _, o := range st.orders {
		for _, fo := range o["fulfillmentOrders"].([]any) {
			if fo.(map[string]any)["id"] == id {
				return fo.(map[string]any), o
			}
		}
	}
	return nil, nil
}

// settle closes fulfilled fulfillment orders and sets the order's
// fulfillment status.
func (st *store) settle(order map[string]any) {
	remaining, shipped := 0, 0
	for _, fo := range order["fulfillmentOrders"].([]any) {
		left := 0
		for _, li := range fo.(map[string]any)["lineItems"].([]any) {
			item := li.(map[string]any)
			left += toInt(item["remainingQuantity"])
			shipped += toInt(item["totalQuantity"]) - toInt(item["remainingQuantity"])
		}
		if left == 0 {
			fo.(map[string]any)["status"] = "CLOSED"
		}
		remaining += left
	}
	switch {
	case remaining == 0:
		order["displayFulfillmentStatus"] = "FULFILLED"
	case shipped > 0:
		order["displayFulfillmentStatus"] = "PARTIALLY_FULFILLED"
	}
	order["updatedAt"] = stamp(st.now())
}

func (s *Server) trackingUpdate(id string, in map[string]any) (any, error) {
	f := s.store.fulfillments[id]
	if f == nil {
		return payload("FulfillmentTrackingInfoUpdatePayload", map[string]any{}, userError("", "Fulfillment does not exist.", "fulfillmentId")), nil
	}
	f["trackingInfo"] = trackingList(in)
	f["updatedAt"] = stamp(s.store.now())
	return payload("FulfillmentTrackingInfoUpdatePayload", map[string]any{"fulfillment": f}), nil
}

func (s *Server) webhookCreate(topic string, in map[string]any) (any, error) {
	url := str(in["callbackUrl"])
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return payload("WebhookSubscriptionCreatePayload", map[string]any{}, userError("", "Address is invalid", "webhookSubscription", "callbackUrl")), nil
	}
	for _, w := range s.store.webhooks {
		if w["topic"] == topic && w["callbackUrl"] == url {
			return payload("WebhookSubscriptionCreatePayload", map[string]any{}, userError("", "Address for this topic has already been taken", "webhookSubscription", "callbackUrl")), nil
		}
	}
	now := stamp(s.store.now())
	w := map[string]any{"__typename": "WebhookSubscription", "id": s.store.gid("WebhookSubscription"), "topic": topic,
		"callbackUrl": url, "format": "JSON", "createdAt": now, "updatedAt": now, "includeFields": []any{}}
	s.store.webhooks[w["id"].(string)] = w
	return payload("WebhookSubscriptionCreatePayload", map[string]any{"webhookSubscription": w}), nil
}

func (s *Server) webhookDelete(id string) (any, error) {
	if s.store.webhooks[id] == nil {
		return payload("WebhookSubscriptionDeletePayload", map[string]any{}, userError("", "Webhook subscription does not exist", "id")), nil
	}
	delete(s.store.webhooks, id)
	return payload("WebhookSubscriptionDeletePayload", map[string]any{"deletedWebhookSubscriptionId": id}), nil
}
