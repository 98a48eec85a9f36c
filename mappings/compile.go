package mappings

import (
	"fmt"
	"strings"

	"github.com/switchboard-app/switchboard/mappings/canonical"
)

// FlowConfig is everything a flow version needs to map its records. In and
// Out are the connectors' default mappings (either may be nil: without In the
// native record already is canonical; without Out, and without out
// overrides, the output is the normalised canonical record: Result.Output is
// Result.Canonical); the overrides, rules and tables come from the flow.
type FlowConfig struct {
	Entity       string   `json:"entity"`
	In           *Mapping `json:"in,omitempty"`
	Out          *Mapping `json:"out,omitempty"`
	InOverrides  []Field  `json:"in_overrides,omitempty"`
	OutOverrides []Field  `json:"out_overrides,omitempty"`
	Rules        []Rule   `json:"rules,omitempty"`
	Tables       Tables   `json:"tables,omitempty"`
	// BusinessZone is the appliance's business time zone, an IANA name:
	// to_business_zone(t) gives t in it, so that a mapping writes the
	// calendar date of an order in the zone its business keeps its books
	// in. Empty: none; times stay in the zone they were read in.
	BusinessZone string `json:"business_zone,omitempty"`
}

// Program is a compiled flow configuration. It is immutable and safe for
// concurrent use; compile it once per flow version.
type Program struct {
	entity string
	in     []cfield
	hasIn  bool
	out    []cfield
	hasOut bool
	// outPaths are the written records' fields in order; see OutputPaths.
	outPaths []string
	rules    []crule
	inSize   int // size hint of the canonical record: its top-level fields and rules
	// converted: map in and rules convert every value they set to its
	// field's kind and set no object or list as a whole, so the canonical
	// record needs only canonical.NormalizeConverted.
	converted bool
}

// convertedFields reports whether fields set only values they convert:
// no field of kind object or list is set by an expression.
func convertedFields(fields []cfield) bool {
	for i := range fields {
		f := &fields[i]
		switch {
		case f.kids != nil:
			if !convertedFields(f.kids) {
				return false
			}
		case f.sub != nil:
			if !convertedFields(f.sub) {
				return false
			}
		case f.conv == nil || f.conv.Kind == canonical.Object || f.conv.Kind == canonical.List:
			return false
		}
	}
	return true
}

// convertedRules reports whether no rule sets an object or a list as a whole.
func convertedRules(rules []crule) bool {
	for i := range rules {
		if c := rules[i].conv; c != nil && (c.Kind == canonical.Object || c.Kind == canonical.List) {
			return false
		}
	}
	return true
}

// cfield is a compiled mapping field, in a tree: the fields "billing.city"
// and "billing.country" become one object node "billing" with two leaves,
// so each output object is made once at its final size.
type cfield struct {
	name   string           // key in the parent object
	target string           // the target as written, for errors
	path   []string         // target split at dots
	prog   *program         // Expr, or Each when sub is set
	sub    []cfield         // Each: the fields of every element
	kids   []cfield         // object node: its members (prog is nil)
	conv   *canonical.Field // canonical type to convert to (map in only)
	env    bool             // Each: an expression inside names $env or parent (see runner.scope)
}

// namesScopeIn reports whether an expression of fields (at any depth) names $env or parent.
func namesScopeIn(fields []cfield) bool {
	for i := range fields {
		f := &fields[i]
		if (f.prog != nil && f.prog.env) || namesScopeIn(f.sub) || namesScopeIn(f.kids) {
			return true
		}
	}
	return false
}

// Compile checks and compiles a flow configuration. The error is an [Errors]
// listing every problem, each with its stage, field and the position in the
// expression. It does not check the names that rules and write mappings
// read against the canonical model, as Check does: a flow saved before
// that check keeps running (its records fail as they did), instead of
// stopping, and a webhook flow refusing every call.
func Compile(cfg FlowConfig) (*Program, error) { return compile(cfg, false) }

// Check checks a flow configuration as it is saved: what Compile checks,
// and that rules and write mappings read only fields of the canonical
// model and set literal values their fields can take. It returns the
// program it compiled, for a caller that asks more of it (the fields its
// records will have).
func Check(cfg FlowConfig) (*Program, error) { return compile(cfg, true) }

func compile(cfg FlowConfig, model bool) (*Program, error) {
	if _, err := canonical.Get(cfg.Entity); err != nil {
		return nil, err
	}
	c := newCompiler(cfg.Tables, cfg.BusinessZone)
	c.model = model
	if model {
		c.fixed = newModelNames(cfg.Entity, cfg.Rules)
	}
	p := &Program{entity: cfg.Entity}
	var errs Errors
	var err Errors
	p.in, p.hasIn, err = c.mapping(cfg.Entity, In, cfg.In, cfg.InOverrides)
	errs = append(errs, err...)
	p.out, p.hasOut, err = c.mapping(cfg.Entity, Out, cfg.Out, cfg.OutOverrides)
	errs = append(errs, err...)
	p.rules, err = c.rules(cfg.Entity, cfg.Rules, cfg.Tables)
	errs = append(errs, err...)
	if len(errs) > 0 {
		errs.Label(cfg.Entity, "", "")
		return nil, errs
	}
	p.inSize = len(p.in) + len(p.rules)
	p.outPaths = p.outputPaths()
	p.converted = p.hasIn && convertedFields(p.in) && convertedRules(p.rules)
	return p, nil
}

