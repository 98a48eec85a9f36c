package mappings

import (
	"fmt"
	"slices"
	"strings"
)

// Merge returns the default fields with a flow's overrides applied; the
// defaults are not changed. An override replaces the default field with the
// same target (keeping its place), a Drop override removes it, and any other
// override is appended. An override whose target runs through an Each field
// ("lines.tax_rate" where "lines" has each) is merged into that field's
// sub-fields, so one line field can change without repeating the others.
func Merge(defaults, overrides []Field) ([]Field, error) {
	if err := checkFields(overrides, "", true); err != nil {
		return nil, err
	}
	out := slices.Clone(defaults)
	for _, o := range overrides {
		var err error
		if out, err = mergeOne(out, o); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func mergeOne(fields []Field, o Field) ([]Field, error) {
	if i := indexOf(fields, o.Target); i >= 0 {
		if o.Drop {
			return slices.Delete(fields, i, i+1), nil
		}
		if o.Expr == "" && o.Each == "" && fields[i].Each != "" { // sub-field overrides only
			sub, err := Merge(fields[i].Fields, o.Fields)
			fields[i].Fields = sub
			return fields, err
		}
		fields[i] = o
		return fields, nil
	}
	for i, f := range fields {
		if rest, ok := strings.CutPrefix(o.Target, f.Target+"."); ok && f.Each != "" {
			o.Target = rest
			sub, err := mergeOne(slices.Clone(f.Fields), o)
			fields[i].Fields = sub
			return fields, err
		}
	}
	if o.Drop {
		return nil, fmt.Errorf("override drops %q, which is not a default field", o.Target)
	}
	if o.Expr == "" && o.Each == "" {
		return nil, fmt.Errorf("override %q has no expr", o.Target)
	}
	return append(fields, o), nil
}

func indexOf(fields []Field, target string) int {
	for i, f := range fields {
		if f.Target == target {
			return i
		}
	}
	return -1
}
