// Package fieldset picks the fields of a record that a write sends to an
// app: a flow's "which fields to sync" and its update policy ("which
// fields an update may overwrite"), so that what people enriched in the
// app (descriptions, images, prices set by hand) is kept.
//
// A set is written as the app's field names separated by commas or
// spaces, nested ones by dots: "price, status, extension_attributes.website_ids".
// A nested name reaches into an object, or into each object of a list:
// "variants.price" sends the variants, each with its price alone. Empty,
// or "all", stands for every field.
package fieldset

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
)

// Set is a list of dotted field paths; the empty set stands for every
// field.
type Set []string

var pathPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$`)

// Parse reads a set written as field paths separated by commas or spaces;
// "" and "all" (in any case) are every field.
func Parse(text string) (Set, error) {
	if strings.EqualFold(strings.TrimSpace(text), "all") {
		return nil, nil
	}
	var out Set
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		if !pathPattern.MatchString(f) {
			return nil, fmt.Errorf("%q is not a field name (letters, digits, _ and -, nested names joined by dots)", f)
		}
		out = append(out, f)
	}
	return out, nil
}

// ParseKnown reads a set whose every field must be one of known: the
// fields a connector's write mapping makes.
func ParseKnown(text string, known []string) (Set, error) {
	s, err := Parse(text)
	if err != nil {
		return nil, err
	}
	for _, f := range s {
		if !slices.Contains(known, f) {
			return nil, fmt.Errorf("unknown field %q; the fields are %s", f, strings.Join(known, ", "))
		}
	}
	return s, nil
}

// All reports whether the set stands for every field.
func (s Set) All() bool { return len(s) == 0 }

// Keep returns a new record with the fields of rec that the set names,
// and those named by always (a record's key, an element's id), which go
// whenever the object around them goes; the whole record when the set is
// empty. A path that goes through a list keeps the path's fields of each
// of its objects; one that goes through any other value keeps that value
// whole. rec is not changed; the values kept are shared with it.
func (s Set) Keep(rec map[string]any, always ...string) map[string]any {
	if s.All() {
		return rec
	}
	t := tree{}
	for _, p := range s {
		t.add(strings.Split(p, "."))
	}
	for _, p := range always {
		t.addWithin(strings.Split(p, "."))
	}
	return t.pick(rec).(map[string]any)
}

// tree is a set as nested names: a name whose subtree is nil is kept
// whole.
type tree map[string]tree

// add puts a path in the tree; a shorter path wins over a longer one.
func (t tree) add(path []string) {
	sub, seen := t[path[0]]
	switch {
	case len(path) == 1:
		t[path[0]] = nil
	case seen && sub == nil: // kept whole already
	default:
		if sub == nil {
			sub = tree{}
			t[path[0]] = sub
		}
		sub.add(path[1:])
	}
}

// addWithin puts a path in the tree where the tree keeps its parent: an
// identifying field goes with the object around it, never on its own.
func (t tree) addWithin(path []string) {
	if len(path) == 1 {
		if _, seen := t[path[0]]; !seen {
			t[path[0]] = nil
		}
		return
	}
	if sub := t[path[0]]; sub != nil {
		sub.addWithin(path[1:])
	}
}

// pick is the part of v the tree keeps: of an object its named fields, of
// a list the same of each element, anything else whole.
func (t tree) pick(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for name, sub := range t {
			if val, ok := x[name]; ok {
				out[name] = sub.keep(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = t.pick(e)
		}
		return out
	}
	return v
}

// keep is v whole for a nil tree, its picked part otherwise.
func (t tree) keep(v any) any {
	if t == nil {
		return v
	}
	return t.pick(v)
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

// Options are a connector's two write options: their names and the
// fields they may name.
type Options struct {
	// Sync and Update name the options; SyncOption and UpdateOption when
	// empty.
	Sync, Update string
	// Known are the fields the options may name; any when empty.
	Known []string
}

// Default is the two options under their usual names, naming any field.
var Default = Options{}

func (o Options) names() (sync, update string) {
	sync, update = o.Sync, o.Update
	if sync == "" {
		sync = SyncOption
	}
	if update == "" {
		update = UpdateOption
	}
	return sync, update
}

func (o Options) parse(text string) (Set, error) {
	if len(o.Known) == 0 {
		return Parse(text)
	}
	return ParseKnown(text, o.Known)
}

// Read reads the two options of a write: the fields a create sends and
// those an update sends. A bad option is a permanent error naming it.
func (o Options) Read(opts connectors.Config) (create, update Set, err error) {
	syncName, updateName := o.names()
	if create, err = o.parse(opts.String(syncName)); err != nil {
		return nil, nil, connectors.Permanent(fmt.Errorf("%s: %w", syncName, err))
	}
	policy, err := o.parse(opts.String(updateName))
	if err != nil {
		return nil, nil, connectors.Permanent(fmt.Errorf("%s: %w", updateName, err))
	}
	return create, Intersect(create, policy), nil
}

// Validate names the problems of the two options, by option, for a spec's
// ValidateFlow step.
func (o Options) Validate(opts connectors.Config, problems map[string]string) {
	syncName, updateName := o.names()
	for _, name := range []string{syncName, updateName} {
		if _, err := o.parse(opts.String(name)); err != nil {
			problems[name] = err.Error()
		}
	}
}

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

// FromOptions reads the two options of a write under their usual names:
// the fields a create sends and those an update sends.
func FromOptions(opts connectors.Config) (create, update Set, err error) { return Default.Read(opts) }

// Validate names the problems of the two options under their usual
// names, by option, for a spec's ValidateFlow step.
func Validate(opts connectors.Config, problems map[string]string) { Default.Validate(opts, problems) }