func stageOf(d Direction) string {
	if d == In {
		return StageMapIn
	}
	return StageMapOut
}

// mapping checks, merges and compiles one direction.
func (c *compiler) mapping(entity string, d Direction, m *Mapping, overrides []Field) ([]cfield, bool, Errors) {
	if m == nil && len(overrides) == 0 {
		return nil, false, nil
	}
	fail := func(err error) ([]cfield, bool, Errors) {
		return nil, false, Errors{{Stage: stageOf(d), Cause: err}}
	}
	if m == nil {
		m = &Mapping{Entity: entity, Direction: d}
	}
	if err := m.Check(); err != nil {
		return fail(err)
	}
	if m.Entity != entity || m.Direction != d {
		return fail(fmt.Errorf("mapping is for %s %s, want %s %s", m.Entity, m.Direction, entity, d))
	}
	if err := checkVersion(m.Version); err != nil {
		return fail(err)
	}
	fields, err := Merge(m.Fields, overrides)
	if err != nil {
		return fail(err)
	}
	var errs Errors
	var names *modelNames
	var env shape
	if d == Out && c.model { // an out mapping reads the canonical record; a native one may hold anything
		if names = newModelNames(entity, nil); names != nil {
			env = names.record
		}
	}
	out := c.fields(entity, d, fields, "", &errs, names, env)
	return out, true, errs
}

// tree groups leaves by their first path segment, keeping the order in
// which each name first appears.
func tree(leaves []cfield, depth int, errs *Errors, stage string) []cfield {
	var out []cfield
	index := map[string]int{}
	for _, f := range leaves {
		name := f.path[depth]
		i, seen := index[name]
		if !seen {
			index[name] = len(out)
			node := cfield{name: name, target: strings.Join(f.path[:depth+1], ".")}
			if len(f.path) == depth+1 {
				node = f
				node.name = name
			}
			out = append(out, node)
			if len(f.path) == depth+1 {
				continue
			}
			i = len(out) - 1
		}
		if out[i].prog != nil || len(f.path) == depth+1 {
			*errs = append(*errs, &FieldError{Field: f.target, Stage: stage, Cause: fmt.Errorf("%s is set both as a value and as an object", out[i].target)})
			continue
		}
		out[i].kids = append(out[i].kids, f)
	}
	for i := range out {
		if out[i].kids != nil {
			out[i].kids = tree(out[i].kids, depth+1, errs, stage)
		}
	}
	return out
}

// checkVersion accepts mappings written for the same major model version.
func checkVersion(v string) error {
	if v == "" {
		return nil
	}
	major, _, _ := strings.Cut(canonical.Version, ".")
	if got, _, _ := strings.Cut(v, "."); got != major {
		return fmt.Errorf("mapping is for canonical model %s, this is %s", v, canonical.Version)
	}
	return nil
}

// fields compiles the fields of one direction (the elements' fields of an
// each under prefix). With names set, the names the expressions read are
// checked against env, the canonical record or a list's scope.
func (c *compiler) fields(entity string, d Direction, fields []Field, prefix string, errs *Errors, names *modelNames, env shape) []cfield {
	out := make([]cfield, 0, len(fields))
	for _, f := range fields {
		name := prefix + f.Target
		cf := cfield{target: f.Target, path: strings.Split(f.Target, ".")}
		if d == In {
			conv, err := canonical.Lookup(entity, name)
			if err != nil {
				*errs = append(*errs, &FieldError{Field: name, Stage: stageOf(d), Cause: err})
				continue
			}
			if f.Each != "" && conv.Kind != canonical.List {
				*errs = append(*errs, &FieldError{Field: name, Stage: stageOf(d), Cause: fmt.Errorf("each needs a list field, %s is %s", name, conv.Kind)})
				continue
			}
			cf.conv = conv
		}
		src := f.Expr
		if f.Each != "" {
			src = f.Each
			var sub shape
			if names != nil {
				sub = names.eachEnv(src, env)
			}
			cf.sub = c.fields(entity, d, f.Fields, name+".", errs, names, sub)
		}
		prog, err := c.compile(src)
		if err == nil && names != nil {
			err = names.check(src, env)
		}
		cf.prog = prog
		if err != nil {
			*errs = append(*errs, exprError(stageOf(d), name, err))
			continue
		}
		if err := c.checkFixed(&cf, name, f.Each == ""); err != nil {
			*errs = append(*errs, &FieldError{Field: name, Stage: stageOf(d), Cause: err})
			continue
		}
		cf.env = namesScopeIn(cf.sub)
		out = append(out, cf)
	}
	return tree(out, 0, errs, stageOf(d))
}

// checkFixed refuses a field of the mapping in whose expression is a fixed
// value (a literal) that its canonical field cannot take: a text on a
// decimal, or a value outside the field's allowed ones that no rule
// translates. Every record would fail on it. value is false for an each.
func (c *compiler) checkFixed(cf *cfield, path string, value bool) error {
	if c.fixed == nil || cf.conv == nil || !value || cf.prog == nil {
		return nil
	}
	v, ok := literal(cf.prog)
	if !ok {
		return nil
	}
	return c.fixed.checkLiteral(cf.conv, path, -1, v)
}
