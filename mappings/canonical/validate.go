package canonical

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// ErrRequired is the cause of a missing required field.
var ErrRequired = errors.New("is required")

// ErrUnknownField is the cause of a field the model does not declare.
var ErrUnknownField = errors.New("is not a field of the canonical model (custom fields go under attributes)")

// Validate checks rec against the entity's model without changing it: every
// value must already convert, required fields must be present and no
// undeclared field may appear. The error is an [Errors] naming each field
// by its path, e.g. lines[2].quantity.
func Validate(entity string, rec map[string]any) error {
	return walk(entity, rec, false)
}

// Normalize converts every value of rec in place to its canonical type (see
// [Field.Convert]) and then validates it like [Validate].
func Normalize(entity string, rec map[string]any) error {
	return walk(entity, rec, true)
}

// NormalizeConverted is [Normalize] for a record built by converting every
// value it sets to its field's kind ([Field.Coerce]) under declared field
// names, as a compiled mapping and its rules build it: such a record needs
// no conversion, so only required fields and enumerations are checked.
// When one of them fails, or a value is not of the shape that promises,
// it runs [Normalize] for the full report.
func NormalizeConverted(entity string, rec map[string]any) error {
	e, err := Get(entity)
	if err != nil {
		return err
	}
	if converted(e.root, rec) {
		return nil
	}
	return walk(entity, rec, true)
}

// converted checks the required fields and enumerations of m, whose values
// are already converted.
func converted(parent *Field, m map[string]any) bool {
	for _, f := range parent.checks {
		v := m[f.Name]
		if v == nil || (f.Required && blank(v)) {
			if f.Required {
				return false
			}
			continue
		}
		if f.Enum != nil {
			s, _ := v.(string)
			if !slices.Contains(f.Enum, s) {
				return false
			}
		}
		switch f.Kind {
		case Object:
			o, ok := v.(map[string]any)
			if !ok || !converted(f, o) {
				return false
			}
		case List:
			l, ok := v.([]any)
			if !ok {
				return false
			}
			for _, el := range l {
				o, ok := el.(map[string]any)
				if !ok || !converted(f, o) {
					return false
				}
			}
		}
	}
	return true
}

func walk(entity string, rec map[string]any, fix bool) error {
	e, err := Get(entity)
	if err != nil {
		return err
	}
	if quick(e.root, rec, fix) {
		return nil
	}
	w := walker{fix: fix}
	w.object(e.root, rec)
	if len(w.errs) == 0 {
		return nil
	}
	w.errs.Label(entity, Key(entity, rec), "validate")
	return w.errs
}

// quick converts and checks rec in map order and stops at the first
// problem; then walk runs the walker, which reports every problem in the
// model's order. Conversions are idempotent, so running both is safe.
func quick(parent *Field, m map[string]any, fix bool) bool {
	for _, f := range parent.required {
		if v := m[f.Name]; v == nil || blank(v) {
			return false
		}
	}
	for k, v := range m {
		f := parent.index[k]
		if f == nil {
			return false
		}
		if v == nil {
			continue
		}
		out, err := f.Convert(v)
		if err != nil || f.Required && (out == nil || blank(out)) {
			return false
		}
		if fix && !unchanged(v, out) {
			m[k] = out
		}
		if !quickNested(f, out, fix) {
			return false
		}
	}
	return true
}

func quickNested(f *Field, v any, fix bool) bool {
	switch f.Kind {
	case Object:
		return quick(f, v.(map[string]any), fix)
	case List:
		for _, el := range v.([]any) {
			if !quick(f, el.(map[string]any), fix) {
				return false
			}
		}
	}
	return true
}

type walker struct {
	fix   bool
	errs  Errors
	trail []seg // the path to the current object, rendered only on error
}

type seg struct {
	name string
	idx  int // element index, or -1
}

func (w *walker) fail(name string, cause error) {
	var b strings.Builder
	for _, s := range w.trail {
		b.WriteString(s.name)
		if s.idx >= 0 {
			b.WriteString("[" + strconv.Itoa(s.idx) + "]")
		}
		b.WriteByte('.')
	}
	b.WriteString(name)
	w.errs = append(w.errs, &FieldError{Field: b.String(), Cause: cause})
}

func (w *walker) object(parent *Field, m map[string]any) {
	for _, f := range parent.Fields {
		v, ok := m[f.Name]
		if !ok || v == nil {
			if f.Required {
				w.fail(f.Name, ErrRequired)
			}
			continue
		}
		out, err := f.Convert(v)
		if err != nil {
			w.fail(f.Name, err)
			continue
		}
		if f.Required && (out == nil || blank(out)) {
			w.fail(f.Name, ErrRequired)
		}
		if w.fix {
			m[f.Name] = out
		}
		w.nested(f, out)
	}
	if !allKnown(parent, m) {
		w.unknown(parent, m)
	}
}

func (w *walker) nested(f *Field, v any) {
	switch f.Kind {
	case Object:
		w.trail = append(w.trail, seg{f.Name, -1})
		w.object(f, v.(map[string]any))
		w.trail = w.trail[:len(w.trail)-1]
	case List:
		for i, el := range v.([]any) {
			w.trail = append(w.trail, seg{f.Name, i})
			w.object(f, el.(map[string]any))
			w.trail = w.trail[:len(w.trail)-1]
		}
	}
}

func (w *walker) unknown(parent *Field, m map[string]any) {
	var extra []string
	for k := range m {
		if parent.Child(k) == nil {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		w.fail(k, ErrUnknownField)
	}
}

func allKnown(parent *Field, m map[string]any) bool {
	if len(m) > len(parent.Fields) {
		return false
	}
	for k := range m {
		if parent.index[k] == nil {
			return false
		}
	}
	return true
}

// Key returns the record's business key (the entity's Key field) as text,
// or "" when it is absent.
func Key(entity string, rec map[string]any) string {
	e, err := Get(entity)
	if err != nil || rec == nil {
		return ""
	}
	v := rec[e.Key]
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// blank reports whether v is text with nothing but spaces: a required field
// holding it is missing.
func blank(v any) bool {
	s, ok := v.(string)
	return ok && strings.TrimSpace(s) == ""
}
