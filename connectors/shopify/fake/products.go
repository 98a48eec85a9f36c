package fake

import (
	"fmt"
	"strconv"
	"strings"
)

// AddLocation adds a location; the first is the primary one. It returns
// its id.
func (s *Server) AddLocation(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &Location{ID: s.store.gid("Location"), Name: name}
	s.store.locations = append(s.store.locations, l)
	return l.ID
}

// AddProduct keeps a product; variants without an id get one, with an
// inventory item stocked at every location (quantity 0). It returns the
// product's id.
func (s *Server) AddProduct(p Product) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.store
	if p.ID == "" {
		p.ID = st.gid("Product")
	}
	now := st.now()
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	if p.Status == "" {
		p.Status = "ACTIVE"
	}
	if p.Handle == "" {
		p.Handle = st.handle(p.Title)
	}
	if len(p.Options) == 0 {
		p.Options = []Option{{Name: "Title", Values: []string{"Default Title"}}}
	}
	cp := p
	st.version++
	st.products[cp.ID] = &cp
	for _, v := range cp.Variants {
		if v.Options == nil {
			v.Options = map[string]string{"Title": "Default Title"}
		}
		st.addVariant(&cp, v)
		for _, loc := range st.locations {
			if st.levels[v.InventoryItemID][loc.ID] == nil {
				st.setLevel(v.InventoryItemID, loc.ID, "available", 0)
			}
		}
	}
	return cp.ID
}

// SetQuantity sets the available quantity of the variant with the SKU at
// a location.
func (s *Server) SetQuantity(sku, locationID string, qty int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for itemID, v := range s.store.variantOf {
		if v.SKU == sku {
			s.store.setLevel(itemID, locationID, "available", qty)
			return nil
		}
	}
	return fmt.Errorf("no variant with SKU %s", sku)
}

// Quantity returns the available quantity of the variant with the SKU at
// a location, and whether it is stocked there.
func (s *Server) Quantity(sku, locationID string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for itemID, v := range s.store.variantOf {
		if l := s.store.levels[itemID][locationID]; v.SKU == sku && l != nil {
			return l.quantities["available"], true
		}
	}
	return 0, false
}

// ProductBySKU returns a copy of the product that has a variant with the
// SKU.
func (s *Server) ProductBySKU(sku string) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.store.variantOf {
		if v.SKU == sku {
			p := *s.store.productOf[v.ID]
			p.Variants = nil
			for _, pv := range s.store.productOf[v.ID].Variants {
				cv := *pv
				p.Variants = append(p.Variants, &cv)
			}
			return p, true
		}
	}
	return Product{}, false
}

// Products counts the products.
func (s *Server) Products() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.store.products)
}

// handle makes a unique handle of a title.
func (s *store) handle(title string) string {
	base := strings.Trim(strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, title), "-")
	h := base
	for n := 1; s.handleTaken(h); n++ {
		h = base + "-" + strconv.Itoa(n)
	}
	return h
}

func (s *store) handleTaken(h string) bool {
	for _, p := range s.products {
		if p.Handle == h {
			return true
		}
	}
	return false
}

// productSet creates a product, or with an id updates it: the fields
// given replace the product's; variants, when given, replace its variants
// (those with an id are kept and changed, those without are new, the
// others are deleted), as Shopify's productSet does.
func (s *Server) productSet(in map[string]any) (any, error) {
	st := s.store
	p := &Product{}
	if id := str(in["id"]); id != "" {
		if p = st.products[id]; p == nil {
			return payload("ProductSetPayload", map[string]any{}, userError("PRODUCT_DOES_NOT_EXIST", "Product does not exist", "input", "id")), nil
		}
	} else if str(in["title"]) == "" {
		return payload("ProductSetPayload", map[string]any{}, userError("INVALID_PRODUCT", "Title can't be blank", "input", "title")), nil
	}
	if _, ok := in["variants"]; ok {
		if errs := st.checkVariants(p, in); errs != nil {
			return payload("ProductSetPayload", map[string]any{}, errs), nil
		}
	}
	s.applyProduct(p, in)
	if _, ok := in["variants"]; ok {
		st.setVariants(p, in)
	}
	return payload("ProductSetPayload", map[string]any{"product": st.productNode(p)}), nil
}

