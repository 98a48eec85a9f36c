package fake

import (
	"encoding/json"
	"fmt"
	"strings"
)

// AddOrder keeps an order, given as the schema's Order object (the shape
// the Admin API answers, as in Shopify's examples). The fake fills in what
// it leaves out that cannot be null: an id, a name, the times, empty
// lists, the current amounts (those as ordered), a line's current quantity
// (its quantity) and discount allocations (its totalDiscountSet), and a
// fulfillment order of every line for fulfilling it. It
// returns the order's id.
func (s *Server) AddOrder(order map[string]any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := copyJSON(order)
	now := stamp(s.store.now())
	defaults := map[string]any{"id": s.store.gid("Order"), "createdAt": now, "processedAt": now, "updatedAt": now,
		"currencyCode": "EUR", "taxesIncluded": false, "paymentGatewayNames": []any{}, "discountCodes": []any{},
		"displayFulfillmentStatus": "UNFULFILLED", "tags": []any{}, "test": false}
	for k, v := range defaults {
		if _, ok := o[k]; !ok {
			o[k] = v
		}
	}
	if _, ok := o["name"]; !ok {
		o["name"] = fmt.Sprintf("#%d", 1000+len(s.store.orders)+1)
	}
	o["__typename"] = "Order"
	for current, total := range currentTotals {
		if _, ok := o[current]; !ok && o[total] != nil {
			o[current] = o[total]
		}
	}
	o["lineItems"] = s.store.lines(o["lineItems"])
	o["fulfillmentOrders"] = []any{s.store.fulfillmentOrder(o)}
	o["fulfillments"] = []any{}
	s.store.orders = append(s.store.orders, o)
	return o["id"].(string)
}

// currentTotals are an order's amounts after its edits and refunds, each
// with the amount as ordered, which an order given without them (one
// never edited) has.
var currentTotals = map[string]string{"currentSubtotalPriceSet": "subtotalPriceSet", "currentTotalDiscountsSet": "totalDiscountsSet",
	"currentTotalTaxSet": "totalTaxSet", "currentTotalPriceSet": "totalPriceSet"}

// lines takes an order's lines as a list or a connection's nodes; a line
// given without its currentQuantity has its quantity, as one never edited.
func (s *store) lines(v any) []any {
	if m, ok := v.(map[string]any); ok {
		v = m["nodes"]
	}
	list, _ := v.([]any)
	for _, l := range list {
		if m, ok := l.(map[string]any); ok {
			m["__typename"] = "LineItem"
			if _, ok := m["id"]; !ok {
				m["id"] = s.gid("LineItem")
			}
			if _, ok := m["currentQuantity"]; !ok {
				m["currentQuantity"] = m["quantity"]
			}
			if _, ok := m["discountAllocations"]; !ok {
				m["discountAllocations"] = allocations(m)
			}
		}
	}
	return append([]any{}, list...)
}

// allocations are the discount allocations of a line given without them:
// one of its totalDiscountSet, when that is more than nothing.
func allocations(line map[string]any) []any {
	set, ok := line["totalDiscountSet"].(map[string]any)
	money, _ := set["shopMoney"].(map[string]any)
	if !ok || money == nil {
		return []any{}
	}
	if amount := strings.Trim(fmt.Sprint(money["amount"]), "0."); amount == "" {
		return []any{}
	}
	return []any{map[string]any{"__typename": "DiscountAllocation", "allocatedAmountSet": set}}
}

// fulfillmentOrder is the order's one fulfillment order: every line, at
// the first location.
func (s *store) fulfillmentOrder(o map[string]any) map[string]any {
	var items []any
	for _, l := range o["lineItems"].([]any) {
		line, _ := l.(map[string]any)
		qty := toInt(line["currentQuantity"])
		items = append(items, map[string]any{"__typename": "FulfillmentOrderLineItem", "id": s.gid("FulfillmentOrderLineItem"),
			"sku": line["sku"], "totalQuantity": qty, "remainingQuantity": qty, "lineItem": line, "productTitle": line["name"],
			"requiresShipping": true})
	}
	return map[string]any{"__typename": "FulfillmentOrder", "id": s.gid("FulfillmentOrder"), "status": "OPEN",
		"orderId": o["id"], "orderName": o["name"], "lineItems": append([]any{}, items...), "createdAt": o["createdAt"],
		"updatedAt": o["updatedAt"], "requestStatus": "UNSUBMITTED", "supportedActions": []any{}, "fulfillmentHolds": []any{}}
}

