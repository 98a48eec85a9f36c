package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// productFields are the fields a product takes, and their types: text,
// int, bool, list, object or number.
var productFields = map[string]string{"name": "text", "slug": "text", "type": "text", "status": "text", "description": "text",
	"short_description": "text", "sku": "text", "regular_price": "text", "sale_price": "text", "manage_stock": "bool",
	"stock_quantity": "int", "stock_status": "text", "weight": "text", "dimensions": "object", "categories": "list",
	"images": "list", "attributes": "list", "meta_data": "list", "tags": "list", "brands": "list", "global_unique_id": "text",
	"tax_class": "text", "catalog_visibility": "text"}

var variationFields = map[string]string{"sku": "text", "regular_price": "text", "sale_price": "text", "manage_stock": "bool",
	"stock_quantity": "int", "stock_status": "text", "weight": "text", "dimensions": "object", "attributes": "list",
	"image": "object", "meta_data": "list", "status": "text", "description": "text", "global_unique_id": "text"}

var enums = map[string][]string{
	"type":         {"simple", "grouped", "external", "variable"},
	"status":       {"draft", "pending", "private", "publish"},
	"stock_status": {"instock", "outofstock", "onbackorder"},
}

// check refuses a field of the wrong type or value, as WooCommerce's
// schema does (rest_invalid_param); unknown fields are ignored.
func check(fields map[string]string, in map[string]any) *wooError {
	for k, v := range in {
		kind, known := fields[k]
		if !known || v == nil {
			continue
		}
		ok := true
		switch kind {
		case "text":
			_, ok = v.(string)
		case "int":
			n, isNum := v.(json.Number)
			_, err := n.Int64()
			ok = isNum && err == nil
		case "bool":
			_, ok = v.(bool)
		case "list":
			_, ok = v.([]any)
		case "object":
			_, ok = v.(map[string]any)
		}
		if !ok {
			return &wooError{"rest_invalid_param", fmt.Sprintf("Invalid parameter(s): %s (%s is not of type %s.)", k, k, map[string]string{"text": "string", "int": "integer", "bool": "boolean", "list": "array", "object": "object"}[kind])}
		}
		if allowed := enums[k]; allowed != nil && !contains(allowed, v.(string)) {
			return &wooError{"rest_invalid_param", fmt.Sprintf("Invalid parameter(s): %s (%s is not one of %s.)", k, k, strings.Join(allowed, ", "))}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (s *Server) productsRoute(r *http.Request, parts []string, body map[string]any) (int, any, map[string]string) {
	id, hasID := idOf(parts, 1)
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		return list(r, values(s.products), func(p map[string]any) bool { return s.matchProduct(r, p) })
	case len(parts) == 1 && r.Method == http.MethodPost:
		return s.createProduct(body)
	case len(parts) == 2 && parts[1] == "batch" && r.Method == http.MethodPost:
		return s.batch(body, s.createProduct, s.updateProduct)
	case len(parts) == 2 && hasID && r.Method == http.MethodGet:
		if p := s.products[id]; p != nil {
			return http.StatusOK, p, nil
		}
		return refuse(http.StatusNotFound, "woocommerce_rest_product_invalid_id", "Invalid ID.")
	case len(parts) == 2 && hasID && r.Method == http.MethodPut:
		return s.updateProduct(withID(body, id))
	case len(parts) >= 3 && hasID && parts[2] == "variations":
		return s.variationsRoute(r, id, parts[3:], body)
	}
	return refuse(http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
}

func withID(m map[string]any, id int) map[string]any {
	out := map[string]any{"id": json.Number(fmt.Sprint(id))}
	for k, v := range m {
		if k != "id" {
			out[k] = v
		}
	}
	return out
}

// matchProduct filters by sku, status, type and modified_after. A search
// by SKU finds variations too, as WooCommerce's does.
func (s *Server) matchProduct(r *http.Request, p map[string]any) bool {
	q := r.URL.Query()
	if sku := q.Get("sku"); sku != "" && p["sku"] != sku {
		return false
	} else if sku == "" && p["type"] == "variation" {
		return false
	}
	if st := q.Get("status"); st != "" && st != "any" && p["status"] != st {
		return false
	}
	if t := q.Get("type"); t != "" && p["type"] != t {
		return false
	}
	return since(r, p)
}

// skuTaken reports whether another product or variation has the SKU.
func (s *Server) skuTaken(sku any, id int) bool {
	if sku == nil || sku == "" {
		return false
	}
	for pid, p := range s.products {
		if pid != id && p["sku"] == sku {
			return true
		}
	}
	return false
}

func (s *Server) createProduct(in map[string]any) (int, any, map[string]string) {
	if e := check(productFields, in); e != nil {
		return refuse(http.StatusBadRequest, e.code, e.message)
	}
	if s.skuTaken(in["sku"], 0) {
		return refuse(http.StatusBadRequest, "product_invalid_sku", "Invalid or duplicated SKU.")
	}
	id, now := s.id(), s.now()
	p := map[string]any{"id": id, "name": "", "type": "simple", "status": "publish", "sku": "", "regular_price": "",
		"sale_price": "", "price": "", "manage_stock": false, "stock_quantity": nil, "stock_status": "instock",
		"description": "", "short_description": "", "weight": "", "categories": []any{}, "images": []any{}, "attributes": []any{},
		"variations": []any{}, "parent_id": 0, "date_created_gmt": now, "date_modified_gmt": now, "date_created": now, "date_modified": now}
	s.apply(p, in)
	s.products[id] = p
	return http.StatusCreated, p, nil
}

func (s *Server) updateProduct(in map[string]any) (int, any, map[string]string) {
	id := toInt(in["id"])
	p := s.products[id]
	if p == nil {
		return refuse(http.StatusBadRequest, "woocommerce_rest_product_invalid_id", "Invalid ID.")
	}
	fields := productFields
	if p["type"] == "variation" {
		fields = variationFields
	}
	if e := check(fields, in); e != nil {
		return refuse(http.StatusBadRequest, e.code, e.message)
	}
	if s.skuTaken(in["sku"], id) {
		return refuse(http.StatusBadRequest, "product_invalid_sku", "Invalid or duplicated SKU.")
	}
	s.apply(p, in)
	return http.StatusOK, p, nil
}

// apply sets the given fields and what WooCommerce derives from them.
func (s *Server) apply(p, in map[string]any) {
	for k, v := range in {
		if k != "id" {
			p[k] = v
		}
	}
	p["price"] = p["regular_price"]
	if sp, _ := p["sale_price"].(string); sp != "" {
		p["price"] = sp
	}
	if p["manage_stock"] == true {
		if n := toInt(p["stock_quantity"]); n > 0 {
			p["stock_status"] = "instock"
		} else {
			p["stock_status"] = "outofstock"
		}
	}
	now := s.now()
	p["date_modified_gmt"], p["date_modified"] = now, now
}

func (s *Server) variationsRoute(r *http.Request, parent int, rest []string, body map[string]any) (int, any, map[string]string) {
	p := s.products[parent]
	if p == nil || p["type"] != "variable" {
		return refuse(http.StatusNotFound, "woocommerce_rest_product_invalid_id", "Invalid ID.")
	}
	create := func(in map[string]any) (int, any, map[string]string) { return s.createVariation(p, in) }
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		var vars []map[string]any
		for _, id := range p["variations"].([]any) {
			vars = append(vars, s.products[toInt(id)])
		}
		return list(r, vars, func(map[string]any) bool { return true })
	case len(rest) == 0 && r.Method == http.MethodPost:
		return create(body)
	case len(rest) == 1 && rest[0] == "batch" && r.Method == http.MethodPost:
		return s.batch(body, create, s.updateProduct)
	case len(rest) == 1 && r.Method == http.MethodPut:
		id, _ := idOf(rest, 0)
		return s.updateProduct(withID(body, id))
	}
	return refuse(http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
}

func (s *Server) createVariation(parent, in map[string]any) (int, any, map[string]string) {
	if e := check(variationFields, in); e != nil {
		return refuse(http.StatusBadRequest, e.code, e.message)
	}
	if s.skuTaken(in["sku"], 0) {
		return refuse(http.StatusBadRequest, "product_invalid_sku", "Invalid or duplicated SKU.")
	}
	id, now := s.id(), s.now()
	v := map[string]any{"id": id, "type": "variation", "parent_id": parent["id"], "sku": "", "regular_price": "", "sale_price": "",
		"price": "", "manage_stock": false, "stock_quantity": nil, "stock_status": "instock", "attributes": []any{}, "status": "publish",
		"date_created_gmt": now, "date_modified_gmt": now}
	s.apply(v, in)
	s.products[id] = v
	parent["variations"] = append(parent["variations"].([]any), id)
	return http.StatusCreated, v, nil
}

// batch answers a batch call: create, update and delete lists of at most
// 100 records together, each answered by its result or its own error.
func (s *Server) batch(body map[string]any, create, update func(map[string]any) (int, any, map[string]string)) (int, any, map[string]string) {
	total := 0
	for _, k := range []string{"create", "update", "delete"} {
		l, _ := body[k].([]any)
		total += len(l)
	}
	if total > 100 {
		return refuse(http.StatusRequestEntityTooLarge, "woocommerce_rest_request_entity_too_large", "Unable to accept more than 100 items for this request.")
	}
	out := map[string]any{}
	for k, fn := range map[string]func(map[string]any) (int, any, map[string]string){"create": create, "update": update} {
		l, _ := body[k].([]any)
		if len(l) == 0 {
			continue
		}
		results := []any{}
		for _, item := range l {
			in, _ := item.(map[string]any)
			_, res, _ := fn(in)
			if e, isErr := res.(wooError); isErr {
				res = map[string]any{"id": 0, "error": map[string]any{"code": e.code, "message": e.message, "data": map[string]any{"status": 400}}}
			}
			results = append(results, res)
		}
		out[k] = results
	}
	return http.StatusOK, out, nil
}

func toInt(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case json.Number:
		n, _ := x.Int64()
		return int(n)
	case float64:
		return int(x)
	case string:
		var n int
		_, _ = fmt.Sscan(x, &n)
		return n
	}
	return 0
}

// Product returns a copy of the product or variation with the SKU.
func (s *Server) Product(sku string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.products {
		if p["sku"] == sku {
			return copyJSON(p), true
		}
	}
	return nil, false
}

// Products counts the products and variations.
func (s *Server) Products() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.products)
}

