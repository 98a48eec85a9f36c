package mappings

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/switchboard-app/switchboard/mappings/decimal"
)

func stockIn(fields ...Field) *Mapping {
	return &Mapping{Entity: "stock", Direction: In, Fields: fields}
}

func TestMerge(t *testing.T) {
	defaults := []Field{
		{Target: "number", Expr: "increment_id"},
		{Target: "customer.vat_id", Expr: "customer_taxvat"},
		{Target: "lines", Each: "items", Fields: []Field{{Target: "sku", Expr: "item.sku"}, {Target: "quantity", Expr: "item.qty"}}},
		{Target: "notes", Expr: "note"},
	}
	got, err := Merge(defaults, []Field{
		{Target: "customer.vat_id", Expr: "custom_attributes.vat_number"},
		{Target: "lines.quantity", Expr: "item.qty_ordered"},
		{Target: "lines.tax_rate", Expr: "item.tax_percent"},
		{Target: "notes", Drop: true},
		{Target: "channel", Expr: `"webshop"`},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `number=increment_id customer.vat_id=custom_attributes.vat_number lines[sku=item.sku quantity=item.qty_ordered tax_rate=item.tax_percent] channel="webshop"`
	if s := fieldsString(got); s != want {
		t.Errorf("merged:\n%s\nwant:\n%s", s, want)
	}
	if s := fieldsString(defaults); !strings.Contains(s, "quantity=item.qty]") || !strings.Contains(s, "notes=note") {
		t.Errorf("defaults changed: %s", s)
	}
	if _, err := Merge(defaults, []Field{{Target: "nope", Drop: true}}); err == nil {
		t.Error("dropping an unknown field succeeded")
	}
}

func fieldsString(fs []Field) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		if f.Each != "" {
			parts[i] = f.Target + "[" + fieldsString(f.Fields) + "]"
		} else {
			parts[i] = f.Target + "=" + f.Expr
		}
	}
	return strings.Join(parts, " ")
}

func TestParseMappingFile(t *testing.T) {
	tests := []struct{ name, in, err string }{
		{"ok", `{"entity":"stock","direction":"in","fields":[{"target":"sku","expr":"code"}]}`, ""},
		{"unknown key", `{"entity":"stock","direction":"in","fields":[],"extra":1}`, "unknown field"},
		{"bad entity", `{"entity":"nope","direction":"in","fields":[]}`, "unknown entity"},
		{"bad direction", `{"entity":"stock","direction":"up","fields":[]}`, "direction"},
		{"duplicate", `{"entity":"stock","direction":"in","fields":[{"target":"sku","expr":"a"},{"target":"sku","expr":"b"}]}`, "defined twice"},
		{"empty segment", `{"entity":"stock","direction":"in","fields":[{"target":"a..b","expr":"a"}]}`, "empty segment"},
		{"no expr", `{"entity":"stock","direction":"in","fields":[{"target":"sku"}]}`, "has no expr"},
		{"drop", `{"entity":"stock","direction":"in","fields":[{"target":"sku","drop":true}]}`, "only allowed in overrides"},
		{"trailing", `{"entity":"stock","direction":"in","fields":[]} {}`, "data after"},
	}
	for _, tt := range tests {
		_, err := ParseMappingFile([]byte(tt.in))
		if (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.err)
		}
	}
}

func TestEachNeedsList(t *testing.T) {
	_, err := Compile(FlowConfig{Entity: "stock", In: stockIn(Field{Target: "sku", Each: "items", Fields: []Field{{Target: "x", Expr: "1"}}})})
	if err == nil || !strings.Contains(err.Error(), "each needs a list field, sku is string") {
		t.Errorf("Compile = %v", err)
	}
}

func TestLoadDefaults(t *testing.T) {
	fsys := fstest.MapFS{
		"defaults/stock_in.json":  {Data: []byte(`{"entity":"stock","direction":"in","fields":[{"target":"sku","expr":"code"}]}`)},
		"defaults/stock_out.json": {Data: []byte(`{"entity":"stock","direction":"out","fields":[{"target":"code","expr":"sku"}]}`)},
	}
	ms, err := LoadDefaults(fsys, "defaults")
	if err != nil || len(ms) != 2 {
		t.Fatalf("LoadDefaults = %v, %v", ms, err)
	}
	if m := Find(ms, "stock", Out); m == nil || m.Fields[0].Target != "code" {
		t.Errorf("Find(stock, out) = %v", m)
	}
	fsys["defaults/bad.json"] = &fstest.MapFile{Data: []byte(`{`)}
	if _, err := LoadDefaults(fsys, "defaults"); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("bad file: %v", err)
	}
}

