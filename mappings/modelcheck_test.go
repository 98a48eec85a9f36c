package mappings

import (
	"strings"
	"testing"
)

// TestRulesReadTheModel: a rule's expressions may read only fields of the
// canonical model (and, on a list's elements, item, index, parent and
// root), and a literal value must convert to the rule's field; what the
// check cannot follow is accepted.
func TestRulesReadTheModel(t *testing.T) {
	tables := Tables{"brands": {"acme": "ACME"}}
	for _, tc := range []struct {
		name   string
		entity string
		rule   Rule
		want   string // the compile error; "" when the rule is accepted
	}{
		// Accepted.
		{"a member chain", "product", Rule{Kind: RuleExpr, Field: "prices.list", Expr: "prices.list * 1.2"}, ""},
		{"optional chaining", "product", Rule{Kind: RuleExpr, Field: "prices.list", Expr: "prices?.list ?? prices?.cost"}, ""},
		{"a nil check", "product", Rule{Kind: RuleDefault, Field: "prices.list", Value: "0", When: "prices.list != nil && prices.sale == nil"}, ""},
		{"the record as $env", "product", Rule{Kind: RuleExpr, Field: "prices.list", Expr: `$env.prices.list + $env["prices"]["cost"]`}, ""},
		{"a map-style member", "product", Rule{Kind: RuleExpr, Field: "prices.list", Expr: `prices["list"] * 2`}, ""},
		{"a computed key", "product", Rule{Kind: RuleExpr, Field: "name", Expr: `$env[brand] ?? prices[name]`}, ""},
		{"an element of a list", "product", Rule{Kind: RuleExpr, Field: "gtin", Expr: `variants[0].gtin ?? variants[-1]?.gtin`}, ""},
		{"anything below attributes", "product", Rule{Kind: RuleExpr, Field: "brand", Expr: `attributes.maker.name ?? variants[0].options.merk`}, ""},
		{"predicates", "product", Rule{Kind: RuleExpr, Field: "stock_quantity", Expr: `sum(map(filter(variants, .price > 10), #.stock_quantity))`}, ""},
		{"functions and tables", "product", Rule{Kind: RuleExpr, Field: "brand", Expr: `lookup("brands", lower(trim(brand)), brand)`}, ""},
		{"let", "product", Rule{Kind: RuleExpr, Field: "prices.list", Expr: `let p = prices.cost; let sale = p * 2; sale`}, ""},
		{"a nested object", "order", Rule{Kind: RuleExpr, Field: "customer.group", Expr: `customer.email endsWith ".nl" && billing.country == "NL" ? "nl" : nil`}, ""},
		{"a list rule", "order", Rule{Kind: RuleExpr, Field: "lines[].total", When: "item.sku != nil && index >= 0",
			Expr: "round(item.unit_price * item.quantity, 2) + (parent.totals.shipping ?? 0) * 0 + len(root.lines) * 0"}, ""},
		{"a list rule's $env", "order", Rule{Kind: RuleExpr, Field: "lines[].name", Expr: `$env.item.name ?? $env.root.number`}, ""},
		{"a list rule in an object", "product", Rule{Kind: RuleExpr, Field: "prices.price_lists[].price", Expr: "item.price ?? root.prices.list"}, ""},
		{"a price rule on a list", "order", Rule{Kind: RulePrice, Field: "lines[].unit_price", Percent: "10"}, ""},
		{"a price rule with a base", "product", Rule{Kind: RulePrice, Field: "prices.list", Base: "prices.cost", Percent: "10", RoundTo: "0.05"}, ""},
		{"a conditional", "product", Rule{Kind: RuleConditional, Field: "status", Cases: []Case{{When: "stock_quantity < 1", Then: `"archived"`}}, Else: "status"}, ""},
		{"a filter", "order", Rule{Kind: RuleFilter, When: `payment.status not in ["paid"]`, Reason: "unpaid"}, ""},
		{"a table", "product", Rule{Kind: RuleTable, Field: "brand", Table: "brands", When: "brand != nil"}, ""},
		{"literals that convert", "product", Rule{Kind: RuleDefault, Field: "stock_quantity", Value: `"12.50"`}, ""},
		{"a decimal literal", "product", Rule{Kind: RuleExpr, Field: "weight", Expr: "1.25"}, ""},
		{"a boolean literal", "product", Rule{Kind: RuleDefault, Field: "prices.includes_tax", Value: "true"}, ""},
		{"nil", "product", Rule{Kind: RuleExpr, Field: "stock_quantity", Expr: "nil"}, ""},
		{"an allowed value", "product", Rule{Kind: RuleExpr, Field: "status", Expr: `"draft"`}, ""},

		// Refused.
		{"a native name", "product", Rule{Name: "x", Kind: RuleExpr, Field: "prices.list", Expr: "price * 1.2"},
			"product: field prices.list: column 1: rule 1 (x): price is not a field of product"},
		{"a misspelt member", "product", Rule{Name: "x", Kind: RuleExpr, Field: "prices.list", Expr: "prices.lst * 1.2"},
			"product: field prices.list: column 8: rule 1 (x): prices.lst is not a field of product"},
		{"in a nil check", "product", Rule{Kind: RuleDefault, Field: "prices.list", Value: "0", When: "prices.lst != nil"},
			"product: field prices.list: column 8: rule 1 (default): prices.lst is not a field of product"},
		{"behind optional chaining", "product", Rule{Kind: RuleExpr, Field: "prices.list", Expr: "prices?.lst ?? 0"},
			"product: field prices.list: column 9: rule 1 (expr): prices.lst is not a field of product"},
		{"a misspelt map-style member", "product", Rule{Kind: RuleExpr, Field: "prices.list", Expr: `1 + prices["lst"]`},
			`product: field prices.list: column 12: rule 1 (expr): prices.lst is not a field of product`},
		{"through $env", "product", Rule{Kind: RuleExpr, Field: "prices.list", Expr: `$env.prices.lst`},
			"product: field prices.list: column 13: rule 1 (expr): $env.prices.lst: prices.lst is not a field of product"},
		{"of a list's element", "product", Rule{Kind: RuleExpr, Field: "gtin", Expr: `variants[0].ean`},
			"product: field gtin: column 13: rule 1 (expr): variants[0].ean: variants.ean is not a field of product"},
		{"below a scalar's sibling", "order", Rule{Kind: RuleExpr, Field: "notes", Expr: `customer.address.city`},
			"order: field notes: column 10: rule 1 (expr): customer.address is not a field of order"},
		{"in a function's argument", "product", Rule{Kind: RuleExpr, Field: "name", Expr: `upper(title)`},
			"product: field name: column 7: rule 1 (expr): title is not a field of product"},
		{"in a predicate's outer name", "product", Rule{Kind: RuleExpr, Field: "stock_quantity", Expr: `len(filter(variants, .price > min_price))`},
			"product: field stock_quantity: column 31: rule 1 (expr): min_price is not a field of product"},
		{"in a filter", "product", Rule{Kind: RuleFilter, When: `sttus == "draft"`, Reason: "draft"},
			"product: column 1: rule 1 (filter): sttus is not a field of product"},
		{"in a case", "product", Rule{Kind: RuleConditional, Field: "status", Cases: []Case{{When: "true", Then: `"active"`}, {When: "stock < 1", Then: `"archived"`}}},
			"product: field status: column 1: rule 1 (conditional): case 2: stock is not a field of product"},
		{"in else", "product", Rule{Kind: RuleConditional, Field: "status", Cases: []Case{{When: "true", Then: `"active"`}}, Else: "state"},
			"product: field status: column 1: rule 1 (conditional): state is not a field of product"},
		{"a record's field on a list's elements", "order", Rule{Kind: RuleExpr, Field: "lines[].total", Expr: "unit_price * quantity"},
			"order: field lines[].total: column 1: rule 1 (expr): unit_price is not defined for a list's elements, which have item, index, parent and root"},
		{"with a hint", "order", Rule{Kind: RuleExpr, Field: "lines[].tax_rate", Expr: "currency == \"EUR\" ? 21 : 0"},
			"order: field lines[].tax_rate: column 1: rule 1 (expr): currency is not defined for a list's elements, which have item, index, parent and root (the record's currency is root.currency)"},
		{"an element's field", "order", Rule{Kind: RuleExpr, Field: "lines[].total", Expr: "item.totl"},
			"order: field lines[].total: column 6: rule 1 (expr): item.totl: lines.totl is not a field of order"},
		{"the parent's field", "order", Rule{Kind: RuleExpr, Field: "lines[].total", Expr: "item.total ?? parent.totals.totl"},
			"order: field lines[].total: column 29: rule 1 (expr): parent.totals.totl: totals.totl is not a field of order"},
		{"a price rule's base", "product", Rule{Kind: RulePrice, Field: "prices.list", Base: "prices.cst", Percent: "10"},
			"product: field prices.list: rule 1 (price): prices.cst is not a field of product"},
		{"a record's field as a list's base", "order", Rule{Kind: RulePrice, Field: "lines[].unit_price", Base: "unit_price", Percent: "10"},
			"order: field lines[].unit_price: rule 1 (price): unit_price is not defined for a list's elements, which have item, index, parent and root"},
		{"text for a number", "product", Rule{Kind: RuleDefault, Field: "stock_quantity", Value: `"abc"`},
			`product: field stock_quantity: rule 1 (default): cannot parse "abc" as decimal`},
		{"an expression's literal", "product", Rule{Kind: RuleExpr, Field: "prices.includes_tax", Expr: `"maybe"`},
			`product: field prices.includes_tax: rule 1 (expr): cannot use maybe as boolean`},
		{"a literal in a case", "product", Rule{Kind: RuleConditional, Field: "weight", Cases: []Case{{When: "weight == nil", Then: `"heavy"`}}},
			`product: field weight: rule 1 (conditional): case 1: cannot parse "heavy" as decimal`},
		{"a literal on a list's elements", "order", Rule{Kind: RuleDefault, Field: "lines[].quantity", Value: `"one"`},
			`order: field lines[].quantity: rule 1 (default): cannot parse "one" as decimal`},
		{"a price rule on text", "product", Rule{Kind: RulePrice, Field: "name", Percent: "10"},
			"product: field name: rule 1 (price): a price rule sets a number, and name is a string field"},
		{"a price rule on a switch", "product", Rule{Kind: RulePrice, Field: "prices.includes_tax", Percent: "10"},
			"product: field prices.includes_tax: rule 1 (price): a price rule sets a number, and prices.includes_tax is a boolean field"},
		{"a price rule's base of text", "product", Rule{Kind: RulePrice, Field: "prices.list", Base: "brand", Percent: "10"},
			"product: field prices.list: rule 1 (price): base brand is a string field, not a number"},
		{"a price rule's base on a list's elements", "order", Rule{Kind: RulePrice, Field: "lines[].unit_price", Base: "item.sku", Percent: "10"},
			"order: field lines[].unit_price: rule 1 (price): base item.sku is a string field, not a number"},
		{"a disabled rule", "product", Rule{Kind: RuleExpr, Field: "prices.list", Expr: "price", Disabled: true},
			"product: field prices.list: column 1: rule 1 (expr): price is not a field of product"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Check(FlowConfig{Entity: tc.entity, Rules: []Rule{tc.rule}, Tables: tables})
			if got := errString(err); got != tc.want && !(tc.want == "" && err == nil) {
				t.Errorf("Compile: %v\nwant %s", err, tc.want)
			}
			got := RuleErrors(tc.entity, []Rule{tc.rule}, tables)
			if (tc.want == "") != (len(got) == 0) || (tc.want != "" && got[0].Error() != tc.want) {
				t.Errorf("RuleErrors: %v\nwant %s", got, tc.want)
			}
		})
	}
}

