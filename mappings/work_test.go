package mappings

import (
	"errors"
	"strings"
	"testing"
)

// TestExpressionsCannotRunForHours: an expression whose loops would take
// hours for one record (predicates nested over a list of the record, a
// long text made at every step) stops at the evaluation's budget with an
// error that says so, on the VM and as closures alike.
func TestExpressionsCannotRunForHours(t *testing.T) {
	l := make([]any, 200)
	for i := range l {
		l[i] = i
	}
	env := map[string]any{"l": l}
	for _, src := range []string{
		`count(l, count(l, count(l, true) > 0) > 0)`,
		`all(l, all(l, all(l, # >= 0)))`,
		`reduce(l, #acc + reduce(l, #acc + count(l, true), 0), 0)`,
		`len(filter(l, len(filter(l, len(filter(l, false)) > 0)) > 0))`,
		`count(1..999, len(upper(repeat("a", 400000))) > 0)`,
		`len(map(l, len(map(l, repeat("x", 100000)))))`,
	} {
		t.Run(src, func(t *testing.T) {
			got, err := evalExpr(t, src, env)
			if err == nil || !strings.Contains(err.Error(), budgetExceeded) {
				t.Fatalf("= %.40v, %v; want the budget's error", Show(got), err)
			}
		})
	}
}

// TestOverBudgetNamesTheField: a record whose expression goes over its
// budget fails with an error that names the record, the field and what
// the expression did; the next record is mapped.
func TestOverBudgetNamesTheField(t *testing.T) {
	p, err := Compile(FlowConfig{Entity: "stock", In: stockIn(
		Field{Target: "sku", Expr: "code"},
		Field{Target: "quantity", Expr: "count(bins, count(bins, count(bins, true) > 0) > 0)"},
	)})
	if err != nil {
		t.Fatal(err)
	}
	bins := make([]any, 200)
	_, err = p.Run(map[string]any{"code": "A1", "bins": bins})
	var es Errors
	if !errors.As(err, &es) || len(es) != 1 || es[0].Field != "quantity" || es[0].Record != "A1" ||
		!strings.Contains(es[0].Error(), "more than 1000000 list elements") {
		t.Fatalf("Run = %v; want one error of record A1, field quantity, over the budget", err)
	}
	res, err := p.Run(map[string]any{"code": "A2", "bins": bins[:3]})
	if err != nil || res.Canonical["quantity"] == nil {
		t.Fatalf("the next record: %v, %v", res.Canonical, err)
	}
}

// TestSavedExpressionsWithinTheLimits: what would fail every record is
// refused when the flow is saved, naming the field: a range of more
// elements than the budget, an expression of more nodes than the limit.
// A flow saved before still compiles, and fails its records at run time.
func TestSavedExpressionsWithinTheLimits(t *testing.T) {
	huge := strings.Repeat("1 + ", 12000) + "1"
	for _, tc := range []struct{ expr, want string }{
		{`len(map(1..1000000000, #))`, "the range 1..1000000000 has more elements than the 1000000"},
		{`count(0..999999, # > 0)`, "the range 0..999999 has more elements"},
		{huge, "exceeds maximum allowed nodes"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			cfg := FlowConfig{Entity: "stock", In: stockIn(Field{Target: "sku", Expr: "code"}, Field{Target: "quantity", Expr: tc.expr})}
			_, err := Check(cfg)
			if err == nil || !strings.Contains(err.Error(), "field quantity") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check = %v; want field quantity: %s", err, tc.want)
			}
		})
	}
	for _, ok := range []string{`count(1..999998, # > 0)`, `count(5..1, true)`} {
		cfg := FlowConfig{Entity: "stock", In: stockIn(Field{Target: "sku", Expr: "code"}, Field{Target: "quantity", Expr: ok})}
		if _, err := Check(cfg); err != nil {
			t.Fatalf("%s refused: %v", ok, err)
		}
	}
	cfg := FlowConfig{Entity: "stock", In: stockIn(Field{Target: "sku", Expr: "code"}, Field{Target: "quantity", Expr: `len(map(1..1000000000, #))`})}
	p, err := Compile(cfg)
	if err != nil {
		t.Fatalf("a flow saved before the check no longer compiles: %v", err)
	}
	if _, err := p.Run(map[string]any{"code": "A1"}); err == nil || !strings.Contains(err.Error(), budgetExceeded) {
		t.Fatalf("Run = %v; want the budget's error", err)
	}
}
