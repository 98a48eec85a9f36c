package mappings

import (
	"errors"
	"fmt"
	"slices"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
)

// An expression whose every node is supported below runs as a tree of Go
// closures instead of on the expr VM: the same patched tree (decimal
// operators, nil-safe access), without the VM's per-run set-up. Closures,
// predicates (map, filter, ...) and method calls fall back to the VM.
// TestClosureMatchesVM and FuzzCompile compare both ways of running.

// evalFn evaluates one node.
type evalFn func(m *machine, env any) (any, error)

// closure compiles src (already accepted by expr.Compile) to closures, or returns nil.
func (c *compiler) closure(src string) evalFn {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil
	}
	p := &patcher{src: []rune(src)}
	ast.Walk(&tree.Node, p)
	if p.err != nil {
		return nil
	}
	fn, ok := c.node(tree.Node)
	if !ok {
		return nil
	}
	return fn
}

func constFn(v any) evalFn { return func(*machine, any) (any, error) { return v, nil } }

func (c *compiler) node(n ast.Node) (evalFn, bool) {
	switch x := n.(type) {
	case *ast.NilNode:
		return constFn(nil), true
	case *ast.StringNode:
		return constFn(x.Value), true
	case *ast.IntegerNode:
		return constFn(x.Value), true
	case *ast.BoolNode:
		return constFn(x.Value), true
	case *ast.ConstantNode:
		return constFn(x.Value), true
	case *ast.IdentifierNode:
		return identFn(x.Value), true
	case *ast.ChainNode:
		return c.node(x.Node)
	case *ast.CallNode:
		return c.call(x)
	case *ast.BuiltinNode:
		return c.builtin(x)
	case *ast.ConditionalNode:
		return c.conditional(x)
	case *ast.BinaryNode:
		return c.binary(x)
	case *ast.UnaryNode:
		return c.unary(x)
	case *ast.ArrayNode:
		return c.array(x)
	case *ast.MapNode:
		return c.mapLiteral(x)
	case *ast.PointerNode:
		return pointer(x.Name)
	}
	return nil, false
}

// errUseVM makes a program run on the VM after all: its closures met a
// value they do not handle (a predicate over something else than []any).
var errUseVM = errors.New("closure cannot run this; use the VM")

// pointer reads # (the element) or #index of the innermost predicate.
func pointer(name string) (evalFn, bool) {
	switch name {
	case "":
		return func(m *machine, _ any) (any, error) {
			if len(m.ptrs) == 0 {
				return nil, errUseVM
			}
			return m.ptrs[len(m.ptrs)-1].item, nil
		}, true
	case "index":
		return func(m *machine, _ any) (any, error) {
			if len(m.ptrs) == 0 {
				return nil, errUseVM
			}
			return m.ptrs[len(m.ptrs)-1].index, nil
		}, true
	}
	return nil, false
}

// predicate runs filter(list, pred) and map(list, fn) on a []any. Anything
// else, any error, and lists of more elements than the VM's memory budget,
// all of them together, run the whole expression on the VM, so results and
// errors are the VM's.
func (c *compiler) predicate(x *ast.BuiltinNode) (evalFn, bool) {
	if len(x.Arguments) != 2 {
		return nil, false
	}
	pn, ok := x.Arguments[1].(*ast.PredicateNode)
	if !ok {
		return nil, false
	}
	list, ok1 := c.node(x.Arguments[0])
	body, ok2 := c.node(pn.Node)
	if !ok1 || !ok2 {
		return nil, false
	}
	filter := x.Name == "filter"
	return func(m *machine, env any) (any, error) {
		v, err := list(m, env)
		if err != nil {
			return nil, err
		}
		items, ok := v.([]any)
		if !ok {
			return nil, errUseVM
		}
		// The VM counts the elements a predicate goes through and the
		// lists it makes against its memory budget (work.go); past it
		// (map(lines, map(lines, #)) over a long list), it runs the
		// expression, for its error. Both are counted here at once, so
		// that no closure goes on where the VM would stop.
		if m.made += 2 * uint(len(items)); m.made >= workBudget {
			return nil, errUseVM
		}
		out := make([]any, 0, len(items))
		for i, item := range items {
			m.ptrs = append(m.ptrs, frame{item, i})
			r, err := body(m, env)
			m.ptrs = m.ptrs[:len(m.ptrs)-1]
			if err != nil {
				return nil, errUseVM // the VM's error, with its position
			}
			if !filter {
				out = append(out, r)
				continue
			}
			keep, ok := r.(bool)
			if !ok {
				return nil, errUseVM
			}
			if keep {
				out = append(out, item)
			}
		}
		return out, nil
	}, true
}