// TestLiteralValuesFitTheirField: a value a flow sets as it is written (a
// rule's literal, a table rule's entries and fallback, a fixed value of
// the mapping in) that its field cannot take is refused when the flow is
// saved, naming the rule, the field and the allowed values: it would fail
// every record it is set on. A value outside an enumeration is accepted
// when a later rule sets the field, since that rule may translate it.
func TestLiteralValuesFitTheirField(t *testing.T) {
	fallback := "abc"
	stockIn := &Mapping{Entity: "stock", Direction: In, Fields: []Field{{Target: "sku", Expr: "code"}, {Target: "quantity", Expr: "qty"}}}
	tables := Tables{"kinds": {"a": "on_hand", "b": "onhand"}, "qty": {"x": "1", "y": "lots"}}
	for _, tc := range []struct {
		name   string
		entity string
		in     []Field // the flow's own fields of the mapping in
		rules  []Rule
		want   string // the compile error; "" when accepted
	}{
		{"a default outside the enumeration", "order", nil, []Rule{{Kind: RuleDefault, Field: "type", Value: `"ordr"`}},
			`order: field type: rule 1 (default): "ordr" is not one of quotation, order, invoice, financial_mutation`},
		{"a case's value", "order", nil, []Rule{{Name: "paid", Kind: RuleConditional, Field: "payment.status",
			Cases: []Case{{When: "true", Then: `"pending"`}, {When: "false", Then: `"Paid"`}}}},
			`order: field payment.status: rule 1 (paid): case 2: "Paid" is not one of pending, authorized, paid, partially_paid, refunded, failed, voided`},
		{"an expression's literal on a list's elements", "stock", nil, []Rule{{Kind: RuleExpr, Field: "kind", Expr: `"stock"`}},
			`stock: field kind: rule 1 (expr): "stock" is not one of on_hand, available, reserved`},
		{"an inline table's entry", "stock", nil, []Rule{{Kind: RuleTable, Field: "kind", Map: map[string]string{"1": "available", "2": "OnHand"}}},
			`stock: field kind: rule 1 (table): entry "2": "OnHand" is not one of on_hand, available, reserved`},
		{"a flow table's entry", "stock", nil, []Rule{{Kind: RuleTable, Field: "kind", Table: "kinds"}},
			`stock: field kind: rule 1 (table): table "kinds" entry "b": "onhand" is not one of on_hand, available, reserved`},
		{"a table's entry of the wrong kind", "stock", nil, []Rule{{Kind: RuleTable, Field: "quantity", Table: "qty"}},
			`stock: field quantity: rule 1 (table): table "qty" entry "y": cannot parse "lots" as decimal`},
		{"a table's fallback", "stock", nil, []Rule{{Kind: RuleTable, Field: "quantity", Map: map[string]string{"x": "1"}, Fallback: &fallback}},
			`stock: field quantity: rule 1 (table): fallback: cannot parse "abc" as decimal`},
		{"a fixed value of the mapping in", "stock", []Field{{Target: "kind", Expr: `"onhand"`}}, nil,
			`stock: field kind: "onhand" is not one of on_hand, available, reserved`},
		{"a fixed value of the wrong kind", "stock", []Field{{Target: "quantity", Expr: `"none"`}}, nil,
			`stock: field quantity: cannot parse "none" as decimal`},
		{"a disabled later rule translates nothing", "stock", nil, []Rule{{Kind: RuleDefault, Field: "kind", Value: `"onhand"`},
			{Kind: RuleTable, Field: "kind", Map: map[string]string{"onhand": "on_hand"}, Disabled: true}},
			`stock: field kind: rule 1 (default): "onhand" is not one of on_hand, available, reserved`},

		{"allowed values", "stock", []Field{{Target: "kind", Expr: `"available"`}}, []Rule{{Kind: RuleTable, Field: "kind", Map: map[string]string{"a": "on_hand"}},
			{Kind: RuleConditional, Field: "kind", Cases: []Case{{When: "quantity < 0", Then: `"reserved"`}}, Else: `"on_hand"`}}, ""},
		{"translated by a later rule", "stock", []Field{{Target: "kind", Expr: `"onhand"`}}, []Rule{{Kind: RuleDefault, Field: "kind", Value: `"avail"`},
			{Kind: RuleTable, Field: "kind", Map: map[string]string{"onhand": "on_hand", "avail": "available"}, Fallback: new("on_hand")}}, ""},
		{"a table that fits", "stock", nil, []Rule{{Kind: RuleTable, Field: "quantity", Map: map[string]string{"x": "1.5", "y": ""}}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := *stockIn
			if tc.entity != "stock" {
				in = Mapping{Entity: tc.entity, Direction: In, Fields: []Field{{Target: "number", Expr: "id"}}}
			}
			cfg := FlowConfig{Entity: tc.entity, In: &in, InOverrides: tc.in, Rules: tc.rules, Tables: tables}
			if _, err := Check(cfg); errString(err) != tc.want && !(tc.want == "" && err == nil) {
				t.Errorf("Check: %v\nwant %s", err, tc.want)
			}
			if _, err := Compile(cfg); err != nil {
				t.Errorf("Compile, which runs a flow saved before the check: %v", err)
			}
		})
	}
}

