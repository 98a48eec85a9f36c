// Package fieldpolicy says which fields of a native record a write may
// send: a flow's "fields to sync" and "fields an update may overwrite"
// options, as lists of field names such as "title, variants.price"
// ("all" for every field). A name with a dot names a field of each
// element of a list (or of an object): variants.price sends the variants,
// each with its price and the fields that identify it.
package fieldpolicy

import (
	"fmt"
	"slices"
	"strings"
)

// Set is a set of fields; the zero Set holds none, All every one.
type Set struct {
	all    bool
	top    map[string]bool
	nested map[string]map[string]bool
}

// All is the set of every field.
var All = Set{all: true}

// Parse reads a list of field names separated by commas ("all", or empty,
// for every field); each must be one of known.
func Parse(list string, known []string) (Set, error) {
	list = strings.TrimSpace(list)
	if list == "" || strings.EqualFold(list, "all") {
		return All, nil
	}
	s := Set{top: map[string]bool{}, nested: map[string]map[string]bool{}}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !slices.Contains(known, name) {
			return Set{}, fmt.Errorf("unknown field %q; the fields are %s", name, strings.Join(known, ", "))
		}
		parent, child, nested := strings.Cut(name, ".")
		if !nested {
			s.top[name] = true
			continue
		}
		if s.nested[parent] == nil {
			s.nested[parent] = map[string]bool{}
		}
		s.nested[parent][child] = true
	}
	return s, nil
}

// IsAll reports whether the set holds every field.
func (s Set) IsAll() bool { return s.all }

// Has reports whether the set holds the field, or some of its fields.
func (s Set) Has(name string) bool {
	return s.all || s.top[name] || len(s.nested[name]) > 0
}

// Filter returns the fields of rec the set holds, and those named in
// keep, which identify a record or an element (id, variants.sku): they are
// sent whatever the set says, when the field around them is sent. rec is
// not changed.
func (s Set) Filter(rec map[string]any, keep ...string) map[string]any {
	if s.all {
		return rec
	}
	kept := map[string]bool{}
	keptIn := map[string]map[string]bool{}
	for _, k := range keep {
		if parent, child, ok := strings.Cut(k, "."); ok {
			if keptIn[parent] == nil {
				keptIn[parent] = map[string]bool{}
			}
			keptIn[parent][child] = true
		} else {
			kept[k] = true
		}
	}
	out := map[string]any{}
	for k, v := range rec {
		switch {
		case s.top[k] || kept[k]:
			out[k] = v
		case len(s.nested[k]) > 0:
			out[k] = only(v, s.nested[k], keptIn[k])
		}
	}
	return out
}

// only keeps the named fields of an object, or of each object of a list.
func only(v any, names, keep map[string]bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			if names[k] || keep[k] {
				out[k] = val
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = only(e, names, keep)
		}
		return out
	}
	return v
}
