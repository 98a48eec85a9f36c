// Package fieldset picks the fields of a record that a write sends to an
// app: a flow's "which fields to sync" and its update policy ("which
// fields an update may overwrite"), so that what people enriched in the
// app (descriptions, images, prices set by hand) is kept.
//
// A set is written as the app's field names separated by commas or
// spaces, nested ones by dots: "price, status, extension_attributes.website_ids".
package fieldset

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
)

// Set is a list of dotted field paths; the empty set stands for every
// field.
type Set []string

var pathPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$`)

// Parse reads a set written as field paths separated by commas or spaces.
func Parse(text string) (Set, error) {
	var out Set
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		if !pathPattern.MatchString(f) {
			return nil, fmt.Errorf("%q is not a field name (letters, digits, _ and -, nested names joined by dots)", f)
		}
		out = append(out, f)
	}
	return out, nil
}

// All reports whether the set stands for every field.
func (s Set) All() bool { return len(s) == 0 }

// Keep returns a new record with the fields of rec that the set names,
// and those named by always (a record's key); the whole record when the
// set is empty. A path that goes through a value that is not an object
// keeps that value whole. rec is not changed; the values kept are shared
// with it.
func (s Set) Keep(rec map[string]any, always ...string) map[string]any {
	if s.All() {
		return rec
	}
	out := map[string]any{}
	for _, p := range append(append([]string(nil), s...), always...) {
		keep(out, rec, strings.Split(p, "."))
	}
	return out
}

// keep copies the value at path from src into dst, making the objects on
// the way.
func keep(dst, src map[string]any, path []string) {
	v, ok := src[path[0]]
	if !ok {
		return
	}
	inner, isObject := v.(map[string]any)
	if len(path) == 1 || !isObject {
		dst[path[0]] = v
		return
	}
	sub, _ := dst[path[0]].(map[string]any)
	if sub == nil {
		sub = map[string]any{}
		dst[path[0]] = sub
	}
	keep(sub, inner, path[1:])
}

// Intersect is the fields both sets allow: what an update sends when a
// flow syncs some fields and its policy lets an update overwrite some.
func Intersect(a, b Set) Set {
	switch {
	case a.All():
		return b
	case b.All():
		return a
	}
	var out Set
	for _, x := range a {
		for _, y := range b {
			switch {
			case x == y || strings.HasPrefix(x, y+"."):
				out = append(out, x)
			case strings.HasPrefix(y, x+"."):
				out = append(out, y)
			}
		}
	}
	if len(out) == 0 {
		return Set{"\x00none"} // nothing in common: nothing but the key
	}
	return out
}

// The flow fields of a connector that writes through field sets.
const (
	// SyncOption names the fields a write sends.
	SyncOption = "sync_fields"
	// UpdateOption names the fields an update may overwrite.
	UpdateOption = "update_fields"
)

// FlowFields returns the two write options, with examples in the app's
// field names.
func FlowFields(app, syncExample, updateExample string) []connectors.Field {
	return []connectors.Field{
		{Name: SyncOption, Title: "Fields to sync", Type: connectors.TypeString, Use: connectors.UseWrite, Example: syncExample,
			Help: "Only these fields of the record are written to " + app + " (its own field names, separated by commas; nested ones joined by dots); " +
				"the key (SKU, e-mail, number) is always sent. Empty writes every field the mapping makes."},
		{Name: UpdateOption, Title: "An update may overwrite", Type: connectors.TypeString, Use: connectors.UseWrite, Example: updateExample,
			Help: "The update policy: when the record exists in " + app + " already, only these fields are overwritten, so that what people " +
				"enriched there (descriptions, images) is kept; a new record gets every field. Empty: an update overwrites every field it writes."},
	}
}

// FromOptions reads the two options of a write: the fields a create sends
// and those an update sends.
func FromOptions(opts connectors.Config) (create, update Set, err error) {
	if create, err = Parse(opts.String(SyncOption)); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", SyncOption, err)
	}
	policy, err := Parse(opts.String(UpdateOption))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", UpdateOption, err)
	}
	return create, Intersect(create, policy), nil
}

// Validate names the problems of the two options, by option, for a spec's
// ValidateFlow step.
func Validate(opts connectors.Config, problems map[string]string) {
	for _, name := range []string{SyncOption, UpdateOption} {
		if _, err := Parse(opts.String(name)); err != nil {
			problems[name] = err.Error()
		}
	}
}
