package mappings

import "testing"

// TestTextFunctionsKeepNil: a text function given a field the record lacks
// gives nil, so that a write mapping such as upper(code) leaves the
// target's value alone instead of writing "" over it.
func TestTextFunctionsKeepNil(t *testing.T) {
	c := newCompiler(nil, "")
	for _, e := range []string{
		`lower(missing)`, `upper(missing)`, `title(missing)`, `slug(missing)`,
		`trim(missing)`, `trim(missing, "-")`, `truncate(missing, 10)`,
		`substr(missing, 0, 2)`, `replace(missing, " ", "")`,
		`pad_left(missing, 6, "0")`, `pad_right(missing, 6)`,
		`first_name(missing)`, `last_name(missing)`,
	} {
		t.Run(e, func(t *testing.T) {
			p, err := c.compile(e)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			got, err := p.eval(newMachine(), map[string]any{})
			if err != nil || got != nil {
				t.Errorf("got %s, %v; want nil", Show(got), err)
			}
		})
	}
}

// TestOutMappingLeavesMissingTextUnset: an out mapping's text function over
// a field the canonical record lacks writes nothing to the target.
func TestOutMappingLeavesMissingTextUnset(t *testing.T) {
	out := &Mapping{Entity: "product", Direction: Out, Fields: []Field{
		{Target: "sku", Expr: "sku"},
		{Target: "title", Expr: "truncate(name, 50)"},
		{Target: "body", Expr: "trim(description)"},
		{Target: "brand", Expr: "upper(brand)"},
	}}
	p, err := Compile(FlowConfig{Entity: "product", Out: out})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Run(map[string]any{"sku": "A1", "name": "Chair"})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"body", "brand"} {
		if v, ok := res.Output[k]; ok {
			t.Errorf("output has %s = %s; want it unset", k, Show(v))
		}
	}
	if res.Output["title"] != "Chair" {
		t.Errorf("title = %s", Show(res.Output["title"]))
	}
}
