package fake

import (
	"fmt"
	"strings"
)

// query resolves a root query field.
func (s *Server) query(name string, args map[string]any) (any, error) {
	st := s.store
	switch name {
	case "shop":
		return map[string]any{"__typename": "Shop", "id": "gid://shopify/Shop/1", "name": s.opts.ShopName,
			"myshopifyDomain": s.opts.Domain, "currencyCode": "EUR", "email": "owner@example.com", "contactEmail": "owner@example.com"}, nil
	case "orders":
		return list(st.orders, args, orderFields, orderSort)
	case "customers":
		return list(st.customers, args, customerFields, updatedSort)
	case "products":
		return s.cached("products", args, func() (any, error) { return list(st.productNodes(), args, productFields, productSort) })
	case "productVariants":
		return list(st.variantNodes(), args, variantFields, idSort)
	case "inventoryItems":
		return list(st.itemNodes(), args, itemFields, idSort)
	case "inventoryItem":
		id, _ := args["id"].(string)
		if v := st.variantOf[id]; v != nil {
			return st.itemNode(v), nil
		}
		return nil, nil
	case "locations":
		return list(st.locationNodes(), args, map[string]fieldFunc{"name": text("name")}, nameSort)
	case "location":
		return st.locationByID(args)
	case "order":
		id, _ := args["id"].(string)
		return st.order(id), nil
	case "fulfillmentOrder":
		id, _ := args["id"].(string)
		if fo, _ := st.fulfillmentOrderByID(id); fo != nil {
			return fo, nil
		}
		return nil, nil
	case "product":
		id, _ := args["id"].(string)
		if p := st.products[id]; p != nil {
			return st.productNode(p), nil
		}
		return nil, nil
	}
	return nil, fmt.Errorf("the fake does not answer the query field %s", name)
}

// cached answers a product list from the last answer to the same
// arguments while no product changed: a full sync of tens of thousands of
// products asks the same list page after page.
func (s *Server) cached(name string, args map[string]any, build func() (any, error)) (any, error) {
	key := fmt.Sprint(name, args["query"], args["sortKey"], s.store.version)
	if s.cache.key == key {
		return s.cache.page, nil
	}
	p, err := build()
	if err == nil {
		s.cache.key, s.cache.page = key, p
	}
	return p, err
}

// list filters items by the query argument and sorts them by the sortKey
// argument, for a connection to page.
func list(items []map[string]any, args map[string]any, fields map[string]fieldFunc, key func(map[string]any, string) (string, error)) (any, error) {
	q, _ := args["query"].(string)
	m, err := newMatcher(q, fields)
	if err != nil {
		return nil, err
	}
	sortBy, _ := args["sortKey"].(string)
	var out []any
	var keys []string
	for _, it := range items {
		if !m.match(it) {
			continue
		}
		k, err := key(it, sortBy)
		if err != nil {
			return nil, err
		}
		var node any = it
		if build, ok := it["_node"].(lazy); ok {
			node = build
		}
		out, keys = append(out, node), append(keys, k)
	}
	return sorted(out, keys), nil
}

func idSort(it map[string]any, by string) (string, error) {
	if by != "" && by != "ID" {
		return "", fmt.Errorf("the fake does not sort by %s here", by)
	}
	return sortKey("", it["id"].(string)), nil
}

func nameSort(it map[string]any, _ string) (string, error) {
	return sortKey(fmt.Sprint(it["name"]), it["id"].(string)), nil
}

func orderSort(it map[string]any, by string) (string, error) {
	field := map[string]string{"": "processedAt", "PROCESSED_AT": "processedAt", "UPDATED_AT": "updatedAt", "CREATED_AT": "createdAt"}[by]
	if by == "ID" {
		return idSort(it, by)
	}
	if field == "" {
		return "", fmt.Errorf("the fake does not sort orders by %s", by)
	}
	return sortKey(sortableTime(it[field]), it["id"].(string)), nil
}

func productSort(it map[string]any, by string) (string, error) { return updatedSort(it, by) }

// updatedSort sorts by id (ID) or by the time of the last change
// (UPDATED_AT).
func updatedSort(it map[string]any, by string) (string, error) {
	switch by {
	case "", "ID":
		return idSort(it, "")
	case "UPDATED_AT":
		return sortKey(sortableTime(it["updatedAt"]), it["id"].(string)), nil
	}
	return "", fmt.Errorf("the fake does not sort by %s here", by)
}

func sortableTime(v any) string {
	s, _ := v.(string)
	if t, err := parseSearchTime(s); err == nil {
		return timeKey(t)
	}
	return s
}

var productFields = map[string]fieldFunc{
	"updated_at": text("updatedAt"), "created_at": text("createdAt"), "title": text("title"), "handle": text("handle"),
	"status": func(p map[string]any) string { return strings.ToLower(fmt.Sprint(p["status"])) },
	"sku": func(p map[string]any) string {
		for _, v := range p["variants"].([]any) {
			if sku, _ := v.(map[string]any)["sku"].(string); sku != "" {
				return sku // the first variant's: the fake's search by SKU is for one-variant products
			}
		}
		return ""
	},
}

var variantFields = map[string]fieldFunc{"sku": text("sku"), "updated_at": text("updatedAt"),
	"product_id": func(v map[string]any) string { return idNumber(v["product"].(map[string]any)["id"].(string)) }}

var itemFields = map[string]fieldFunc{"sku": text("sku"), "updated_at": text("updatedAt"), "created_at": text("createdAt")}

// productNodes are the products as the search and the sort see them; a
// product's whole node is built only when it is answered.
func (s *store) productNodes() []map[string]any {
	out := make([]map[string]any, 0, len(s.products))
	for _, p := range s.products {
		variants := make([]any, len(p.Variants))
		for i, v := range p.Variants {
			variants[i] = map[string]any{"sku": v.SKU}
		}
		out = append(out, map[string]any{"id": p.ID, "updatedAt": stamp(p.UpdatedAt), "createdAt": stamp(p.CreatedAt),
			"title": p.Title, "handle": p.Handle, "status": p.Status, "variants": variants,
			"_node": lazy(func() map[string]any { return s.productNode(p) })})
	}
	return out
}

func (s *store) variantNodes() []map[string]any {
	var out []map[string]any
	for _, p := range s.products {
		for i, v := range p.Variants {
			out = append(out, s.variantNode(p, v, i))
		}
	}
	return out
}

func (s *store) itemNodes() []map[string]any {
	var out []map[string]any
	for _, p := range s.products {
		for _, v := range p.Variants {
			item := s.itemNode(v)
			item["variant"] = map[string]any{"__typename": "ProductVariant", "id": v.ID, "sku": nullable(v.SKU), "title": variantTitle(p, v),
				"product": map[string]any{"__typename": "Product", "id": p.ID, "title": p.Title}}
			out = append(out, item)
		}
	}
	return out
}

func (s *store) locationNodes() []map[string]any {
	out := make([]map[string]any, len(s.locations))
	for i, l := range s.locations {
		out[i] = locationNode(l)
	}
	return out
}

// locationByID answers location(id): the location, or the primary (the
// first) without an id.
func (s *store) locationByID(args map[string]any) (any, error) {
	id, _ := args["id"].(string)
	for i, l := range s.locations {
		if l.ID == id || (id == "" && i == 0) {
			n := locationNode(l)
			n["isPrimary"] = i == 0
			return n, nil
		}
	}
	return nil, nil
}