// first and last of a []any without expr's reflection; other values go to expr's builtins.
func fastFirst(args ...any) (any, error) {
	if l, ok := args[0].([]any); ok {
		if len(l) == 0 {
			return nil, nil
		}
		return l[0], nil
	}
	return builtinFunc("first")(args...)
}

func fastLast(args ...any) (any, error) {
	if l, ok := args[0].([]any); ok {
		if len(l) == 0 {
			return nil, nil
		}
		return l[len(l)-1], nil
	}
	return builtinFunc("last")(args...)
}

func builtinFunc(name string) func(args ...any) (any, error) {
	return builtin.Builtins[builtin.Index[name]].Func
}

func identFn(name string) evalFn {
	if name == "$env" {
		return func(_ *machine, env any) (any, error) { return env, nil }
	}
	return func(_ *machine, env any) (any, error) {
		if m, ok := env.(map[string]any); ok {
			return m[name], nil
		}
		return fetch(env, name)
	}
}

func (c *compiler) nodes(ns []ast.Node) ([]evalFn, bool) {
	out := make([]evalFn, len(ns))
	for i, n := range ns {
		fn, ok := c.node(n)
		if !ok {
			return nil, false
		}
		out[i] = fn
	}
	return out, true
}

// function finds what a call or builtin node names: the library, the
// operators, or one of expr's builtins with a plain implementation.
func (c *compiler) function(name string) func(args ...any) (any, error) {
	if f, ok := registry[name]; ok {
		return f.bound(c)
	}
	if f, ok := opFuncs[name]; ok {
		return f
	}
	if f, ok := guardedBuiltins[name]; ok {
		return f
	}
	switch name {
	case "first":
		return fastFirst
	case "last":
		return fastLast
	}
	if i, ok := builtin.Index[name]; ok && builtin.Builtins[i].Func != nil {
		return builtin.Builtins[i].Func
	}
	if i, ok := builtin.Index[name]; ok && builtin.Builtins[i].Fast != nil {
		fast := builtin.Builtins[i].Fast
		return func(args ...any) (any, error) { return fast(args[0]), nil }
	}
	return nil
}

func (c *compiler) call(x *ast.CallNode) (evalFn, bool) {
	id, ok := x.Callee.(*ast.IdentifierNode)
	if !ok {
		return nil, false
	}
	if id.Value == "_get" {
		if m, ok := constMap(x.Arguments[0]); ok {
			key, ok := c.node(x.Arguments[1])
			return lookupConstMap(m, key), ok
		}
		if fn, ok := c.getChain(x); ok {
			return fn, true
		}
	}
	return c.invoke(id.Value, x.Arguments, x.Location(), id.Value != "_get")
}

func (c *compiler) builtin(x *ast.BuiltinNode) (evalFn, bool) {
	if x.Map != nil || x.Throws {
		return nil, false
	}
	if x.Name == "filter" || x.Name == "map" {
		return c.predicate(x)
	}
	return c.invoke(x.Name, x.Arguments, x.Location(), true)
}

// invoke calls a function with evaluated arguments, kept on the machine's stack.
func (c *compiler) invoke(name string, argNodes []ast.Node, loc file.Location, locate bool) (evalFn, bool) {
	fn := c.function(name)
	args, ok := c.args(name, argNodes)
	if fn == nil || !ok {
		return nil, false
	}
	counted := makesValues(name)
	return func(m *machine, env any) (any, error) {
		base, decs := len(m.args), m.ndec
		for _, a := range args {
			v, err := a(m, env)
			if err != nil {
				return nil, err
			}
			m.args = append(m.args, v)
		}
		v, err := fn(m.args[base:]...)
		clear(m.args[base:])
		m.args, m.ndec = m.args[:base], decs
		if err != nil && locate {
			return nil, located(loc, err)
		}
		// The VM counts what the function made against its budget
		// (work.go); past it, the VM runs the expression, for its error.
		if counted && err == nil {
			if m.made += uint(sizeOf(v)); m.made >= workBudget {
				return nil, errUseVM
			}
		}
		return v, err
	}, true
}

// decimalArgs are the functions that read every argument as a value (a
// *decimal.Decimal like the decimal it points to) and never keep or return
// an argument, so an argument computed by a decimal function can be passed
// as a pointer to the machine's scratch decimals instead of boxed in a new
// allocation, e.g. the excl_vat in round(excl_vat(price, 21), 2).
var decimalArgs = map[string]bool{
	"_add": true, "_sub": true, "_mul": true, "_div": true, "_mod": true, "_neg": true,
	"_lt": true, "_gt": true, "_le": true, "_ge": true,
	"num": true, "round": true, "round_even": true, "round_down": true, "round_to": true, "abs": true,
	"percent": true, "vat": true, "incl_vat": true, "excl_vat": true,
}