// SplitByLine gives each line of an order a fulfillment order of its own,
// as Shopify makes one for each location an order ships from: an order
// whose every line is stocked at another location.
func (s *Server) SplitByLine(orderID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.store.order(orderID)
	if o == nil {
		return
	}
	whole := s.store.fulfillmentOrder(o)
	var split []any
	for _, item := range whole["lineItems"].([]any) {
		fo := copyJSON(whole)
		fo["id"], fo["lineItems"] = s.store.gid("FulfillmentOrder"), []any{item}
		split = append(split, fo)
	}
	o["fulfillmentOrders"] = split
}

// AddCustomer keeps a customer, given as the schema's Customer object,
// and returns its id.
func (s *Server) AddCustomer(customer map[string]any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := copyJSON(customer)
	now := stamp(s.store.now())
	defaults := map[string]any{"id": s.store.gid("Customer"), "createdAt": now, "updatedAt": now, "tags": []any{},
		"locale": "en", "displayName": strings.TrimSpace(fmt.Sprint(c["firstName"], " ", c["lastName"])),
		"verifiedEmail": true, "validEmailAddress": true}
	for k, v := range defaults {
		if _, ok := c[k]; !ok {
			c[k] = v
		}
	}
	c["__typename"] = "Customer"
	s.store.customers = append(s.store.customers, c)
	return c["id"].(string)
}

// UpdateOrder changes fields of an order, as a person would in Shopify's
// admin, and moves its updatedAt to now.
func (s *Server) UpdateOrder(id string, fields map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.store.orders {
		if o["id"] == id {
			for k, v := range copyJSON(fields) {
				o[k] = v
			}
			o["updatedAt"] = stamp(s.store.now())
		}
	}
}

// Fulfillments returns the fulfillments of an order: id, status and
// trackingInfo.
func (s *Server) Fulfillments(orderID string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, o := range s.store.orders {
		if o["id"] == orderID {
			for _, f := range o["fulfillments"].([]any) {
				out = append(out, copyJSON(f.(map[string]any)))
			}
		}
	}
	return out
}

func (s *store) order(id string) map[string]any {
	for _, o := range s.orders {
		if o["id"] == id {
			return o
		}
	}
	return nil
}

// orderStatus is the status Shopify's search knows an order by.
func orderStatus(o map[string]any) string {
	switch {
	case o["cancelledAt"] != nil:
		return "cancelled"
	case o["closedAt"] != nil:
		return "closed"
	}
	return "open"
}

var orderFields = map[string]fieldFunc{
	"updated_at": text("updatedAt"), "created_at": text("createdAt"), "processed_at": text("processedAt"),
	"email": text("email"), "status": orderStatus,
	"name": func(o map[string]any) string { n, _ := o["name"].(string); return strings.TrimPrefix(n, "#") },
	"financial_status": func(o map[string]any) string {
		s, _ := o["displayFinancialStatus"].(string)
		return strings.ToLower(s)
	},
	"fulfillment_status": func(o map[string]any) string {
		s, _ := o["displayFulfillmentStatus"].(string)
		return strings.ToLower(s)
	},
}

var customerFields = map[string]fieldFunc{
	"updated_at": text("updatedAt"), "created_at": text("createdAt"), "email": text("email"),
}

func toInt(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case float64:
		return int(x)
	case json.Number:
		n, _ := x.Int64()
		return int(n)
	}
	return 0
}

// copyJSON copies a JSON-like value deeply.
func copyJSON(m map[string]any) map[string]any {
	data, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return out
}
