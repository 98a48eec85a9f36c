package mappings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/switchboard-app/switchboard/mappings/canonical"
)

// Direction says which way a mapping goes.
type Direction string

// The directions.
const (
	In  Direction = "in"  // native -> canonical (a connector reading)
	Out Direction = "out" // canonical -> native (a connector writing)
)

// Mapping is one mapping file: how to compute the fields of one entity, one
// way. It is stored as JSON:
//
//	{
//	  "entity": "order", "direction": "in", "version": "1.0.0",
//	  "fields": [
//	    {"target": "number", "expr": "increment_id"},
//	    {"target": "billing.country", "expr": "country(billing_address.country_id)"},
//	    {"target": "lines", "each": "items", "fields": [
//	      {"target": "sku", "expr": "item.sku"},
//	      {"target": "quantity", "expr": "item.qty_ordered"}
//	    ]}
//	  ]
//	}
type Mapping struct {
	Entity    string    `json:"entity"`
	Direction Direction `json:"direction"`
	Version   string    `json:"version,omitempty"`   // canonical model version it was written for
	Connector string    `json:"connector,omitempty"` // informational
	Doc       string    `json:"doc,omitempty"`
	Fields    []Field   `json:"fields"`
}

// Field computes one target field.
//
// Target is a dotted path in the output ("billing.country"). Expr computes
// the value from the source record, whose fields are variables; a nil result
// leaves the target unset. With Each instead of Expr, Each must yield a list
// and Fields are computed once per element into a list of objects; inside,
// item is the element, index its position, parent the enclosing scope and
// root the whole source record. In overrides, Drop removes a default field.
type Field struct {
	Target string  `json:"target"`
	Expr   string  `json:"expr,omitempty"`
	Each   string  `json:"each,omitempty"`
	Fields []Field `json:"fields,omitempty"`
	Drop   bool    `json:"drop,omitempty"`
	Doc    string  `json:"doc,omitempty"`
}

// ParseMappingFile reads a mapping file. Unknown keys, a missing entity or
// direction, empty or duplicate targets and fields without an expression are
// errors; expressions are only compiled by [Compile].
func ParseMappingFile(b []byte) (*Mapping, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("parsing mapping file: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("parsing mapping file: data after the mapping object")
	}
	if err := m.Check(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Check validates the structure of a mapping (not its expressions).
func (m *Mapping) Check() error {
	if _, err := canonical.Get(m.Entity); err != nil {
		return fmt.Errorf("mapping: %w", err)
	}
	if m.Direction != In && m.Direction != Out {
		return fmt.Errorf("mapping %s: direction must be %q or %q, not %q", m.Entity, In, Out, m.Direction)
	}
	return checkFields(m.Fields, "", false)
}

// checkFields validates a list of fields; overrides may Drop.
func checkFields(fields []Field, prefix string, override bool) error {
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		name := prefix + f.Target
		if err := checkTarget(f.Target); err != nil {
			return fmt.Errorf("mapping field %q: %w", name, err)
		}
		if seen[f.Target] {
			return fmt.Errorf("mapping field %q: defined twice", name)
		}
		seen[f.Target] = true
		if err := checkField(f, override); err != nil {
			return fmt.Errorf("mapping field %q: %w", name, err)
		}
		if err := checkFields(f.Fields, name+".", override); err != nil {
			return err
		}
	}
	return nil
}

func checkField(f Field, override bool) error {
	switch {
	case f.Drop && !override:
		return errors.New("drop is only allowed in overrides")
	case f.Drop:
		return nil
	case f.Expr != "" && f.Each != "":
		return errors.New("has both expr and each")
	case f.Each != "" && len(f.Fields) == 0:
		return errors.New("each needs fields")
	case f.Each == "" && len(f.Fields) > 0 && !override:
		return errors.New("fields need each")
	case f.Expr == "" && f.Each == "" && len(f.Fields) == 0:
		return errors.New("has no expr")
	}
	return nil
}

func checkTarget(t string) error {
	if t == "" {
		return errors.New("empty target")
	}
	for _, seg := range strings.Split(t, ".") {
		if seg == "" {
			return errors.New("empty segment in target")
		}
	}
	return nil
}

// LoadDefaults reads every *.json mapping file in dir of fsys, typically a
// connector's embedded defaults, sorted by file name.
func LoadDefaults(fsys fs.FS, dir string) ([]*Mapping, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("loading default mappings: %w", err)
	}
	sort.Strings(names)
	out := make([]*Mapping, 0, len(names))
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("loading default mappings: %w", err)
		}
		m, err := ParseMappingFile(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// Find returns the mapping for entity and direction among ms, or nil.
func Find(ms []*Mapping, entity string, dir Direction) *Mapping {
	for _, m := range ms {
		if m.Entity == entity && m.Direction == dir {
			return m
		}
	}
	return nil
}