// AddProduct keeps a product as the API would answer it; variations
// (type variation, with parent_id) are added to their parent. It returns
// its id.
func (s *Server) AddProduct(p map[string]any) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := copyJSON(p)
	status, res, _ := s.createProduct(in)
	if status != http.StatusCreated {
		panic(fmt.Sprintf("fake: adding product: %v", res))
	}
	return res.(map[string]any)["id"].(int)
}

// AddVariation keeps a variation of a variable product and returns its id.
func (s *Server) AddVariation(parent int, v map[string]any) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	status, res, _ := s.createVariation(s.products[parent], copyJSON(v))
	if status != http.StatusCreated {
		panic(fmt.Sprintf("fake: adding variation: %v", res))
	}
	return res.(map[string]any)["id"].(int)
}

// DeleteProduct removes a product and its variations, or a variation, as
// deleting it for good in WooCommerce does.
func (s *Server) DeleteProduct(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.products[id]
	if p == nil {
		return
	}
	vars, _ := p["variations"].([]any)
	for _, v := range vars {
		delete(s.products, toInt(v))
	}
	if parent := s.products[toInt(p["parent_id"])]; parent != nil {
		var kept []any
		for _, v := range parent["variations"].([]any) {
			if toInt(v) != id {
				kept = append(kept, v)
			}
		}
		parent["variations"] = append([]any{}, kept...)
	}
	delete(s.products, id)
}
