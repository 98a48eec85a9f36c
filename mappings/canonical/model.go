package canonical

import (
	"fmt"
	"strings"
)

// Version is the version of the canonical model. Mapping files and stored
// flows name the version they were written for; the schema documents carry it.
const Version = "1.0.0"

// Kind is the type of a canonical field.
type Kind string

// The field kinds.
const (
	String     Kind = "string"     // text
	Decimal    Kind = "decimal"    // exact decimal: money, quantity, rate (JSON: string "12.50")
	Integer    Kind = "integer"    // whole number (positions, counts)
	Bool       Kind = "boolean"    // true or false
	DateTime   Kind = "date-time"  // instant with its zone (RFC 3339)
	Date       Kind = "date"       // calendar date, YYYY-MM-DD
	Country    Kind = "country"    // ISO 3166-1 alpha-2, e.g. "NL"
	Currency   Kind = "currency"   // ISO 4217, e.g. "EUR"
	Email      Kind = "email"      // e-mail address
	URL        Kind = "url"        // absolute http(s) URL
	Object     Kind = "object"     // nested object with declared Fields
	List       Kind = "list"       // list of objects with declared Fields
	Strings    Kind = "strings"    // list of strings
	Attributes Kind = "attributes" // free-form object of custom values
	Any        Kind = "any"        // a value inside Attributes: anything JSON can hold
)

// Field is one field of the canonical model.
type Field struct {
	Name     string
	Kind     Kind
	Doc      string
	Required bool
	Enum     []string // allowed values of a String field
	Fields   []*Field // members of an Object, or of each element of a List

	index    map[string]*Field      // Fields by name, built at init
	required []*Field               // the required Fields, built at init
	conv     func(any) (any, error) // the converter of Kind, set at init
	checks   []*Field               // the required, enumerated, Object and List Fields, built at init
}

// Entity is one canonical entity: its name, the field that identifies a
// record to a person (its business key) and its fields.
type Entity struct {
	Name   string
	Key    string
	Doc    string
	Fields []*Field

	root *Field // an Object field holding Fields, for walking
}

func init() {
	for _, e := range entities {
		e.root = &Field{Name: e.Name, Kind: Object, Fields: e.Fields}
		e.root.buildIndex()
		e.root.setConverters()
	}
}

// setConverters caches every field's converter, so that converting a value
// does not look its kind up.
func (f *Field) setConverters() {
	f.conv = converters[f.Kind]
	for _, c := range f.Fields {
		c.setConverters()
	}
}

func (f *Field) buildIndex() {
	if f.Fields == nil {
		return
	}
	f.index = make(map[string]*Field, len(f.Fields))
	for _, c := range f.Fields {
		f.index[c.Name] = c
		if c.Required {
			f.required = append(f.required, c)
		}
		if c.Required || c.Enum != nil || c.Kind == Object || c.Kind == List {
			f.checks = append(f.checks, c)
		}
		c.buildIndex()
	}
}

// Child returns the member field name of an Object or List field.
func (f *Field) Child(name string) *Field {
	if f.index != nil {
		return f.index[name]
	}
	for _, c := range f.Fields {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Field returns the top-level field name.
func (e *Entity) Field(name string) *Field { return e.root.Child(name) }

// Entities returns the names of the canonical entities in a stable order.
func Entities() []string {
	names := make([]string, len(entities))
	for i, e := range entities {
		names[i] = e.Name
	}
	return names
}

// Get returns the entity named name.
func Get(name string) (*Entity, error) {
	for _, e := range entities {
		if e.Name == name {
			return e, nil
		}
	}
	return nil, fmt.Errorf("unknown entity %q (want one of %s)", name, strings.Join(Entities(), ", "))
}

// Lookup resolves a dotted field path such as "billing.country" or
// "lines.unit_price" (a path through a List names its element's fields).
// Paths below an Attributes field resolve to a field of kind Any.
func Lookup(entity, path string) (*Field, error) {
	e, err := Get(entity)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(path, ".")
	f := e.Field(parts[0])
	for i := 1; f != nil && i < len(parts); i++ {
		if f.Kind == Attributes {
			return &Field{Name: parts[len(parts)-1], Kind: Any, Doc: "A custom value.", conv: toAny}, nil
		}
		f = f.Child(parts[i])
	}
	if f == nil {
		return nil, fmt.Errorf("%s has no field %q (custom fields go under attributes.)", entity, path)
	}
	return f, nil
}