// decFunction returns the unboxed form of a function, or nil.
func (c *compiler) decFunction(name string) decFunc {
	if f, ok := registry[name]; ok && f.dec != nil && f.withEnv == nil {
		return f.boundDec()
	}
	return decOps[name]
}

// args compiles the arguments of a call of name.
func (c *compiler) args(name string, argNodes []ast.Node) ([]evalFn, bool) {
	if !decimalArgs[name] {
		return c.nodes(argNodes)
	}
	out := make([]evalFn, len(argNodes))
	for i, n := range argNodes {
		fn, ok := c.decArg(n)
		if !ok {
			fn, ok = c.node(n)
		}
		if !ok {
			return nil, false
		}
		out[i] = fn
	}
	return out, true
}

// decArg compiles an argument that calls a function with an unboxed form:
// its result goes to the machine's scratch decimals (boxed only when they
// are all in use) and is passed on as a pointer, valid until the call it is
// an argument of returns.
func (c *compiler) decArg(n ast.Node) (evalFn, bool) {
	call, ok := n.(*ast.CallNode)
	if !ok {
		return nil, false
	}
	id, ok := call.Callee.(*ast.IdentifierNode)
	if !ok {
		return nil, false
	}
	dec := c.decFunction(id.Value)
	if dec == nil {
		return nil, false
	}
	args, ok := c.args(id.Value, call.Arguments)
	if !ok {
		return nil, false
	}
	loc := call.Location()
	return func(m *machine, env any) (any, error) {
		base, decs := len(m.args), m.ndec
		for _, a := range args {
			v, err := a(m, env)
			if err != nil {
				return nil, err
			}
			m.args = append(m.args, v)
		}
		d, isDec, err := dec(m.args[base:]...)
		clear(m.args[base:])
		m.args, m.ndec = m.args[:base], decs
		switch {
		case err != nil:
			return nil, located(loc, err)
		case !isDec:
			return nil, nil
		case m.ndec == len(m.decs):
			return d, nil
		}
		p := &m.decs[m.ndec]
		*p = d
		m.ndec++
		return p, nil
	}, true
}

// getChain runs a chain of member accesses with constant keys, such as
// item.price.amount (patched to _get(_get(item, "price"), "amount")), in one
// closure: the base once, then get for every key, as the calls would.
func (c *compiler) getChain(x *ast.CallNode) (evalFn, bool) {
	var keys []any
	var n ast.Node = x
	for {
		call, ok := n.(*ast.CallNode)
		if !ok {
			break
		}
		id, ok := call.Callee.(*ast.IdentifierNode)
		if !ok || id.Value != "_get" || len(call.Arguments) != 2 {
			break
		}
		key, ok := constKey(call.Arguments[1])
		if !ok {
			break
		}
		keys = append(keys, key)
		n = call.Arguments[0]
	}
	if len(keys) == 0 {
		return nil, false
	}
	base, ok := c.node(n)
	if !ok {
		return nil, false
	}
	slices.Reverse(keys)
	return func(m *machine, env any) (any, error) {
		v, err := base(m, env)
		for _, k := range keys {
			if err != nil {
				return nil, err
			}
			v, err = get(v, k)
		}
		return v, err
	}, true
}

// located gives a function's error the position of its call, as the VM does.
func located(loc file.Location, err error) error {
	if _, ok := err.(*file.Error); ok {
		return err
	}
	fe := &file.Error{Location: loc, Message: err.Error()}
	fe.Wrap(err)
	return fe
}

// constMap returns the map of a literal whose keys and values are all constants.
func constMap(n ast.Node) (map[string]any, bool) {
	mn, ok := n.(*ast.MapNode)
	if !ok {
		return nil, false
	}
	out := make(map[string]any, len(mn.Pairs))
	for _, p := range mn.Pairs {
		pair := p.(*ast.PairNode)
		k, ok1 := pair.Key.(*ast.StringNode)
		v, ok2 := pair.Value.(*ast.StringNode)
		if !ok1 || !ok2 {
			return nil, false
		}
		out[k.Value] = v.Value
	}
	return out, true
}

// lookupConstMap indexes a constant map literal built once, e.g. {PAID: "paid"}[status].
func lookupConstMap(m map[string]any, key evalFn) evalFn {
	return func(mc *machine, env any) (any, error) {
		k, err := key(mc, env)
		if err != nil {
			return nil, err
		}
		s, ok := k.(string)
		if !ok {
			return opGet(m, k)
		}
		return m[s], nil
	}
}