// TestRulesSettingAWholeObject: a field a rule sets as a whole (an object
// or a list) may hold anything until then, so names below it are not
// checked, in any rule of the flow.
func TestRulesSettingAWholeObject(t *testing.T) {
	rules := []Rule{
		{Kind: RuleFilter, When: "prices.amount == nil", Reason: "no price"},
		{Kind: RuleExpr, Field: "prices", Expr: "{list: prices.amount, currency: prices.valuta}"},
		{Kind: RuleExpr, Field: "description", Expr: "prices.amount ?? price"},
	}
	_, err := Check(FlowConfig{Entity: "product", Rules: rules[:2]})
	if err != nil {
		t.Fatalf("members of an object a rule sets: %v", err)
	}
	_, err = Check(FlowConfig{Entity: "order", Rules: []Rule{{Kind: RuleExpr, Field: "lines", Expr: "lines"}, {Kind: RuleExpr, Field: "lines[].sku", Expr: "item.code"}}})
	if err != nil {
		t.Fatalf("members of a list a rule sets: %v", err)
	}
	_, err = Check(FlowConfig{Entity: "product", Rules: rules})
	if want := "product: field description: column 18: rule 3 (expr): price is not a field of product"; errString(err) != want {
		t.Fatalf("a top-level name: %v\nwant %s", err, want)
	}
}

