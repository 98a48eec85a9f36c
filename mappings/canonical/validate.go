package canonical

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
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

func walk(entity string, rec map[string]any, fix bool) error {
	e, err := Get(entity)
	if err != nil {
		return err
	}
	w := walker{fix: fix}
	w.object(e.Fields, rec, "")
	if len(w.errs) == 0 {
		return nil
	}
	w.errs.Label(entity, Key(entity, rec), "validate")
	return w.errs
}

type walker struct {
	fix  bool
	errs Errors
}

func (w *walker) fail(path string, cause error) {
	w.errs = append(w.errs, &FieldError{Field: path, Cause: cause})
}

func (w *walker) object(fields []*Field, m map[string]any, prefix string) {
	for _, f := range fields {
		v, ok := m[f.Name]
		path := prefix + f.Name
		if !ok || v == nil {
			if f.Required {
				w.fail(path, ErrRequired)
			}
			continue
		}
		out, err := f.Convert(v)
		if err != nil {
			w.fail(path, err)
			continue
		}
		if out == nil && f.Required {
			w.fail(path, ErrRequired)
		}
		if w.fix {
			m[f.Name] = out
		}
		w.nested(f, out, path)
	}
	w.unknown(fields, m, prefix)
}

func (w *walker) nested(f *Field, v any, path string) {
	switch f.Kind {
	case Object:
		w.object(f.Fields, v.(map[string]any), path+".")
	case List:
		for i, el := range v.([]any) {
			w.object(f.Fields, el.(map[string]any), path+"["+strconv.Itoa(i)+"].")
		}
	}
}

func (w *walker) unknown(fields []*Field, m map[string]any, prefix string) {
	var extra []string
	for k := range m {
		if !hasField(fields, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		w.fail(prefix+k, ErrUnknownField)
	}
}

func hasField(fields []*Field, name string) bool {
	for _, f := range fields {
		if f.Name == name {
			return true
		}
	}
	return false
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
