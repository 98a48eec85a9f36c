package fake

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Product is a product the fake holds.
type Product struct {
	ID, Title, Handle, DescriptionHTML, Vendor, ProductType, Status string
	Tags                                                            []string
	Options                                                         []Option
	Variants                                                        []*Variant
	CreatedAt, UpdatedAt                                            time.Time
}

// Option is a product option and its values.
type Option struct {
	Name   string
	Values []string
}

// Variant is a product variant with its inventory item.
type Variant struct {
	ID, SKU, Barcode, Title, Price, CompareAtPrice string
	// Options are the variant's option values by option name.
	Options         map[string]string
	InventoryItemID string
	// Weight is in WeightUnit (KILOGRAMS, GRAMS, POUNDS, OUNCES).
	Weight     float64
	WeightUnit string
	UpdatedAt  time.Time
}

// Location is a place that stocks inventory.
type Location struct {
	ID, Name string
}

// level is the quantities of one inventory item at one location.
type level struct {
	quantities map[string]int // available, on_hand
	updated    time.Time
}

// store is what the fake holds; the server's mutex guards it.
type store struct {
	next         int
	version      int // moves on with every change of a product or a level
	clock        func() time.Time
	products     map[string]*Product
	variantOf    map[string]*Variant // inventory item id -> variant
	productOf    map[string]*Product // variant id -> product
	locations    []*Location
	levels       map[string]map[string]*level // item id -> location id -> level
	orders       []map[string]any
	customers    []map[string]any
	webhooks     map[string]map[string]any
	fulfillments map[string]map[string]any // fulfillment id -> fulfillment
}

func newStore() *store {
	return &store{next: 1000, clock: time.Now, products: map[string]*Product{}, variantOf: map[string]*Variant{},
		productOf: map[string]*Product{}, levels: map[string]map[string]*level{}, webhooks: map[string]map[string]any{},
		fulfillments: map[string]map[string]any{}}
}

// gid makes a new global id of a kind: gid://shopify/Product/1001.
func (s *store) gid(kind string) string {
	s.next++
	return fmt.Sprintf("gid://shopify/%s/%d", kind, s.next)
}

func (s *store) now() time.Time { return s.clock().UTC().Truncate(time.Second) }

// sortKey makes an item's key for paging: the value to sort by, then the
// id's number, padded so that keys sort as text.
func sortKey(value, id string) string {
	n := id[strings.LastIndex(id, "/")+1:]
	return value + "|" + fmt.Sprintf("%020s", n)
}

// timeKey writes a time so that times sort as text.
func timeKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// sorted orders items by their keys.
func sorted(items []any, keys []string) page {
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	p := page{items: make([]any, len(items)), keys: make([]string, len(items))}
	for i, j := range idx {
		p.items[i], p.keys[i] = items[j], keys[j]
	}
	return p
}

// setLevel sets a quantity of an item at a location.
func (s *store) setLevel(itemID, locationID, name string, qty int) {
	byLoc := s.levels[itemID]
	if byLoc == nil {
		byLoc = map[string]*level{}
		s.levels[itemID] = byLoc
	}
	l := byLoc[locationID]
	if l == nil {
		l = &level{quantities: map[string]int{}}
		byLoc[locationID] = l
	}
	s.version++
	l.quantities[name] = qty
	if name == "available" {
		l.quantities["on_hand"] = qty + l.quantities["committed"]
	}
	l.updated = s.now()
}

func (s *store) location(id string) *Location {
	for _, l := range s.locations {
		if l.ID == id {
			return l
		}
	}
	return nil
}

// addVariant gives a variant its ids and indexes it.
func (s *store) addVariant(p *Product, v *Variant) {
	s.version++
	if v.ID == "" {
		v.ID = s.gid("ProductVariant")
	}
	if v.InventoryItemID == "" {
		v.InventoryItemID = s.gid("InventoryItem")
	}
	if v.UpdatedAt.IsZero() {
		v.UpdatedAt = s.now()
	}
	s.variantOf[v.InventoryItemID] = v
	s.productOf[v.ID] = p
}

func (s *store) removeVariant(v *Variant) {
	s.version++
	delete(s.variantOf, v.InventoryItemID)
	delete(s.productOf, v.ID)
	delete(s.levels, v.InventoryItemID)
}