func TestRules(t *testing.T) {
	in := stockIn(Field{Target: "sku", Expr: "code"}, Field{Target: "quantity", Expr: "qty"}, Field{Target: "location", Expr: "wh"})
	tests := []struct {
		name  string
		rules []Rule
		rec   map[string]any
		want  string // Show of the canonical record, "skip: reason" or "error: text"
	}{
		{"default keeps a value", []Rule{{Kind: RuleDefault, Field: "location", Value: `"main"`}},
			map[string]any{"code": "A", "qty": "1", "wh": "north"}, `{location: "north", quantity: 1, sku: "A"}`},
		{"default fills", []Rule{{Kind: RuleDefault, Field: "location", Value: `"main"`}},
			map[string]any{"code": "A", "qty": "1"}, `{location: "main", quantity: 1, sku: "A"}`},
		{"forced default", []Rule{{Kind: RuleDefault, Field: "location", Value: `"main"`, Force: true}},
			map[string]any{"code": "A", "qty": "1", "wh": "north"}, `{location: "main", quantity: 1, sku: "A"}`},
		{"expr is exact", []Rule{{Kind: RuleExpr, Field: "quantity", Expr: "quantity * 1.10"}},
			map[string]any{"code": "A", "qty": "3"}, `{quantity: 3.30, sku: "A"}`},
		{"table with fallback", []Rule{{Kind: RuleTable, Field: "location", Map: map[string]string{"N": "north"}, Fallback: ptr("other")}},
			map[string]any{"code": "A", "qty": "1", "wh": "S"}, `{location: "other", quantity: 1, sku: "A"}`},
		{"table keeps unmatched", []Rule{{Kind: RuleTable, Field: "location", Map: map[string]string{"N": "north"}}},
			map[string]any{"code": "A", "qty": "1", "wh": "S"}, `{location: "S", quantity: 1, sku: "A"}`},
		// A table on a number field finds a value's entry whatever the
		// scale of either: 5.00 finds "5", 2 finds "2.0".
		{"table on a number", []Rule{{Kind: RuleTable, Field: "quantity", Map: map[string]string{"5": "6", "2.0": "3", "x": "9"}}},
			map[string]any{"code": "A", "qty": "5.00"}, `{quantity: 6, sku: "A"}`},
		{"table on a number, the key with decimals", []Rule{{Kind: RuleTable, Field: "quantity", Map: map[string]string{"5": "6", "2.0": "3"}}},
			map[string]any{"code": "A", "qty": "2"}, `{quantity: 3, sku: "A"}`},
		{"table on a number, the same text first", []Rule{{Kind: RuleTable, Field: "quantity", Map: map[string]string{"7": "1", "7.0": "2"}}},
			map[string]any{"code": "A", "qty": "7.0"}, `{quantity: 2, sku: "A"}`},
		{"table on a number, no entry", []Rule{{Kind: RuleTable, Field: "quantity", Map: map[string]string{"5": "6"}}},
			map[string]any{"code": "A", "qty": "5.01"}, `{quantity: 5.01, sku: "A"}`},
		{"first case wins", []Rule{{Kind: RuleConditional, Field: "kind", Cases: []Case{
			{When: "quantity > 10", Then: `"on_hand"`}, {When: "quantity > 0", Then: `"available"`}}, Else: `"reserved"`}},
			map[string]any{"code": "A", "qty": "5"}, `{kind: "available", quantity: 5, sku: "A"}`},
		{"else", []Rule{{Kind: RuleConditional, Field: "kind", Cases: []Case{{When: "quantity > 10", Then: `"on_hand"`}}, Else: `"reserved"`}},
			map[string]any{"code": "A", "qty": "5"}, `{kind: "reserved", quantity: 5, sku: "A"}`},
		{"rules see earlier rules", []Rule{
			{Kind: RuleExpr, Field: "quantity", Expr: "quantity * 2"},
			{Kind: RuleFilter, When: "quantity > 5", Reason: "too many"}},
			map[string]any{"code": "A", "qty": "3"}, "skip: too many"},
		{"when guards", []Rule{{Kind: RuleExpr, Field: "location", Expr: `"x"`, When: "sku == 'B'"}},
			map[string]any{"code": "A", "qty": "1"}, `{quantity: 1, sku: "A"}`},
		{"enum checked after rules", []Rule{{Kind: RuleExpr, Field: "kind", Expr: `"lost"`}},
			map[string]any{"code": "A", "qty": "1"}, `error: stock A: field kind: "lost" is not one of on_hand, available, reserved`},
		{"price: percent, rounded to a step", []Rule{{Kind: RulePrice, Field: "quantity", Percent: "10", RoundTo: "0.05"}},
			map[string]any{"code": "A", "qty": "12.34"}, `{quantity: 13.55, sku: "A"}`},
		{"price: down, not rounded", []Rule{{Kind: RulePrice, Field: "quantity", Percent: "-12.5"}},
			map[string]any{"code": "A", "qty": "8"}, `{quantity: 7.000, sku: "A"}`},
		{"price: only when", []Rule{{Kind: RulePrice, Field: "quantity", Percent: "100", When: "location == 'shop'"}},
			map[string]any{"code": "A", "qty": "2", "wh": "depot"}, `{location: "depot", quantity: 2, sku: "A"}`},
		{"a disabled rule does not run", []Rule{{Kind: RuleExpr, Field: "location", Expr: `"x"`, Disabled: true}},
			map[string]any{"code": "A", "qty": "1"}, `{quantity: 1, sku: "A"}`},
		{"condition must be boolean", []Rule{{Kind: RuleFilter, When: "sku", Reason: "x"}},
			map[string]any{"code": "A", "qty": "1"}, `error: stock A: rule 1 (filter): condition gave "A", want true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(FlowConfig{Entity: "stock", In: in, Rules: tt.rules})
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Run(tt.rec)
			got := Show(res.Canonical)
			switch {
			case err != nil:
				got = "error: " + err.Error()
			case res.Skipped:
				got = "skip: " + res.SkipReason
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestPriceRule: a price rule computes a field from another, and on each
// element of a list from the element's own field.
func TestPriceRule(t *testing.T) {
	for _, tc := range []struct {
		name   string
		entity string
		rule   Rule
		rec    map[string]any
		path   []string
		want   string
	}{
		{"list price from the cost", "product", Rule{Kind: RulePrice, Field: "prices.list", Base: "prices.cost", Percent: "10", RoundTo: "0.05"},
			map[string]any{"sku": "A", "name": "Chair", "prices": map[string]any{"cost": "12.34"}}, []string{"prices", "list"}, "13.55"},
		{"each line's price", "order", Rule{Kind: RulePrice, Field: "lines[].unit_price", Percent: "-10"},
			map[string]any{"number": "1", "currency": "EUR", "totals": map[string]any{"total": "20.00"},
				"lines": []any{map[string]any{"sku": "A", "quantity": "1", "unit_price": "20.00"}}},
			[]string{"lines", "0", "unit_price"}, "18.0000"},
		{"a marketplace's markup, rounded to cents", "product", Rule{Kind: RulePrice, Field: "prices.list", Percent: "20", RoundTo: "0.01"},
			map[string]any{"sku": "A", "name": "Chair", "prices": map[string]any{"list": "19.99"}}, []string{"prices", "list"}, "23.99"},
		// A step written as the percent may be, with a comma or a sign.
		{"a step with a decimal comma", "product", Rule{Kind: RulePrice, Field: "prices.list", Percent: "10", RoundTo: "0,05"},
			map[string]any{"sku": "A", "name": "Chair", "prices": map[string]any{"list": "12.34"}}, []string{"prices", "list"}, "13.55"},
		{"a step with a plus", "product", Rule{Kind: RulePrice, Field: "prices.list", Percent: "+10", RoundTo: "+0.05"},
			map[string]any{"sku": "A", "name": "Chair", "prices": map[string]any{"list": "12.34"}}, []string{"prices", "list"}, "13.55"},
		{"a step in exponent notation", "product", Rule{Kind: RulePrice, Field: "prices.list", Percent: "20", RoundTo: "1e-2"},
			map[string]any{"sku": "A", "name": "Chair", "prices": map[string]any{"list": "19.99"}}, []string{"prices", "list"}, "23.99"},
		{"all off", "product", Rule{Kind: RulePrice, Field: "prices.list", Percent: "-100"},
			map[string]any{"sku": "A", "name": "Chair", "prices": map[string]any{"list": "19.99"}}, []string{"prices", "list"}, "0.0000"},
		// A record without the base keeps the field as it is, instead of
		// failing on nil in arithmetic: a product without a sale price.
		{"no sale price", "product", Rule{Kind: RulePrice, Field: "prices.sale", Percent: "20"},
			map[string]any{"sku": "A", "name": "Chair", "prices": map[string]any{"list": "19.99"}}, []string{"prices", "sale"}, "nil"},
		{"no cost price", "product", Rule{Kind: RulePrice, Field: "prices.list", Base: "prices.cost", Percent: "10"},
			map[string]any{"sku": "A", "name": "Chair", "prices": map[string]any{"list": "19.99"}}, []string{"prices", "list"}, "19.99"},
		{"a line without a price", "order", Rule{Kind: RulePrice, Field: "lines[].unit_price", Percent: "-10"},
			map[string]any{"number": "1", "currency": "EUR", "totals": map[string]any{"total": "20.00"},
				"lines": []any{map[string]any{"sku": "A", "quantity": "1"}}},
			[]string{"lines", "0", "unit_price"}, "nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Preview(FlowConfig{Entity: tc.entity, Rules: []Rule{tc.rule}}, tc.rec)
			if len(res.Errors) > 0 {
				t.Fatal(res.Errors)
			}
			var v any = res.AfterRules
			for _, p := range tc.path {
				if m, ok := v.(map[string]any); ok {
					v = m[p]
				} else if l, ok := v.([]any); ok && p == "0" {
					v = l[0]
				}
			}
			if got := Show(v); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestRuleErrors: each rule's compile errors come by its position, a
// disabled rule's too, and a price rule's parts are checked.
func TestRuleErrors(t *testing.T) {
	rules := []Rule{
		{Kind: RuleExpr, Field: "quantity", Expr: "quantity * 2"},
		{Kind: RulePrice, Field: "quantity", Percent: "ten"},
		{Kind: RulePrice, Field: "quantity", Percent: "10", RoundTo: "-1"},
		{Kind: RulePrice, Field: "quantity", Percent: "10", Base: "quantity + 1"},
		{Kind: RuleExpr, Field: "quantity", Expr: "quantity *", Disabled: true},
		{Kind: RulePrice, Field: "quantity", Percent: "-150"},
	}
	got := RuleErrors("stock", rules, nil)
	want := map[int]string{
		1: `percent "ten" is not a number`,
		2: `round_to "-1" is not a positive number`,
		3: `base "quantity + 1" is not a field`,
		4: "unexpected token",
		5: `percent "-150" takes off more than the whole base`,
	}
	if len(got) != len(want) {
		t.Fatalf("errors at %v, want at 1 to 5", got)
	}
	for i, text := range want {
		if !strings.Contains(got[i].Error(), text) || !strings.Contains(got[i].Error(), fmt.Sprintf("rule %d", i+1)) {
			t.Errorf("rule %d: %v, want %q", i+1, got[i], text)
		}
	}
	if _, err := Compile(FlowConfig{Entity: "stock", Rules: rules[4:5]}); err == nil {
		t.Fatal("a disabled rule that does not compile was taken")
	}
}

func TestRunNeverPanics(t *testing.T) {
	p, err := Compile(FlowConfig{Entity: "stock", In: stockIn(
		Field{Target: "sku", Expr: "code.x.y[3]"},
		Field{Target: "quantity", Expr: "qty / 0"},
		Field{Target: "location", Expr: "wh()"},
	)})
	if err == nil {
		t.Fatal("calling a variable compiled")
	}
	p, err = Compile(FlowConfig{Entity: "stock", In: stockIn(
		Field{Target: "sku", Expr: "code.x.y[3]"},
		Field{Target: "quantity", Expr: "qty / 0"},
		Field{Target: "location", Expr: `upper(1..3)`},
	)})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range []map[string]any{nil, {}, {"code": 1, "qty": []any{}}, {"code": map[string]any{"x": "s"}, "qty": "1"}} {
		_, err := p.Run(rec)
		var es Errors
		if !errors.As(err, &es) {
			t.Errorf("Run(%v) = %v, want field errors", rec, err)
		}
	}
}

func TestRunConcurrent(t *testing.T) {
	p, err := Compile(FlowConfig{Entity: "stock", In: stockIn(Field{Target: "sku", Expr: "code"}, Field{Target: "quantity", Expr: "dec(qty) * 2"})})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				res, err := p.Run(map[string]any{"code": "A", "qty": i + g})
				want := decimal.FromInt(int64(2 * (i + g)))
				if err != nil || !res.Canonical["quantity"].(decimal.Decimal).Equal(want) {
					t.Errorf("Run = %v, %v", res.Canonical, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestPreview(t *testing.T) {
	cfg := FlowConfig{
		Entity: "stock",
		In:     stockIn(Field{Target: "sku", Expr: "code"}, Field{Target: "quantity", Expr: "qty"}, Field{Target: "location", Expr: "wh"}),
		Out:    &Mapping{Entity: "stock", Direction: Out, Fields: []Field{{Target: "Code", Expr: "sku"}, {Target: "Qty", Expr: "num(quantity)"}, {Target: "Bad", Expr: "quantity * 'x'"}}},
		Rules: []Rule{
			{Name: "warehouse codes", Kind: RuleTable, Field: "location", Map: map[string]string{"AMS": "Amsterdam"}},
			{Kind: RuleDefault, Field: "kind", Value: `"available"`},
		},
	}
	sample := map[string]any{"code": "A1", "qty": "abc", "wh": "AMS"}
	res := Preview(cfg, sample)
	if res.Key != "A1" || res.Canonical["location"] != "AMS" || res.AfterRules["location"] != "Amsterdam" {
		t.Errorf("stages: key %q, canonical %s, after rules %s", res.Key, Show(res.Canonical), Show(res.AfterRules))
	}
	if len(res.Rules) != 2 || !res.Rules[0].Applied || res.Rules[0].Before != "AMS" || res.Rules[1].After != "available" {
		t.Errorf("rule steps: %+v", res.Rules)
	}
	var stages []string
	for _, e := range res.Errors {
		stages = append(stages, e.Stage+": "+e.Error())
	}
	want := []string{
		`map in: stock A1: field quantity: cannot parse "abc" as decimal`,
		`validate: stock A1: field quantity: is required`,
		`map out: stock A1: field Bad: column 10: cannot use nil in arithmetic (use coalesce or ??)`,
	}
	if strings.Join(stages, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(stages, "\n"), strings.Join(want, "\n"))
	}
	if res.Output["Code"] != "A1" || sample["qty"] != "abc" {
		t.Errorf("output %s; sample changed: %v", Show(res.Output), sample)
	}
	if bad := Preview(FlowConfig{Entity: "stock", In: stockIn(Field{Target: "sku", Expr: "("})}, sample); len(bad.Errors) != 1 || bad.Errors[0].Stage != StageMapIn || bad.Errors[0].Record != "" {
		t.Errorf("compile error preview: %v", bad.Errors)
	}
}

// TestAFailedReadNamesTheFieldsTheRecordLacks: a read mapping's field that
// fails says which of the names it reads the source's record does not
// have (a supplier's renamed column), and says nothing more when it has
// them all.
func TestAFailedReadNamesTheFieldsTheRecordLacks(t *testing.T) {
	p, err := Compile(FlowConfig{Entity: "stock", In: stockIn(
		Field{Target: "sku", Expr: "Code"},
		Field{Target: "quantity", Expr: `dec(trim(Qty) + trim(Extra))`},
	)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		record map[string]any
		want   string
		absent string
	}{
		{"a renamed column", map[string]any{"Code": "A1", "Stock": "4"}, `(the record has no "Qty", "Extra")`, ""},
		{"one of two", map[string]any{"Code": "A1", "Qty": "x"}, `(the record has no "Extra")`, `"Qty"`},
		{"a bad value, every column there", map[string]any{"Code": "A1", "Qty": "x", "Extra": "y"}, "cannot parse", "the record has no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Run(tt.record)
			if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.absent != "" && strings.Contains(err.Error(), tt.absent)) {
				t.Fatalf("Run = %v, want an error with %q and without %q", err, tt.want, tt.absent)
			}
		})
	}
}

// TestTableRuleOnNumberText: a source without a read mapping (a CSV file,
// a webhook, a REST API) gives a number field as text; a table rule on it
// finds its entry whatever the scale, as it does for a mapped number.
func TestTableRuleOnNumberText(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{"21.00", `{prices: {tax_rate: 9}, sku: "A"}`},
		{"21", `{prices: {tax_rate: 9}, sku: "A"}`},
		{" 21.0 ", `{prices: {tax_rate: 9}, sku: "A"}`},
		{"6", `{prices: {tax_rate: 6}, sku: "A"}`},
	} {
		p, err := Compile(FlowConfig{Entity: "product", Rules: []Rule{{Kind: RuleTable, Field: "prices.tax_rate", Map: map[string]string{"21": "9"}}}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Run(map[string]any{"sku": "A", "name": "Chair", "prices": map[string]any{"tax_rate": tc.value}})
		if err != nil {
			t.Fatalf("%q: %v", tc.value, err)
		}
		delete(res.Canonical, "name")
		if got := Show(res.Canonical); got != tc.want {
			t.Errorf("tax rate %q: got %s, want %s", tc.value, got, tc.want)
		}
	}
}

// TestPreviewOfASkippedRecord: a record a filter skips is skipped by a run
// without an error, whatever it lacks; the preview says the same, without
// the validation errors the run never meets.
func TestPreviewOfASkippedRecord(t *testing.T) {
	cfg := FlowConfig{
		Entity: "stock",
		In:     stockIn(Field{Target: "sku", Expr: "code"}, Field{Target: "quantity", Expr: "qty"}),
		Rules:  []Rule{{Name: "no stock count", Kind: RuleFilter, When: "quantity == nil", Reason: "no stock count"}},
	}
	sample := map[string]any{"code": "A1"}
	p, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	run, err := p.Run(sample)
	if err != nil || !run.Skipped {
		t.Fatalf("run: skipped %v, error %v", run.Skipped, err)
	}
	res := Preview(cfg, sample)
	if !res.Skipped || res.SkipReason != "no stock count" || len(res.Errors) != 0 || res.Output != nil {
		t.Errorf("preview: skipped %v (%q), output %s, errors %v; want skipped as the run, without errors", res.Skipped, res.SkipReason, Show(res.Output), res.Errors)
	}
}

// TestKeyAfterRules: the key a run gives (which the engine looks the
// record up in the target by, and hands to its writer) is the key of the
// record as it is written: after the rules that change it (a table of
// SKUs, a prefix) and after normalisation (an e-mail address in lower
// case), not as it was read.
func TestKeyAfterRules(t *testing.T) {
	tests := []struct {
		name   string
		cfg    FlowConfig
		record map[string]any
		want   string
	}{
		{"a table of SKUs", FlowConfig{Entity: "stock", In: stockIn(Field{Target: "sku", Expr: "code"}, Field{Target: "quantity", Expr: "qty"}),
			Rules: []Rule{{Kind: RuleTable, Field: "sku", Map: map[string]string{"SUP-1": "OWN-1"}}}},
			map[string]any{"code": "SUP-1", "qty": "4"}, "OWN-1"},
		{"a prefix", FlowConfig{Entity: "stock", In: stockIn(Field{Target: "sku", Expr: "code"}, Field{Target: "quantity", Expr: "qty"}),
			Rules: []Rule{{Kind: RuleExpr, Field: "sku", Expr: `"WEB-" + sku`}}},
			map[string]any{"code": "A1", "qty": "4"}, "WEB-A1"},
		{"an e-mail address", FlowConfig{Entity: "customer"},
			map[string]any{"email": "Jan@Example.COM", "last_name": "Jansen"}, "jan@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Run(tt.record)
			if err != nil {
				t.Fatal(err)
			}
			if res.Key != tt.want {
				t.Errorf("run: key %q, want %q", res.Key, tt.want)
			}
			if pr := Preview(tt.cfg, tt.record); pr.Key != tt.want {
				t.Errorf("preview: key %q, want %q", pr.Key, tt.want)
			}
		})
	}
}
