package mappings

import (
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// Most mapping fields are plain paths ("billingAddress.city", "item.sku") or
// constants. They are evaluated without the VM: no allocation, a few map
// lookups. The semantics are those of the patched expression: nil-safe, and
// nil for an index out of range.

// fastPath returns the steps of src when it is a plain path: an identifier
// followed by .name, ["name"] or [integer] members.
func fastPath(src string) ([]any, bool) {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil, false
	}
	return pathOf(tree.Node)
}

// pathOf returns the steps of a plain path node.
func pathOf(node ast.Node) ([]any, bool) {
	var steps []any
	for {
		switch n := node.(type) {
		case *ast.IdentifierNode:
			if n.Value == "" || n.Value[0] == '$' {
				return nil, false
			}
			return append([]any{n.Value}, steps...), true
		case *ast.MemberNode:
			if n.Method {
				return nil, false
			}
			key, ok := constKey(n.Property)
			if !ok {
				return nil, false
			}
			steps = append([]any{key}, steps...)
			node = n.Node
		default:
			return nil, false
		}
	}
}

// constKey returns the key of a constant member property.
func constKey(n ast.Node) (any, bool) {
	switch p := n.(type) {
	case *ast.StringNode:
		return p.Value, true
	case *ast.IntegerNode:
		return p.Value, true
	}
	return nil, false
}

// fastConst returns the value of src when it is a string, integer, boolean or nil literal.
func fastConst(src string) (any, bool) {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil, false
	}
	switch n := tree.Node.(type) {
	case *ast.StringNode:
		return n.Value, true
	case *ast.IntegerNode:
		return n.Value, true
	case *ast.BoolNode:
		return n.Value, true
	case *ast.NilNode:
		return nil, true
	}
	return nil, false
}

// walkPath follows steps from env; the bool is false when a step meets a
// value that needs the VM (a Go struct, say).
func walkPath(env any, steps []any) (any, bool) {
	cur := env
	for _, s := range steps {
		switch x := cur.(type) {
		case nil:
			return nil, true
		case map[string]any:
			k, ok := s.(string)
			if !ok {
				return nil, false
			}
			cur = x[k]
		case []any:
			i, ok := s.(int)
			if !ok {
				return nil, false
			}
			if i < 0 {
				i += len(x)
			}
			if i < 0 || i >= len(x) {
				return nil, true
			}
			cur = x[i]
		default:
			return nil, false
		}
	}
	return cur, true
}
