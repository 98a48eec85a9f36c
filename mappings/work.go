package mappings

import (
	"fmt"
	"reflect"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
)

// An expression's work for one record is bounded, so that a mapping or
// rule (a mistaken one, or an editor's on purpose) that would loop for
// hours fails its record instead of holding a worker: expr-lang counts the
// elements of the lists an evaluation makes (ranges, map, filter, list
// literals) against its memory budget, conf.DefaultMemoryBudget, a million;
// the elements that predicates (all, any, count, reduce, map, ...) go
// through count against the same budget, so count(lines, count(lines,
// count(lines, true) > 0) > 0) over 1,000 lines stops after a million
// steps instead of running a billion, and so do the texts that functions
// and "+" make, a unit for each textUnit bytes, so that a loop that makes
// a long text at every step stops after about 244 MB. An expression has at
// most maxNodes nodes (expr-lang's own default), so that its size bounds
// the steps it takes outside predicates.
var (
	workBudget = conf.DefaultMemoryBudget
	maxNodes   = conf.DefaultMaxNodes
)

// visitName is the builtin a predicate's list, and a function's result,
// is handed through: it counts the list's elements, or the text's length
// in textUnit, against the VM's memory budget.
const visitName = "_visit"

// textUnit is the bytes of text that count as one element: an evaluation
// makes at most about 244 MB of text.
const textUnit = countedText

func init() {
	builtin.Index[visitName] = len(builtin.Builtins)
	builtin.Builtins = append(builtin.Builtins, &builtin.Function{
		Name: visitName,
		Safe: visit,
		Validate: func(args []reflect.Type) (reflect.Type, error) {
			if len(args) != 1 {
				return nil, fmt.Errorf("%s takes one argument", visitName)
			}
			return args[0], nil
		},
	})
}

// visit returns its argument, a predicate's list or a function's result,
// and its size, which the VM adds to the evaluation's memory budget.
func visit(args ...any) (any, uint, error) {
	if len(args) != 1 {
		return nil, 0, fmt.Errorf("%s takes one argument", visitName)
	}
	return args[0], uint(sizeOf(args[0])), nil
}

// sizeOf is the number of elements of a list or an object, the length of
// a text in textUnit; 0 for anything else.
func sizeOf(v any) int {
	switch x := v.(type) {
	case string:
		return len(x) / textUnit
	case []any:
		return len(x)
	case []int:
		return len(x)
	case map[string]any:
		return len(x)
	case nil, bool, int:
		return 0
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return rv.Len()
	}
	return 0
}

// countVisits hands the list of every predicate of n (all, count, map,
// reduce, ...) through visitName; n was visited by the patcher, so its
// own list was too.
func countVisits(n *ast.BuiltinNode) {
	if len(n.Arguments) < 2 || !hasPredicate(n) {
		return
	}
	if b, ok := n.Arguments[0].(*ast.BuiltinNode); ok && b.Name == visitName {
		return
	}
	list := n.Arguments[0]
	counted := &ast.BuiltinNode{Name: visitName, Arguments: []ast.Node{list}}
	counted.SetLocation(list.Location())
	n.Arguments[0] = counted
}

// countResult hands the result of node, a call, through visitName when
// the function may make a text or a list (the library's functions and
// "+"), for the VM's budget.
func countResult(node ast.Node) ast.Node {
	c, ok := node.(*ast.CallNode)
	if !ok {
		return node
	}
	id, ok := c.Callee.(*ast.IdentifierNode)
	if !ok || !makesValues(id.Value) {
		return node
	}
	counted := &ast.BuiltinNode{Name: visitName, Arguments: []ast.Node{node}}
	counted.SetLocation(node.Location())
	return counted
}

// makesValues reports whether the function name may make a long text or
// a list.
func makesValues(name string) bool {
	if _, ok := registry[name]; ok {
		return true
	}
	_, ok := guardedBuiltins[name]
	return ok || name == "_add"
}

// hasPredicate reports whether one of n's arguments is a predicate.
func hasPredicate(n *ast.BuiltinNode) bool {
	for _, a := range n.Arguments[1:] {
		if _, ok := a.(*ast.PredicateNode); ok {
			return true
		}
	}
	return false
}

// checkRange refuses, when a flow is saved, a range of literal bounds
// with more elements than an evaluation may make: 1..1000000000 would
// fail every record it ran for.
func (p *patcher) checkRange(n *ast.BinaryNode) {
	if n.Operator != ".." || !p.limits || p.err != nil {
		return
	}
	from, ok1 := n.Left.(*ast.IntegerNode)
	to, ok2 := n.Right.(*ast.IntegerNode)
	if !ok1 || !ok2 || to.Value < from.Value || uint64(to.Value-from.Value) < uint64(workBudget)-1 {
		return
	}
	p.err = &file.Error{Location: n.Location(), Message: fmt.Sprintf("the range %d..%d has more elements than "+
		"the %d an expression may make or go through for one record", from.Value, to.Value, workBudget)}
}
