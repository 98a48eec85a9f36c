package adobetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// notFound is Adobe Commerce's answer for a record it does not have.
func notFound(what string) spectest.Reply {
	return spectest.JSON(http.StatusNotFound, map[string]any{
		"message": "The " + what + " that was requested doesn't exist. Verify the " + what + " and try again."})
}

func badRequest(msg string) spectest.Reply {
	return spectest.JSON(http.StatusBadRequest, map[string]any{"message": msg})
}

func (s *Shop) routes() {
	s.Handle("GET /V1/store/storeViews", func(*spectest.Call) spectest.Reply {
		return spectest.JSON(200, []any{
			map[string]any{"id": 0, "code": "admin", "name": "Admin", "website_id": 0, "store_group_id": 0, "is_active": 1},
			map[string]any{"id": 1, "code": "default", "name": "Default Store View", "website_id": 1, "store_group_id": 1, "is_active": 1},
		})
	})
	for op, col := range map[string]string{"GET /V1/orders": Orders, "GET /V1/customers/search": Customers,
		"GET /V1/products": Products, "GET /V1/inventory/source-items": SourceItems, "GET /V1/shipments": Shipments,
		"GET /V1/invoices": Invoices} {
		s.Handle(op, func(c *spectest.Call) spectest.Reply { return s.search(c, col) })
	}
	s.Handle("GET /V1/orders/{id}", s.get(Orders, "id", "entity"))
	s.Handle("GET /V1/shipment/{id}", s.get(Shipments, "id", "entity"))
	s.Handle("GET /V1/products/{sku}", s.get(Products, "sku", "product"))
	s.Handle("GET /V1/inventory/sources/{sourceCode}", s.get(Sources, "sourceCode", "source"))
	s.Handle("POST /V1/products", func(c *spectest.Call) spectest.Reply {
		p := object(c.Body, "product")
		return spectest.JSON(200, s.saveProduct(fmt.Sprint(p["sku"]), p))
	})
	s.Handle("PUT /V1/products/{sku}", func(c *spectest.Call) spectest.Reply {
		return spectest.JSON(200, s.saveProduct(c.Params["sku"], object(c.Body, "product")))
	})
	s.Handle("POST /V1/inventory/source-items", s.saveSourceItems)
	s.Handle("POST /V1/order/{orderId}/ship", s.ship)
	s.Handle("POST /V1/shipment/track", s.addTrack)
	s.Handle("POST /V1/order/{orderId}/invoice", s.invoice)
}

// get answers one record by a path parameter.
func (s *Shop) get(collection, param, what string) spectest.Handler {
	return func(c *spectest.Call) spectest.Reply {
		rec, ok := c.Store.Get(collection, c.Params[param])
		if !ok {
			return notFound(what)
		}
		return spectest.JSON(200, rec)
	}
}

// object is the object under key of a body.
func object(body any, key string) map[string]any {
	m, _ := body.(map[string]any)
	o, _ := m[key].(map[string]any)
	if o == nil {
		o = map[string]any{}
	}
	return o
}

// saveProduct creates or changes a product: the fields given replace
// the product's, custom attributes by code, extension attributes by name.
func (s *Shop) saveProduct(sku string, p map[string]any) map[string]any {
	old, exists := s.Store.Get(Products, sku)
	if !exists {
		old = map[string]any{"id": s.Store.NextID(Products), "type_id": "simple", "attribute_set_id": 4, "created_at": s.tick()}
	}
	for k, v := range p {
		switch k {
		case "custom_attributes":
			old[k] = mergeAttributes(old[k], v)
		case "extension_attributes":
			ext, _ := old[k].(map[string]any)
			if ext == nil {
				ext = map[string]any{}
			}
			for ek, ev := range v.(map[string]any) {
				ext[ek] = ev
			}
			old[k] = ext
		default:
			old[k] = v
		}
	}
	old["sku"], old["updated_at"] = sku, s.tick()
	s.Store.Put(Products, sku, old)
	return old
}

// mergeAttributes sets the custom attributes given by code; one given as
// empty text is removed, as Adobe Commerce removes an attribute's value
// saved empty (a special price that ended).
func mergeAttributes(old, add any) []any {
	list, _ := old.([]any)
	for _, a := range add.([]any) {
		code := fmt.Sprint(a.(map[string]any)["attribute_code"])
		var kept []any
		for _, o := range list {
			if fmt.Sprint(o.(map[string]any)["attribute_code"]) != code {
				kept = append(kept, o)
			}
		}
		list = kept
		if v := a.(map[string]any)["value"]; v != "" {
			list = append(list, a)
		}
	}
	return list
}

// saveSourceItems saves source items. As in Adobe Commerce, an unknown
// source is refused and an unknown SKU is not: its source item is saved
// without a product.
func (s *Shop) saveSourceItems(c *spectest.Call) spectest.Reply {
	items, _ := c.Body.(map[string]any)["sourceItems"].([]any)
	for _, it := range items {
		item := it.(map[string]any)
		if reply, ok := validSourceItem(item); !ok {
			return reply
		}
		if _, ok := c.Store.Get(Sources, fmt.Sprint(item["source_code"])); !ok {
			return badRequest(fmt.Sprintf("Could not save Source Item: source %v does not exist", item["source_code"]))
		}
	}
	for _, it := range items {
		s.AddSourceItem(it.(map[string]any))
	}
	return spectest.JSON(200, []any{})
}

// validSourceItem checks a source item as Adobe Commerce's SourceItemsSave
// does before it saves any of a call's items: one item without a numeric
// quantity or a known status refuses the whole call, naming the field but
// not the item.
func validSourceItem(item map[string]any) (spectest.Reply, bool) {
	for _, field := range []string{"quantity", "status"} {
		if _, numeric := item[field].(json.Number); !numeric {
			return validationFailed(`"%field" should be numeric.`, field), false
		}
	}
	if st := fmt.Sprint(item["status"]); st != "0" && st != "1" {
		return validationFailed(`"%field" should a known status.`, "status"), false
	}
	return spectest.Reply{}, true
}

// validationFailed is Adobe Commerce's answer to a ValidationException.
func validationFailed(msg, field string) spectest.Reply {
	return spectest.JSON(http.StatusBadRequest, map[string]any{"message": "Validation Failed",
		"errors": []any{map[string]any{"message": msg, "parameters": []any{field}}}})
}

// num is a JSON number as a float.
func num(v any) float64 {
	f, _ := strconv.ParseFloat(fmt.Sprint(v), 64)
	return f
}

// orderItems returns an order's items by item_id.
func orderItems(o map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	items, _ := o["items"].([]any)
	for _, it := range items {
		m := it.(map[string]any)
		out[fmt.Sprint(m["item_id"])] = m
	}
	return out
}

func jsonNum(f float64) json.Number { return json.Number(strconv.FormatFloat(f, 'f', -1, 64)) }
