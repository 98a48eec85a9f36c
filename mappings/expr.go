package mappings

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// program is one compiled expression.
type program struct {
	src     string
	prog    *vm.Program
	path    []any // set when src is a plain path (see fastpath.go)
	isConst bool  // src is a literal: konst
	konst   any
	fn      evalFn // the expression as Go closures, when every node is supported (closure.go)
	// env: the expression names $env or parent, so its result may hold the
	// scope object of an each; such scopes are not reused (see runner.scope).
	env bool
	// reads are the names of the record's fields the expression reads at
	// its top level, to say which the record lacks when it fails.
	reads []string
}

var baseOptions = sync.OnceValue(func() []expr.Option {
	opts := []expr.Option{
		expr.Env(map[string]any{}),
		expr.AllowUndefinedVariables(),
		expr.MaxNodes(maxNodes),
	}
	for name, fn := range opFuncs {
		opts = append(opts, expr.Function(name, fn))
	}
	for name, fn := range guardedBuiltins {
		opts = append(opts, expr.Function(name, fn))
	}
	for _, f := range registry {
		if f.withEnv == nil {
			opts = append(opts, f.option(nil))
		}
	}
	return opts
})

// compiler compiles expressions with the library bound to one flow's tables.
type compiler struct {
	opts   []expr.Option
	tables Tables
	// model: the names that rules and write mappings read are checked
	// against the canonical model (Check, RuleErrors: when a flow is
	// saved); a flow saved before the check runs as it did (Compile).
	model bool
	// fixed checks the literal values of the mapping in against the
	// fields they set (with model; nil: not checked).
	fixed *modelNames
	// zone is the business time zone, an IANA name (to_business_zone);
	// empty: none, times stay in the zone they were read in.
	zone string
}

// newCompiler makes a compiler for a flow with tables, whose business time
// zone is zone (empty: none).
func newCompiler(tables Tables, zone string) *compiler {
	c := &compiler{tables: tables, zone: zone}
	c.opts = append([]expr.Option(nil), baseOptions()...)
	for _, f := range registry {
		if f.withEnv != nil {
			c.opts = append(c.opts, f.option(c))
		}
	}
	return c
}

// machine is the per-goroutine state expressions run with.
type machine struct {
	vm   *vm.VM
	args []any               // argument buffer for fast calls
	ptrs []frame             // the elements of the predicates being run, innermost last
	decs [16]decimal.Decimal // scratch for unboxed decimal arguments (see decArg)
	ndec int                 // decs in use
	// made counts the elements the closures of one evaluation made, against
	// the VM's memory budget (see predicate).
	made uint
}

// frame is the element # and its #index in a predicate.
type frame struct {
	item  any
	index int
}

func newMachine() *machine { return &machine{vm: new(vm.VM), args: make([]any, 0, 8)} }

// compile compiles src; the error is an expr *file.Error with the position.
func (c *compiler) compile(src string) (p *program, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = recovered(r)
		}
	}()
	pt := &patcher{src: []rune(src), tables: c.tables, visits: true, limits: c.model}
	if pt.tables == nil {
		pt.tables = Tables{} // every literal table name is checked
	}
	opts := append(c.opts[:len(c.opts):len(c.opts)], expr.Patch(pt))
	prog, err := expr.Compile(src, opts...)
	if pt.err != nil {
		return nil, pt.err.Bind(file.NewSource(src))
	}
	if err != nil {
		return nil, err
	}
	p = &program{src: src, prog: prog}
	p.env, p.reads = namesIn(src)
	p.path, _ = fastPath(src)
	p.konst, p.isConst = fastConst(src)
	p.fn = c.closure(src)
	return p, nil
}

// namesIn reads what src names: whether it uses the identifier $env or
// parent (also when it does not parse, to be safe), and the names it reads
// from its environment, its identifiers less the functions it calls and
// the names of a scope.
func namesIn(src string) (scope bool, reads []string) {
	tree, err := parser.Parse(src)
	if err != nil {
		return true, nil
	}
	v := &nameFinder{called: map[string]bool{}}
	ast.Walk(&tree.Node, v)
	for _, name := range v.names {
		scope = scope || name == "$env" || name == "parent"
		if !v.called[name] && !slices.Contains(reads, name) && !slices.Contains(scopeNames, name) {
			reads = append(reads, name)
		}
	}
	return scope, reads
}

// scopeNames are the names an expression is given besides the record's.
var scopeNames = []string{"$env", "item", "index", "parent", "root"}

// nameFinder collects an expression's identifiers, and which of them it
// calls.
type nameFinder struct {
	names  []string
	called map[string]bool
}

func (v *nameFinder) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		v.names = append(v.names, n.Value)
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok {
			v.called[id.Value] = true
		}
	}
}

// eval runs the program against env. It never panics.
func (p *program) eval(m *machine, env any) (out any, err error) {
	switch {
	case p.isConst:
		return p.konst, nil
	case p.path != nil:
		if v, ok := walkPath(env, p.path); ok {
			return v, nil
		}
	case p.fn != nil:
		return p.runClosure(m, env)
	}
	return p.run(m, env)
}

func (p *program) runClosure(m *machine, env any) (out any, err error) {
	base, ptrs, decs := len(m.args), len(m.ptrs), m.ndec
	m.made = 0
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, recovered(r)
		}
		clear(m.args[base:])
		m.args = m.args[:base]
		clear(m.ptrs[ptrs:])
		m.ptrs = m.ptrs[:ptrs]
		m.ndec = decs
	}()
	out, err = p.fn(m, env)
	if err == errUseVM {
		return p.run(m, env)
	}
	return out, err
}

func (p *program) run(m *machine, env any) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, recovered(r)
		}
	}()
	return m.vm.Run(p.prog, env)
}

// evalBool runs a condition; anything but a bool is an error.
func (p *program) evalBool(m *machine, env any) (bool, error) {
	v, err := p.eval(m, env)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok && v != nil {
		return false, fmt.Errorf("condition gave %s, want true or false", Show(v))
	}
	return b, nil
}

// errNotList is the cause when an each expression is not a list.
var errNotList = errors.New("each must give a list")
