package mappings

import (
	"strings"
	"testing"
)

// TestNoNaNOrInfinityReachesARecord: an expression that makes a float NaN
// or an infinity (float(-8) ** float(\"0.5\"), 2 ** 2000) fails its record naming the
// field, in every stage, instead of handing the target's writer a value no
// JSON, CSV or XML file can hold.
func TestNoNaNOrInfinityReachesARecord(t *testing.T) {
	product := map[string]any{"sku": "A1", "name": "Chair"}
	in := []Field{{Target: "sku", Expr: "sku"}, {Target: "name", Expr: "name"}}
	cases := []struct {
		name  string
		cfg   FlowConfig
		field string // the field the error names; "" when the record maps
	}{
		{"out NaN", FlowConfig{Out: outOf(Field{Target: "price", Expr: `float(-8) ** float("0.5")`})}, "price"},
		{"out infinity", FlowConfig{Out: outOf(Field{Target: "price", Expr: `2 ** 2000`})}, "price"},
		{"out minus infinity", FlowConfig{Out: outOf(Field{Target: "price", Expr: `float(-2) ** 2001`})}, "price"},
		{"out NaN in a list", FlowConfig{Out: outOf(Field{Target: "tiers", Expr: `[{"qty": 1, "price": float(-8) ** float("0.5")}]`})}, "tiers"},
		{"out NaN in an object", FlowConfig{Out: outOf(Field{Target: "meta", Expr: `{"a": [2 ** 2000]}`})}, "meta"},
		{"out NaN in an each", FlowConfig{Out: outOf(Field{Target: "tiers", Each: `[1]`, Fields: []Field{{Target: "price", Expr: `float(-8) ** float("0.5")`}}})}, "tiers[0].price"},
		{"in attribute", FlowConfig{In: &Mapping{Entity: "product", Direction: In, Fields: append(in[:2:2], Field{Target: "attributes.ratio", Expr: `float(-8) ** float("0.5")`})}}, "attributes.ratio"},
		{"rule on an attribute", FlowConfig{Rules: []Rule{{Kind: RuleExpr, Field: "attributes.ratio", Expr: `2 ** 2000`}}}, "attributes.ratio"},
		{"a finite float", FlowConfig{Out: outOf(Field{Target: "price", Expr: `2 ** 3`})}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Entity = "product"
			p, err := Compile(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Run(product)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("run: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "field "+tc.field+":") || !strings.Contains(err.Error(), "not a finite number") {
				t.Fatalf("run: %v; want an error naming field %s and saying it is not a finite number", err, tc.field)
			}
		})
	}
}

func outOf(f Field) *Mapping {
	return &Mapping{Entity: "product", Direction: Out, Fields: []Field{{Target: "sku", Expr: "sku"}, f}}
}