func (c *compiler) conditional(x *ast.ConditionalNode) (evalFn, bool) {
	fns, ok := c.nodes([]ast.Node{x.Cond, x.Exp1, x.Exp2})
	if !ok {
		return nil, false
	}
	cond, yes, no := fns[0], fns[1], fns[2]
	return func(m *machine, env any) (any, error) {
		b, err := boolOf(cond, m, env, "?:")
		if err != nil {
			return nil, err
		}
		if b {
			return yes(m, env)
		}
		return no(m, env)
	}, true
}

func boolOf(fn evalFn, m *machine, env any, op string) (bool, error) {
	v, err := fn(m, env)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("non-bool %s used in %s", Show(v), op)
	}
	return b, nil
}

func (c *compiler) binary(x *ast.BinaryNode) (evalFn, bool) {
	fns, ok := c.nodes([]ast.Node{x.Left, x.Right})
	if !ok {
		return nil, false
	}
	l, r := fns[0], fns[1]
	switch x.Operator {
	case "??":
		return func(m *machine, env any) (any, error) {
			v, err := l(m, env)
			if err != nil || v != nil {
				return v, err
			}
			return r(m, env)
		}, true
	case "and", "&&":
		return logic(l, r, false, x.Operator), true
	case "or", "||":
		return logic(l, r, true, x.Operator), true
	case "in":
		if elems, ok := constList(x.Right); ok {
			// a literal list of constants, built and boxed once: in only reads it
			var list any = elems
			return func(m *machine, env any) (any, error) {
				a, err := l(m, env)
				if err != nil {
					return nil, err
				}
				return in(a, list)
			}, true
		}
		return func(m *machine, env any) (any, error) {
			a, err := l(m, env)
			if err != nil {
				return nil, err
			}
			b, err := r(m, env)
			if err != nil {
				return nil, err
			}
			return in(a, b)
		}, true
	}
	return nil, false
}

// constList returns the elements of a list literal of constants.
func constList(n ast.Node) ([]any, bool) {
	an, ok := n.(*ast.ArrayNode)
	if !ok {
		return nil, false
	}
	out := make([]any, len(an.Nodes))
	for i, e := range an.Nodes {
		switch c := e.(type) {
		case *ast.StringNode:
			out[i] = c.Value
		case *ast.IntegerNode:
			out[i] = c.Value
		case *ast.BoolNode:
			out[i] = c.Value
		case *ast.NilNode:
			out[i] = nil
		case *ast.ConstantNode:
			out[i] = c.Value
		default:
			return nil, false
		}
	}
	return out, true
}

// logic is "and" (short on false) and "or" (short on true).
func logic(l, r evalFn, shortOn bool, op string) evalFn {
	return func(m *machine, env any) (any, error) {
		a, err := boolOf(l, m, env, op)
		if err != nil || a == shortOn {
			return a, err
		}
		return boolOf(r, m, env, op)
	}
}

func in(a, b any) (any, error) {
	switch x := b.(type) {
	case nil:
		return false, nil
	case []any:
		for _, e := range x {
			if equal(a, e) {
				return true, nil
			}
		}
		return false, nil
	case map[string]any:
		k, ok := a.(string)
		if !ok {
			return false, nil
		}
		_, found := x[k]
		return found, nil
	}
	return nil, fmt.Errorf("operator in not defined on %s", typeName(b))
}

func (c *compiler) unary(x *ast.UnaryNode) (evalFn, bool) {
	inner, ok := c.node(x.Node)
	if !ok || (x.Operator != "not" && x.Operator != "!") {
		return nil, false
	}
	return func(m *machine, env any) (any, error) {
		b, err := boolOf(inner, m, env, x.Operator)
		return !b, err
	}, true
}

func (c *compiler) array(x *ast.ArrayNode) (evalFn, bool) {
	fns, ok := c.nodes(x.Nodes)
	if !ok {
		return nil, false
	}
	return func(m *machine, env any) (any, error) {
		out := make([]any, len(fns))
		for i, fn := range fns {
			v, err := fn(m, env)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}, true
}

func (c *compiler) mapLiteral(x *ast.MapNode) (evalFn, bool) {
	keys := make([]evalFn, len(x.Pairs))
	vals := make([]evalFn, len(x.Pairs))
	for i, p := range x.Pairs {
		pair, ok := p.(*ast.PairNode)
		if !ok {
			return nil, false
		}
		k, ok1 := c.node(pair.Key)
		v, ok2 := c.node(pair.Value)
		if !ok1 || !ok2 {
			return nil, false
		}
		keys[i], vals[i] = k, v
	}
	return func(m *machine, env any) (any, error) {
		out := make(map[string]any, len(keys))
		for i := range keys {
			k, err := keys[i](m, env)
			if err != nil {
				return nil, err
			}
			v, err := vals[i](m, env)
			if err != nil {
				return nil, err
			}
			out[text(k)] = v
		}
		return out, nil
	}, true
}