// TestOutMappingReadsTheModel: an out mapping reads the canonical record,
// so its expressions may read only the model's fields (and item, index,
// parent and root inside an each); an in mapping reads the native record
// and is not checked.
func TestOutMappingReadsTheModel(t *testing.T) {
	out := func(fields ...Field) FlowConfig {
		return FlowConfig{Entity: "product", Out: &Mapping{Entity: "product", Direction: Out, Fields: fields}}
	}
	for _, tc := range []struct {
		name string
		cfg  FlowConfig
		want string
	}{
		{"fields of the model", out(
			Field{Target: "code", Expr: "sku"},
			Field{Target: "price", Expr: `str(prices?.list ?? prices.sale) + $env.prices.currency`},
			Field{Target: "variations", Each: "variants", Fields: []Field{
				{Target: "sku", Expr: `root.sku + "-" + item.sku`},
				{Target: "position", Expr: "index"},
				{Target: "attributes", Each: "sort(keys(item.options))", Fields: []Field{
					{Target: "name", Expr: "item"},
					{Target: "option", Expr: "parent.item.options[item]"},
					{Target: "of", Expr: "parent.root.name ?? parent.parent.name"},
				}},
			}},
			Field{Target: "gallery", Each: "filter(images, .position > 0)", Fields: []Field{{Target: "src", Expr: "item.source"}}},
		), ""},
		{"an in mapping reads the native record", FlowConfig{Entity: "product", In: &Mapping{Entity: "product", Direction: In, Fields: []Field{
			{Target: "sku", Expr: "code"},
			{Target: "prices.list", Expr: "price * 1.2"},
			{Target: "variants", Each: "models", Fields: []Field{{Target: "sku", Expr: "item.code + code"}}},
		}}}, ""},
		{"a native name", out(Field{Target: "price", Expr: "price"}),
			"product: field price: column 1: price is not a field of product"},
		{"a misspelt member", out(Field{Target: "price", Expr: "str(prices.lst)"}),
			"product: field price: column 12: prices.lst is not a field of product"},
		{"an element's field", out(Field{Target: "variations", Each: "variants", Fields: []Field{{Target: "colour", Expr: "item.colour"}}}),
			"product: field variations.colour: column 6: item.colour: variants.colour is not a field of product"},
		{"a record's field in an each", out(Field{Target: "variations", Each: "variants", Fields: []Field{{Target: "sku", Expr: "sku"}}}),
			"product: field variations.sku: column 1: sku is not defined for a list's elements, which have item, index, parent and root (the record's sku is root.sku)"},
		{"the each itself", out(Field{Target: "variations", Each: "variations", Fields: []Field{{Target: "sku", Expr: "item.sku"}}}),
			"product: field variations: column 1: variations is not a field of product"},
		{"the parent of a nested each", out(Field{Target: "variations", Each: "variants", Fields: []Field{
			{Target: "attributes", Each: "keys(item.options)", Fields: []Field{{Target: "of", Expr: "parent.item.title"}}}}}),
			"product: field variations.attributes.of: column 13: parent.item.title: variants.title is not a field of product"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Check(tc.cfg)
			if got := errString(err); got != tc.want && !(tc.want == "" && err == nil) {
				t.Errorf("Compile: %v\nwant %s", err, tc.want)
			}
		})
	}
}

// TestAFlowSavedBeforeTheCheckStillCompiles: Compile, which runs a flow,
// does not check names against the model, so a flow saved before Check
// existed keeps running (a webhook flow that did not compile would refuse
// every call) and its records fail as they did; Check, which saves it,
// refuses the name.
func TestAFlowSavedBeforeTheCheckStillCompiles(t *testing.T) {
	cfg := FlowConfig{Entity: "product", Rules: []Rule{{Kind: RuleExpr, Field: "prices.list", Expr: "prices.lst * 1.2"}}}
	if _, err := Compile(cfg); err != nil {
		t.Fatalf("Compile: %v", err)
	}
	if _, err := Check(cfg); err == nil || !strings.Contains(err.Error(), "prices.lst is not a field of product") {
		t.Fatalf("Check: %v", err)
	}
}
