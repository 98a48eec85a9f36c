package mappings

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/file"
	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// patcher rewrites a parsed expression before it is checked and compiled:
//   - float literals become exact decimal constants (1.10 is 1.10, not 1.1000000000000000888);
//   - arithmetic and comparison operators become calls to the decimal-aware _add, _lt, ...;
//   - member access a.b and a[i] becomes _get(a, "b"), which is nil-safe (as
//     if every "." were "?."), gives nil for an index out of range, and reads
//     map[string]any and []any without reflection.
//   - a call of an unknown function is an error (undefined variables are
//     allowed, so expr would otherwise accept a misspelt function name);
//   - with tables set, lookup("name", ...) of a table the flow does not have is an error.
//   - the list of every predicate (all, count, map, ...) is handed through
//     visitName, which counts its elements against the VM's budget (work.go);
//   - with limits, a range of literal bounds over the budget is an error.
type patcher struct {
	src    []rune // the source, to read float literals exactly as written
	tables Tables // the flow's tables, to check lookup's table names; nil: no check
	err    *file.Error
	// visits: the expression is compiled for the VM, whose predicates
	// count the elements they go through (the closures count their own).
	visits bool
	// limits: the flow is being saved, and what would fail every record
	// is refused (checkRange).
	limits bool
}

// Visit implements ast.Visitor.
func (p *patcher) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.CallNode:
		p.checkCallee(n)
		p.checkTable(n)
		if p.visits {
			*node = countResult(n)
		}
	case *ast.FloatNode:
		replace(node, p.floatConst(n))
	case *ast.BuiltinNode:
		if p.visits {
			countVisits(n)
		}
	case *ast.BinaryNode:
		p.checkRange(n)
		if fn, ok := binaryOps[n.Operator]; ok {
			replace(node, call(fn, n.Left, n.Right))
			if p.visits {
				*node = countResult(*node)
			}
		}
	case *ast.UnaryNode:
		if n.Operator == "-" {
			replace(node, call("_neg", n.Node))
		}
	case *ast.MemberNode:
		if !n.Method {
			replace(node, call("_get", n.Node, n.Property))
		}
	}
}

func (p *patcher) checkCallee(n *ast.CallNode) {
	id, ok := n.Callee.(*ast.IdentifierNode)
	if !ok || p.err != nil || isFunction(id.Value) {
		return
	}
	p.err = &file.Error{Location: n.Location(), Message: fmt.Sprintf("unknown function %s", id.Value)}
}

// checkTable refuses lookup("name", ...) when the flow has no table name.
// A table name that is not a literal is checked when the lookup runs.
func (p *patcher) checkTable(n *ast.CallNode) {
	id, ok := n.Callee.(*ast.IdentifierNode)
	if !ok || id.Value != "lookup" || p.tables == nil || p.err != nil || len(n.Arguments) == 0 {
		return
	}
	name, ok := n.Arguments[0].(*ast.StringNode)
	if !ok {
		return
	}
	if _, ok := p.tables[name.Value]; ok {
		return
	}
	have := "the flow has no tables"
	if len(p.tables) > 0 {
		names := make([]string, 0, len(p.tables))
		for k := range p.tables {
			names = append(names, strconv.Quote(k))
		}
		sort.Strings(names)
		have = "the flow's tables are " + strings.Join(names, ", ")
	}
	p.err = &file.Error{Location: name.Location(), Message: fmt.Sprintf("lookup: no table %q (%s)", name.Value, have)}
}

func isFunction(name string) bool {
	if _, ok := registry[name]; ok {
		return true
	}
	if _, ok := opFuncs[name]; ok {
		return true
	}
	_, ok := builtin.Index[name]
	return ok
}

func replace(node *ast.Node, with ast.Node) {
	with.SetLocation((*node).Location())
	*node = with
}

func call(fn string, args ...ast.Node) ast.Node {
	return &ast.CallNode{Callee: &ast.IdentifierNode{Value: fn}, Arguments: args}
}

// floatConst keeps the literal's digits: 1.10 stays 1.10 (scale 2).
func (p *patcher) floatConst(n *ast.FloatNode) ast.Node {
	loc := n.Location()
	if loc.From >= 0 && loc.From < loc.To && loc.To <= len(p.src) {
		if d, err := decimal.Parse(string(p.src[loc.From:loc.To])); err == nil && d.Float64() == n.Value {
			return &ast.ConstantNode{Value: d}
		}
	}
	d, err := decimal.FromFloat(n.Value)
	if err != nil {
		return n
	}
	return &ast.ConstantNode{Value: d}
}
