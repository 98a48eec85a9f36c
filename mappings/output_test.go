package mappings

import (
	"reflect"
	"testing"

	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// TestOutputWithoutOutMapping: without an out mapping the target takes the
// normalised canonical record, and Result.Output is that record.
func TestOutputWithoutOutMapping(t *testing.T) {
	in := stockIn(Field{Target: "sku", Expr: "code"}, Field{Target: "quantity", Expr: "qty"}, Field{Target: "kind", Expr: "k"})
	rules := []Rule{{Kind: RuleFilter, When: `sku == "SKIP"`, Reason: "skipped"}}
	for _, cfg := range []FlowConfig{
		{Entity: "stock", In: in, Rules: rules},
		{Entity: "stock", Rules: rules}, // neither in nor out: the native record is canonical
	} {
		p, err := Compile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		native := map[string]any{"code": "A1", "qty": "12.50", "k": "available"}
		if cfg.In == nil {
			native = map[string]any{"sku": "A1", "quantity": "12.50", "kind": "available"}
		}
		res, err := p.Run(native)
		if err != nil {
			t.Fatal(err)
		}
		if res.Output == nil || reflect.ValueOf(res.Output).Pointer() != reflect.ValueOf(res.Canonical).Pointer() {
			t.Fatalf("in %v: Output %s is not the canonical record %s", cfg.In != nil, Show(res.Output), Show(res.Canonical))
		}
		if q, ok := res.Output["quantity"].(decimal.Decimal); !ok || q.String() != "12.50" || res.Output["sku"] != "A1" {
			t.Errorf("in %v: Output %s is not normalised", cfg.In != nil, Show(res.Output))
		}
		if cfg.In == nil && native["quantity"] != "12.50" {
			t.Errorf("the native record changed: %s", Show(native))
		}
		native["code"] = "SKIP"
		if cfg.In == nil {
			native = map[string]any{"sku": "SKIP", "quantity": "1"}
		}
		if res, err := p.Run(native); err != nil || !res.Skipped || res.Output != nil {
			t.Errorf("skipped record: Output %s, err %v", Show(res.Output), err)
		}
	}

	// The preview shows the same, as a copy of the record after rules.
	cfg := FlowConfig{Entity: "stock", In: in}
	pre := Preview(cfg, map[string]any{"code": "A1", "qty": "3", "k": "on_hand"})
	if len(pre.Errors) != 0 || Show(pre.Output) != Show(pre.AfterRules) || pre.Output["sku"] != "A1" {
		t.Errorf("preview output %s, after rules %s, errors %v", Show(pre.Output), Show(pre.AfterRules), pre.Errors)
	}
	if pre.Output != nil && reflect.ValueOf(pre.Output).Pointer() == reflect.ValueOf(pre.AfterRules).Pointer() {
		t.Error("preview output is the record after rules, not a copy")
	}
}