// checkVariants refuses variants that do not fit the product's options.
func (st *store) checkVariants(p *Product, in map[string]any) map[string]any {
	options := p.Options
	if _, ok := in["productOptions"]; ok {
		options = optionsOf(in)
	}
	if len(options) == 0 {
		return userError("PRODUCT_OPTIONS_INPUT_MISSING", "Product options input is required when updating variants.", "input", "productOptions")
	}
	seen := map[string]bool{}
	for i, v := range objs(in["variants"]) {
		values := objs(v["optionValues"])
		if len(values) != len(options) {
			return userError("INVALID_VARIANT", fmt.Sprintf("The variant must have a value for each of the %d product options.", len(options)), "input", "variants", strconv.Itoa(i), "optionValues")
		}
		var combo []string
		for _, ov := range values {
			combo = append(combo, str(ov["optionName"])+"="+str(ov["name"]))
		}
		if key := strings.Join(combo, ","); seen[key] {
			return userError("DUPLICATE_VARIANT", "The variant '"+key+"' already exists.", "input", "variants", strconv.Itoa(i))
		} else {
			seen[key] = true
		}
		if id := str(v["id"]); id != "" && st.productOf[id] != p {
			return userError("PRODUCT_VARIANT_DOES_NOT_EXIST", "Product variant does not exist", "input", "variants", strconv.Itoa(i), "id")
		}
	}
	return nil
}

func optionsOf(in map[string]any) []Option {
	var out []Option
	for _, o := range objs(in["productOptions"]) {
		opt := Option{Name: str(o["name"])}
		for _, v := range objs(o["values"]) {
			opt.Values = append(opt.Values, str(v["name"]))
		}
		out = append(out, opt)
	}
	return out
}

// applyProduct sets the product fields given; a new product gets its id.
func (s *Server) applyProduct(p *Product, in map[string]any) {
	st := s.store
	set := func(key string, dst *string) {
		if v, ok := in[key]; ok {
			*dst = str(v)
		}
	}
	set("title", &p.Title)
	set("descriptionHtml", &p.DescriptionHTML)
	set("vendor", &p.Vendor)
	set("productType", &p.ProductType)
	set("status", &p.Status)
	set("handle", &p.Handle)
	if tags, ok := in["tags"].([]any); ok {
		p.Tags = nil
		for _, t := range tags {
			p.Tags = append(p.Tags, str(t))
		}
	}
	if _, ok := in["productOptions"]; ok {
		p.Options = optionsOf(in)
	}
	now := st.now()
	st.version++
	p.UpdatedAt = now
	if p.ID == "" {
		p.ID, p.CreatedAt = st.gid("Product"), now
		if p.Status == "" {
			p.Status = "ACTIVE"
		}
		if p.Handle == "" {
			p.Handle = st.handle(p.Title)
		}
		st.products[p.ID] = p
	}
}

// setVariants replaces the product's variants with the input's.
func (st *store) setVariants(p *Product, in map[string]any) {
	old := map[string]*Variant{}
	for _, v := range p.Variants {
		old[v.ID] = v
	}
	var next []*Variant
	for _, vin := range objs(in["variants"]) {
		v := old[str(vin["id"])]
		if v == nil {
			v = &Variant{Price: "0.00"}
		}
		delete(old, v.ID)
		applyVariant(v, vin)
		st.addVariant(p, v)
		v.UpdatedAt = st.now()
		for _, q := range objs(vin["inventoryQuantities"]) {
			st.setLevel(v.InventoryItemID, str(q["locationId"]), str(q["name"]), toInt(q["quantity"]))
		}
		for _, loc := range st.locations {
			if st.levels[v.InventoryItemID][loc.ID] == nil {
				st.setLevel(v.InventoryItemID, loc.ID, "available", 0)
			}
		}
		next = append(next, v)
	}
	for _, v := range old {
		st.removeVariant(v)
	}
	p.Variants = next
}

func applyVariant(v *Variant, in map[string]any) {
	for key, dst := range map[string]*string{"sku": &v.SKU, "barcode": &v.Barcode, "price": &v.Price, "compareAtPrice": &v.CompareAtPrice} {
		if x, ok := in[key]; ok {
			*dst = str(x)
		}
	}
	v.Options = map[string]string{}
	for _, ov := range objs(in["optionValues"]) {
		v.Options[str(ov["optionName"])] = str(ov["name"])
	}
	item := obj(in["inventoryItem"])
	if w := obj(obj(item["measurement"])["weight"]); w != nil {
		v.Weight, _ = strconv.ParseFloat(str(w["value"]), 64)
		v.WeightUnit = str(w["unit"])
	}
	if sku, ok := item["sku"]; ok {
		v.SKU = str(sku)
	}
}

// productUpdate sets the product fields given, and nothing of its
// variants.
func (s *Server) productUpdate(in map[string]any) (any, error) {
	p := s.store.products[str(in["id"])]
	if p == nil {
		return payload("ProductUpdatePayload", map[string]any{}, userError("", "Product does not exist", "id")), nil
	}
	s.applyProduct(p, in)
	return payload("ProductUpdatePayload", map[string]any{"product": s.store.productNode(p)}), nil
}
