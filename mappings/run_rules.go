package mappings

import (
	"fmt"
	"strconv"

	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// RuleStep is what one rule did to one record (or list element), as the preview shows it.
type RuleStep struct {
	Rule    string // e.g. "rule 2 (markup)"
	Field   string // e.g. "lines[1].unit_price"; empty for filters
	Applied bool   // the rule changed or skipped something
	Before  any
	After   any
}

// applyRules runs the rules in order; it stops at the first filter that skips.
func (r *runner) applyRules(can map[string]any) (skipped bool, reason string) {
	r.stage = StageRules
	for i := range r.p.rules {
		cr := &r.p.rules[i]
		if cr.list != nil {
			r.applyEach(cr, can)
			continue
		}
		if skip := r.apply(cr, can, can, -1); skip {
			return true, cr.reason
		}
	}
	return false, ""
}

// applyEach runs a "lines[].x" rule on every element.
func (r *runner) applyEach(cr *crule, can map[string]any) {
	items, _ := argList(getPath(can, cr.list))
	scope := r.scope(cr.env, can, can)
	for i, item := range items {
		el, ok := item.(map[string]any)
		if !ok {
			continue
		}
		scope["item"], scope["index"] = el, i
		r.apply(cr, scope, el, i)
	}
	r.endScope(cr.env, scope)
}

// prefix is the path of element idx of a "lines[].x" rule's list, e.g.
// "lines[2].", built only for errors and the preview; "" for other rules.
func (cr *crule) prefix(idx int) string {
	if idx < 0 || cr.list == nil {
		return ""
	}
	return joinPath(cr.list) + "[" + strconv.Itoa(idx) + "]."
}

// apply runs one rule with env in scope on target, element idx of the
// rule's list (or -1); it reports a filter's skip.
func (r *runner) apply(cr *crule, env any, target map[string]any, idx int) bool {
	if cr.when != nil {
		ok, err := cr.when.evalBool(r.mc, env)
		if err != nil || !ok {
			r.ruleErr(cr, idx, err)
			return false
		}
	}
	if cr.kind == RuleFilter {
		r.traceStep(cr, "", true, nil, cr.reason)
		return true
	}
	before := getPath(target, cr.path)
	v, set, err := r.ruleValue(cr, env, before)
	if err == nil && set && v != nil {
		v, err = cr.conv.Coerce(v)
	}
	if err == nil && set {
		err = finite(v)
	}
	if err == nil && set {
		err = setOrDelete(target, cr.path, v)
	}
	r.ruleErr(cr, idx, err)
	if r.trace != nil {
		r.traceStep(cr, cr.prefix(idx)+joinPath(cr.path), set && err == nil, before, getPath(target, cr.path))
	}
	return false
}

// ruleValue computes the new value; set is false when the rule leaves the field alone.
func (r *runner) ruleValue(cr *crule, env, cur any) (v any, set bool, err error) {
	switch cr.kind {
	case RuleDefault:
		if !cr.force && !empty(cur) {
			return nil, false, nil
		}
		v, err = cr.value.eval(r.mc, env)
		return v, true, err
	case RulePrice:
		base, err := cr.base.eval(r.mc, env)
		if err != nil || empty(base) {
			return nil, false, err // a record without the base keeps the field
		}
		v, err = cr.value.eval(r.mc, env)
		return v, true, err
	case RuleExpr:
		v, err = cr.value.eval(r.mc, env)
		return v, true, err
	case RuleTable:
		if mapped, ok := cr.table[text(cur)]; ok {
			return mapped, true, nil
		}
		if mapped, ok := cr.numberEntry(cur); ok {
			return mapped, true, nil
		}
		if cr.fallback != nil {
			return cr.fallback, true, nil
		}
		return nil, false, nil
	}
	return r.conditional(cr, env)
}

// numberEntry is the table's entry for a number, whatever its scale: a
// tax rate of 21.00 finds the entry "21". A number written as text (as a
// source without a read mapping, such as a CSV file, gives it) is taken
// as the field's conversion will take it.
func (cr *crule) numberEntry(cur any) (any, bool) {
	if cr.numKeys == nil {
		return nil, false
	}
	if s, ok := cur.(string); ok {
		converted, err := cr.conv.Coerce(s)
		if err != nil {
			return nil, false
		}
		cur = converted
	}
	if !numeric(cur) {
		return nil, false
	}
	d, err := decimal.FromAny(cur)
	if err != nil {
		return nil, false
	}
	v, ok := cr.numKeys[d.Normalize().String()]
	return v, ok
}

func (r *runner) conditional(cr *crule, env any) (any, bool, error) {
	for i, cs := range cr.cases {
		ok, err := cs.when.evalBool(r.mc, env)
		if err != nil {
			return nil, false, fmt.Errorf("case %d: %w", i+1, err)
		}
		if ok {
			v, err := cs.then.eval(r.mc, env)
			return v, true, err
		}
	}
	if cr.value == nil {
		return nil, false, nil
	}
	v, err := cr.value.eval(r.mc, env)
	return v, true, err
}

func setOrDelete(m map[string]any, path []string, v any) error {
	if v == nil {
		if parent, ok := getParent(m, path); ok {
			delete(parent, path[len(path)-1])
		}
		return nil
	}
	return setPath(m, path, v)
}

func getParent(m map[string]any, path []string) (map[string]any, bool) {
	for _, p := range path[:len(path)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			return nil, false
		}
		m = next
	}
	return m, true
}

func (r *runner) ruleErr(cr *crule, idx int, err error) {
	if err == nil {
		return
	}
	fe := exprError(StageRules, "", err)
	field := ""
	if cr.path != nil {
		field = cr.prefix(idx) + joinPath(cr.path)
	}
	r.errs = append(r.errs, &FieldError{Field: field, Stage: StageRules, Pos: fe.Pos, Cause: fmt.Errorf("%s: %w", cr.label, fe.Cause)})
}

func joinPath(p []string) string {
	s := p[0]
	for _, e := range p[1:] {
		s += "." + e
	}
	return s
}

func (r *runner) traceStep(cr *crule, field string, applied bool, before, after any) {
	if r.trace == nil {
		return
	}
	*r.trace = append(*r.trace, RuleStep{Rule: cr.label, Field: field, Applied: applied, Before: deepCopy(before), After: deepCopy(after)})
}
