package fake

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// MaxQueryCost is the most a single query may cost, as Shopify allows.
const MaxQueryCost = 1000

// mutationCost is what a mutation costs besides what it selects.
const mutationCost = 10

// Cost is the requested cost of an operation, by Shopify's published
// calculation: a scalar or enum field costs nothing, an object one point,
// a connection two points plus its first argument times what one node
// selects, and a mutation ten points more.
func Cost(schema *ast.Schema, op *ast.OperationDefinition, vars map[string]any) int {
	c := (&exec{schema: schema, vars: vars}).selectionCost(op.SelectionSet)
	if op.Operation == ast.Mutation {
		c += mutationCost
	}
	return c
}

func (e *exec) selectionCost(sel ast.SelectionSet) int {
	total := 0
	for _, s := range sel {
		switch x := s.(type) {
		case *ast.Field:
			total += e.fieldCost(x)
		case *ast.InlineFragment:
			total += e.selectionCost(x.SelectionSet)
		case *ast.FragmentSpread:
			if x.Definition != nil {
				total += e.selectionCost(x.Definition.SelectionSet)
			}
		}
	}
	return total
}

func (e *exec) fieldCost(f *ast.Field) int {
	if f.Definition == nil || f.Name == "__typename" {
		return 0
	}
	def := e.schema.Types[f.Definition.Type.Name()]
	if def == nil || def.Kind == ast.Scalar || def.Kind == ast.Enum {
		return 0
	}
	if !strings.HasSuffix(def.Name, "Connection") {
		return 1 + e.selectionCost(f.SelectionSet)
	}
	n, ok := intArg(f.ArgumentMap(e.vars), "first")
	if !ok {
		n = 1
	}
	node := 0 // what one node costs: its selection, pageInfo aside
	for _, s := range f.SelectionSet {
		if x, ok := s.(*ast.Field); !ok || x.Name != "pageInfo" {
			node += e.selectionCost(ast.SelectionSet{s})
		}
	}
	return 2 + n*node
}
