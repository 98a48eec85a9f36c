package mappings

import (
	"errors"
	"fmt"
	"sync"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// program is one compiled expression.
type program struct {
	src     string
	prog    *vm.Program
	path    []any // set when src is a plain path (see fastpath.go)
	isConst bool  // src is a literal: konst
	konst   any
}

var baseOptions = sync.OnceValue(func() []expr.Option {
	opts := []expr.Option{
		expr.Env(map[string]any{}),
		expr.AllowUndefinedVariables(),
	}
	for name, fn := range opFuncs {
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
	opts []expr.Option
}

func newCompiler(tables Tables) *compiler {
	opts := append([]expr.Option(nil), baseOptions()...)
	for _, f := range registry {
		if f.withEnv != nil {
			opts = append(opts, f.option(tables))
		}
	}
	return &compiler{opts: opts}
}

// compile compiles src; the error is an expr *file.Error with the position.
func (c *compiler) compile(src string) (p *program, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = recovered(r)
		}
	}()
	pt := &patcher{src: []rune(src)}
	opts := append(c.opts[:len(c.opts):len(c.opts)], expr.Patch(pt))
	prog, err := expr.Compile(src, opts...)
	if pt.err != nil {
		return nil, pt.err.Bind(file.NewSource(src))
	}
	if err != nil {
		return nil, err
	}
	p = &program{src: src, prog: prog}
	p.path, _ = fastPath(src)
	p.konst, p.isConst = fastConst(src)
	return p, nil
}

var vms = sync.Pool{New: func() any { return new(vm.VM) }}

// eval runs the program against env. It never panics.
func (p *program) eval(machine *vm.VM, env any) (out any, err error) {
	if p.isConst {
		return p.konst, nil
	}
	if p.path != nil {
		if v, ok := walkPath(env, p.path); ok {
			return v, nil
		}
	}
	return p.run(machine, env)
}

func (p *program) run(machine *vm.VM, env any) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, recovered(r)
		}
	}()
	return machine.Run(p.prog, env)
}

// evalBool runs a condition; anything but a bool is an error.
func (p *program) evalBool(machine *vm.VM, env any) (bool, error) {
	v, err := p.eval(machine, env)
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

func newVM() *vm.VM { return new(vm.VM) }
