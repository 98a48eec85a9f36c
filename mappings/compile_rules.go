package mappings

import (
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-app/switchboard/mappings/canonical"
	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// crule is a compiled rule.
type crule struct {
	kind     RuleKind
	label    string
	field    string   // as written, for errors
	list     []string // path of the list for "lines[].x" rules
	path     []string // path of the field (inside the element for list rules)
	conv     *canonical.Field
	force    bool
	reason   string
	when     *program
	value    *program // default value, expr, or conditional else
	base     *program // price: the base, without which the rule leaves the field
	cases    []ccase
	table    map[string]any // table: the entries, boxed once
	numKeys  map[string]any // table on a number field: the entries by their key as a number ("21" for "21.00")
	fallback any            // table: *Rule.Fallback, or nil
	env      bool           // an expression names $env or parent (see runner.scope)
}

type ccase struct{ when, then *program }

func (c *compiler) rules(entity string, rules []Rule, tables Tables) ([]crule, Errors) {
	var errs Errors
	out := make([]crule, 0, len(rules))
	var names *modelNames
	if c.model {
		names = newModelNames(entity, rules)
	}
	for i := range rules {
		cr, err := c.rule(entity, &rules[i], i, tables, names)
		if err != nil {
			errs = append(errs, err...)
			continue
		}
		if !rules[i].Disabled {
			out = append(out, cr)
		}
	}
	return out, errs
}

// RuleErrors compiles each rule of a flow of entity with its tables and
// returns each one's errors by its position in the list, for a form that
// shows them beside their rule. Disabled rules are checked too.
func RuleErrors(entity string, rules []Rule, tables Tables) map[int]Errors {
	c := newCompiler(tables, "")
	c.model = true
	out := map[int]Errors{}
	names := newModelNames(entity, rules)
	for i := range rules {
		if _, errs := c.rule(entity, &rules[i], i, tables, names); len(errs) > 0 {
			errs.Label(entity, "", "")
			out[i] = errs
		}
	}
	return out
}

// rule compiles rule r, at position i; names checks the names its
// expressions read (nil: not checked).
func (c *compiler) rule(entity string, r *Rule, i int, tables Tables, names *modelNames) (crule, Errors) {
	cr := crule{kind: r.Kind, label: r.label(i), field: r.Field, force: r.Force, reason: r.Reason}
	if r.Fallback != nil {
		cr.fallback = *r.Fallback
	}
	fail := func(pos int, err error) (crule, Errors) {
		return cr, Errors{{Field: r.Field, Stage: StageRules, Pos: pos, Cause: fmt.Errorf("%s: %w", cr.label, err)}}
	}
	if err := r.check(); err != nil {
		return fail(0, err)
	}
	if err := cr.resolveField(entity, r.Field); err != nil {
		return fail(0, err)
	}
	if err := cr.checkPriceKinds(entity, r, names); err != nil {
		return fail(0, err)
	}
	if r.Kind == RuleTable {
		t := r.Map
		if r.Table != "" {
			var ok bool
			if t, ok = tables[r.Table]; !ok {
				return fail(0, fmt.Errorf("no table %q", r.Table))
			}
		}
		cr.table = make(map[string]any, len(t))
		for k, v := range t {
			cr.table[k] = v
		}
		cr.numKeys = numberKeys(cr.conv, t)
	}
	var err error
	comp := func(src string) *program {
		if src == "" || err != nil {
			return nil
		}
		var p *program
		p, err = c.compile(src)
		return p
	}
	cr.when = comp(r.When)
	cr.value = comp(r.valueExpr())
	if r.Kind == RulePrice {
		cr.base = comp(r.basePath())
	}
	for _, cs := range r.Cases {
		cr.cases = append(cr.cases, ccase{when: comp(cs.When), then: comp(cs.Then)})
	}
	if err != nil {
		fe := exprError(StageRules, r.Field, err)
		return fail(fe.Pos, fe.Cause)
	}
	if pos, err := cr.checkModel(names, r, i); err != nil {
		return fail(pos, err)
	}
	for _, p := range []*program{cr.when, cr.value} {
		cr.env = cr.env || (p != nil && p.env)
	}
	for _, cs := range cr.cases {
		cr.env = cr.env || cs.when.env || cs.then.env
	}
	return cr, nil
}

// numberKeys indexes a table on a number field by its keys as numbers, so
// that a value of 21.00 finds the entry "21" (and 21 the entry "21.0"); nil
// for other fields. Of keys that are the same number, the first in order
// wins.
func numberKeys(f *canonical.Field, t map[string]string) map[string]any {
	if !numberField(f) || f.Kind == canonical.Any {
		return nil
	}
	return numberIndex(t)
}

// numberIndex is a table's entries by their keys as numbers ("21" for the
// key "21.0"); keys that are no number are left out.
func numberIndex(t map[string]string) map[string]any {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := map[string]any{}
	for _, k := range keys {
		d, err := decimal.Parse(strings.TrimSpace(k))
		if err != nil {
			continue
		}
		if n := d.Normalize().String(); out[n] == nil {
			out[n] = t[k]
		}
	}
	return out
}

// rulePart is one expression of a rule, for checkModel.
type rulePart struct {
	prog   *program
	value  bool   // it computes the field's value
	prefix string // names the part in errors, e.g. "case 2: "
}

// checkModel refuses rule r, at position i, when an expression reads a
// name the canonical record does not have, or when a value is a literal
// (a table's entry or fallback included) that cannot convert to the
// field's kind or is not one of its allowed values: either fails on every
// record it applies to. It returns the column of the name (0 for a price
// rule, whose expression is not written by the user).
func (cr *crule) checkModel(names *modelNames, r *Rule, i int) (int, error) {
	if names == nil {
		return 0, nil
	}
	kind := r.Kind
	if err := cr.checkTable(names, r, i); err != nil {
		return 0, err
	}
	env := names.record
	if cr.list != nil {
		env = names.listEnv(joinPath(cr.list), names.record)
	}
	parts := []rulePart{{prog: cr.when}, {prog: cr.value, value: true}}
	for i, cs := range cr.cases {
		prefix := fmt.Sprintf("case %d: ", i+1)
		parts = append(parts, rulePart{cs.when, false, prefix}, rulePart{cs.then, true, prefix})
	}
	for _, pt := range parts {
		if pt.prog == nil {
			continue
		}
		if err := names.check(pt.prog.src, env); err != nil {
			fe := exprError(StageRules, "", err)
			if kind == RulePrice && pt.prog == cr.value {
				fe.Pos = 0
			}
			return fe.Pos, fmt.Errorf("%s%w", pt.prefix, fe.Cause)
		}
		if v, ok := literal(pt.prog); ok && pt.value && cr.conv != nil {
			if err := names.checkLiteral(cr.conv, rulePath(r.Field), i, v); err != nil {
				return 0, fmt.Errorf("%s%w", pt.prefix, err)
			}
		}
	}
	return 0, nil
}

// checkTable refuses a table rule r, at position i, whose table holds an
// entry, or whose fallback is a value, that its field cannot take. A
// table's entries are checked in the order of their keys.
func (cr *crule) checkTable(names *modelNames, r *Rule, i int) error {
	if r.Kind != RuleTable || cr.conv == nil {
		return nil
	}
	path := rulePath(r.Field)
	what := "entry"
	if r.Table != "" {
		what = fmt.Sprintf("table %q entry", r.Table)
	}
	keys := make([]string, 0, len(cr.table))
	for k := range cr.table {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := names.checkLiteral(cr.conv, path, i, cr.table[k]); err != nil {
			return fmt.Errorf("%s %q: %w", what, k, err)
		}
	}
	if cr.fallback != nil {
		if err := names.checkLiteral(cr.conv, path, i, cr.fallback); err != nil {
			return fmt.Errorf("fallback: %w", err)
		}
	}
	return nil
}

// checkPriceKinds refuses, when a flow is saved (names set), a price rule
// whose field, or whose base, is not a number (a decimal or an integer):
// multiplying a name or a switch fails on every record. A base that does
// not resolve is left to the check of names.
func (cr *crule) checkPriceKinds(entity string, r *Rule, names *modelNames) error {
	if r.Kind != RulePrice || names == nil {
		return nil
	}
	if !numberField(cr.conv) {
		return fmt.Errorf("a price rule sets a number, and %s is a %s field", r.Field, cr.conv.Kind)
	}
	if p, err := decimal.Parse(r.Percent); err == nil && p.Cmp(minPercent) < 0 {
		return fmt.Errorf("percent %q takes off more than the whole base: every price it sets is negative (-100 sets 0)", r.Percent)
	}
	if r.Base == "" {
		return nil
	}
	base := r.Base
	if rest, ok := strings.CutPrefix(base, "item."); ok && cr.list != nil {
		base = joinPath(cr.list) + "." + rest
	}
	if f, err := canonical.Lookup(entity, base); err == nil && !numberField(f) {
		return fmt.Errorf("base %s is a %s field, not a number", r.Base, f.Kind)
	}
	return nil
}

// minPercent is the lowest percent of a price rule: -100 sets 0, less sets
// a negative price.
var minPercent = decimal.FromInt(-100)

// numberField reports whether f holds a number.
func numberField(f *canonical.Field) bool {
	return f != nil && (f.Kind == canonical.Decimal || f.Kind == canonical.Integer || f.Kind == canonical.Any)
}

// resolveField splits the rule's field into list and path and finds its type.
func (cr *crule) resolveField(entity, field string) error {
	if field == "" {
		return nil
	}
	name := field
	if list, rest, ok := splitEach(field); ok {
		cr.list = strings.Split(list, ".")
		cr.path = strings.Split(rest, ".")
		name = list + "." + rest
		lf, err := canonical.Lookup(entity, list)
		if err != nil {
			return err
		}
		if lf.Kind != canonical.List {
			return fmt.Errorf("%s is not a list", list)
		}
	} else {
		cr.path = strings.Split(field, ".")
	}
	conv, err := canonical.Lookup(entity, name)
	cr.conv = conv
	return err
}
