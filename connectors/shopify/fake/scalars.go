package fake

import (
	"fmt"
	"regexp"

	"github.com/vektah/gqlparser/v2/ast"
)

// decimal is the form of the schema's Money and Decimal scalars: "a
// monetary value string without a currency symbol or code", "29.99".
var decimal = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// decimalScalars checks the Money and Decimal values of an operation's
// variables, which the validator takes as any text: Shopify refuses one
// that is no decimal number, empty text too (null is how a field is
// cleared).
func decimalScalars(schema *ast.Schema, op *ast.OperationDefinition, vars map[string]any) error {
	for _, def := range op.VariableDefinitions {
		if err := checkDecimals(schema, def.Type, vars[def.Variable], "$"+def.Variable); err != nil {
			return err
		}
	}
	return nil
}

func checkDecimals(schema *ast.Schema, typ *ast.Type, v any, path string) error {
	if v == nil || typ == nil {
		return nil
	}
	if typ.Elem != nil {
		list, _ := v.([]any)
		for i, e := range list {
			if err := checkDecimals(schema, typ.Elem, e, fmt.Sprintf("%s.%d", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	switch def := schema.Types[typ.NamedType]; {
	case def == nil:
		return nil
	case def.Name == "Money" || def.Name == "Decimal":
		if s, ok := v.(string); !ok || !decimal.MatchString(s) {
			return fmt.Errorf("Variable %s of type %s was provided invalid value %q: not a decimal number", path, def.Name, fmt.Sprint(v))
		}
	case def.Kind == ast.InputObject:
		m, _ := v.(map[string]any)
		for _, f := range def.Fields {
			if err := checkDecimals(schema, f.Type, m[f.Name], path+"."+f.Name); err != nil {
				return err
			}
		}
	}
	return nil
}
