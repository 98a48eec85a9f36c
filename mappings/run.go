package mappings

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/switchboard-app/switchboard/mappings/canonical"
)

// Result is the outcome of one record's trip through a [Program].
type Result struct {
	Key        string         // the canonical record's business key, e.g. the order number: as written, after the rules and normalisation (as read when a stage before fails)
	Canonical  map[string]any // after mapping in and rules, normalised
	Output     map[string]any // the target's native record; without an out mapping the canonical record itself (the same map); nil when skipped
	Skipped    bool           // a filter rule skipped the record
	SkipReason string
}

// runner holds the per-record state; runners are pooled.
type runner struct {
	p     *Program
	mc    *machine
	stage string
	errs  Errors
	trail []step // the path into each-lists, for error messages
	trace *[]RuleStep

	scopes []map[string]any // scope objects of each-lists, reused by depth
	depth  int              // scopes in use
}

type step struct {
	name string
	idx  int
}

var runners = sync.Pool{New: func() any { return &runner{mc: newMachine()} }}

func (p *Program) runner() *runner {
	r := runners.Get().(*runner)
	r.p, r.errs, r.trail, r.trace, r.depth = p, nil, r.trail[:0], nil, 0
	return r
}

func (r *runner) release() {
	r.p, r.errs, r.trace = nil, nil, nil
	runners.Put(r)
}

// Run maps one native record: map in, rules (a filter may skip the record),
// normalisation and validation of the canonical record, map out. It never
// panics; the error is an [Errors] whose entries name the record, the stage
// and the field. Run is safe for concurrent use.
func (p *Program) Run(native map[string]any) (Result, error) {
	r := p.runner()
	defer r.release()
	var res Result
	res.Canonical = r.mapIn(native)
	res.Key = canonical.Key(p.entity, res.Canonical)
	if err := r.failed(res.Key); err != nil {
		return res, err
	}
	res.Skipped, res.SkipReason = r.applyRules(res.Canonical)
	if err := r.failed(res.Key); err != nil || res.Skipped {
		return res, err
	}
	normalize := canonical.Normalize
	if p.converted {
		normalize = canonical.NormalizeConverted
	}
	if err := normalize(p.entity, res.Canonical); err != nil {
		return res, err
	}
	res.Key = writtenKey(p.entity, res.Canonical, res.Key)
	res.Output = r.mapOut(res.Canonical)
	return res, r.failed(res.Key)
}

// writtenKey is the business key of the record as it is written, after
// the rules (a table of SKUs) and normalisation (an e-mail address in
// lower case), or read when the record has none.
func writtenKey(entity string, rec map[string]any, read string) string {
	if k := canonical.Key(entity, rec); k != "" {
		return k
	}
	return read
}

// failed returns the collected errors labelled with the record, and resets them.
func (r *runner) failed(key string) error {
	if len(r.errs) == 0 {
		return nil
	}
	errs := r.errs
	r.errs = nil
	errs.Label(r.p.entity, key, "")
	return errs
}

func (r *runner) fail(field string, pos int, err error) {
	r.errs = append(r.errs, &FieldError{Field: r.where(field), Stage: r.stage, Pos: pos, Cause: err})
}

// where renders the current each-path and field, e.g. lines[2].unit_price.
func (r *runner) where(field string) string {
	var b strings.Builder
	for _, s := range r.trail {
		b.WriteString(s.name + "[" + strconv.Itoa(s.idx) + "].")
	}
	b.WriteString(field)
	return b.String()
}

// mapIn computes the canonical record.
func (r *runner) mapIn(native map[string]any) map[string]any {
	r.stage = StageMapIn
	if !r.p.hasIn {
		return deepCopy(native).(map[string]any)
	}
	out := make(map[string]any, r.p.inSize)
	r.fields(r.p.in, native, native, out)
	return out
}

// mapOut computes the target's native record; without an out mapping the
// target takes the canonical record as it is.
func (r *runner) mapOut(can map[string]any) map[string]any {
	r.stage = StageMapOut
	if !r.p.hasOut {
		return can
	}
	out := make(map[string]any, len(r.p.out))
	r.fields(r.p.out, can, can, out)
	return out
}

