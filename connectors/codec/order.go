package codec

import (
	"slices"
	"strings"
)

// Order is the order of a record's fields as its mapping lists them: the
// keys of one object in order, and the order inside each of its object or
// list fields. Writers of formats whose fields have an order (XML
// elements, CSV columns) follow it; a key it does not list comes after
// those it does, by name. A nil Order orders every key by name.
type Order struct {
	// Keys are the object's keys in order.
	Keys []string
	// Fields holds the order inside an object field, or inside each
	// element of a list field, by key.
	Fields map[string]*Order
}

// Field returns the order inside the field key; nil when there is none.
func (o *Order) Field(key string) *Order {
	if o == nil {
		return nil
	}
	return o.Fields[key]
}

// Arrange sorts keys in place: the keys o lists first, in its order, then
// the others by name.
func (o *Order) Arrange(keys []string) {
	rank := func(k string) int {
		if o == nil {
			return -1
		}
		return slices.Index(o.Keys, k)
	}
	slices.SortStableFunc(keys, func(a, b string) int {
		ra, rb := rank(a), rank(b)
		switch {
		case ra >= 0 && rb >= 0:
			return ra - rb
		case ra >= 0:
			return -1
		case rb >= 0:
			return 1
		}
		return strings.Compare(a, b)
	})
}

// OrderOf builds an Order from dotted paths in order ("number",
// "lines.sku"), as a mapping lists its fields.
func OrderOf(paths []string) *Order {
	if len(paths) == 0 {
		return nil
	}
	root := &Order{}
	for _, p := range paths {
		root.add(strings.Split(p, "."))
	}
	return root
}

// add puts the path's first key in o's order, and the rest in that key's.
func (o *Order) add(path []string) {
	key := path[0]
	if !slices.Contains(o.Keys, key) {
		o.Keys = append(o.Keys, key)
	}
	if len(path) == 1 {
		return
	}
	if o.Fields == nil {
		o.Fields = map[string]*Order{}
	}
	if o.Fields[key] == nil {
		o.Fields[key] = &Order{}
	}
	o.Fields[key].add(path[1:])
}