// fields evaluates fields against env into out.
func (r *runner) fields(fields []cfield, env any, root map[string]any, out map[string]any) {
	for i := range fields {
		f := &fields[i]
		if f.kids != nil {
			m := make(map[string]any, len(f.kids))
			r.fields(f.kids, env, root, m)
			if len(m) > 0 {
				out[f.name] = m
			}
			continue
		}
		v, err := r.value(f, env, root)
		if err == nil && v != nil && f.conv != nil && f.sub == nil {
			v, err = f.conv.Coerce(v)
		}
		if err == nil && f.sub == nil {
			err = finite(v)
		}
		if err != nil {
			fe := exprError(r.stage, "", err)
			r.fail(f.target, fe.Pos, r.withMissing(fe.Cause, f, env))
			continue
		}
		if v != nil {
			out[f.name] = v
		}
	}
}

// withMissing adds to the error of a read mapping's field the names its
// expression reads that the source's record lacks: a column renamed in a
// supplier's file fails as "cannot parse "" as decimal", which says
// nothing of the column.
func (r *runner) withMissing(err error, f *cfield, env any) error {
	record, ok := env.(map[string]any)
	if r.stage != StageMapIn || len(r.trail) > 0 || !ok || f.prog == nil {
		return err
	}
	var missing []string
	for _, name := range f.prog.reads {
		if _, found := record[name]; !found {
			missing = append(missing, strconv.Quote(name))
		}
	}
	if len(missing) == 0 {
		return err
	}
	return fmt.Errorf("%w (the record has no %s)", err, strings.Join(missing, ", "))
}

// value computes one field: its expression, or the list of its sub-fields.
func (r *runner) value(f *cfield, env any, root map[string]any) (any, error) {
	v, err := f.prog.eval(r.mc, env)
	if err != nil || f.sub == nil || v == nil {
		return v, err
	}
	items, err := argList(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNotList, err)
	}
	list := make([]any, len(items))
	scope := r.scope(f.env, env, root)
	for i, item := range items {
		scope["item"], scope["index"] = item, i
		el := make(map[string]any, len(f.sub))
		r.trail = append(r.trail, step{f.target, i})
		r.fields(f.sub, scope, root, el)
		r.trail = r.trail[:len(r.trail)-1]
		list[i] = el
	}
	r.endScope(f.env, scope)
	return list, nil
}

// scope returns the object an each-list's expressions run with: item, index,
// parent and root. When none of them names $env or parent, no result can
// hold the object, and the runner reuses one per depth of nesting; otherwise
// (own) it is made afresh.
func (r *runner) scope(own bool, parent any, root map[string]any) map[string]any {
	if own {
		return map[string]any{"item": nil, "index": 0, "parent": parent, "root": root}
	}
	if r.depth == len(r.scopes) {
		r.scopes = append(r.scopes, make(map[string]any, 4))
	}
	s := r.scopes[r.depth]
	r.depth++
	s["item"], s["index"], s["parent"], s["root"] = nil, 0, parent, root
	return s
}

// endScope returns a reused scope object, dropping its references to the record.
func (r *runner) endScope(own bool, s map[string]any) {
	if own {
		return
	}
	r.depth--
	s["item"], s["parent"], s["root"] = nil, nil, nil
}

// getPath reads a dotted path; missing or non-object steps give nil.
func getPath(m map[string]any, path []string) any {
	for _, p := range path[:len(path)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			return nil
		}
		m = next
	}
	return m[path[len(path)-1]]
}

// setPath writes a dotted path, creating objects on the way.
func setPath(m map[string]any, path []string, v any) error {
	for i, p := range path[:len(path)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			if m[p] != nil {
				return fmt.Errorf("cannot set %s: %s is not an object", strings.Join(path, "."), strings.Join(path[:i+1], "."))
			}
			next = make(map[string]any, 4)
			m[p] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
	return nil
}

// deepCopy copies maps and lists; other values are shared.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
