package mappings

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/mappings/canonical"
	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// TestLookupTableChecked: lookup("name", ...) of a table the flow does not
// have is a compile error naming the stage, the field and the column of the name.
func TestLookupTableChecked(t *testing.T) {
	cfg := FlowConfig{
		Entity: "order",
		In: &Mapping{Entity: "order", Direction: In, Fields: []Field{
			{Target: "number", Expr: "id"},
			{Target: "lines", Each: "items", Fields: []Field{
				{Target: "tax_rate", Expr: `lookup("vat", item.code)`},
				{Target: "sku", Expr: `lookup("skus", item.sku, item.sku)`},
			}},
		}},
		Out: &Mapping{Entity: "order", Direction: Out, Fields: []Field{
			{Target: "status", Expr: `upper(status) + lookup( "statuses" , status)`},
		}},
		Rules:  []Rule{{Kind: RuleExpr, Field: "notes", Expr: `lookup(table_name, "x") ?? lookup("Skus", "x")`}},
		Tables: Tables{"vat_codes": {"H": "21"}, "skus": {"A": "B"}},
	}
	_, err := Compile(cfg)
	var got []string
	for _, e := range AsErrorList(err) {
		got = append(got, e.Error())
	}
	want := []string{
		`order: field lines.tax_rate: column 8: lookup: no table "vat" (the flow's tables are "skus", "vat_codes")`,
		`order: field status: column 25: lookup: no table "statuses" (the flow's tables are "skus", "vat_codes")`,
		`order: field notes: column 35: rule 1 (expr): lookup: no table "Skus" (the flow's tables are "skus", "vat_codes")`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Without tables every literal name is refused; a name that is not a
	// literal is looked up when the expression runs.
	cfg = FlowConfig{Entity: "stock", In: stockIn(
		Field{Target: "sku", Expr: "code"},
		Field{Target: "quantity", Expr: "1"},
		Field{Target: "location", Expr: `lookup("wh", wh)`},
	)}
	if _, err := Compile(cfg); err == nil || !strings.Contains(err.Error(), `stock: field location: column 8: lookup: no table "wh" (the flow has no tables)`) {
		t.Errorf("no tables: %v", err)
	}
	cfg.In.Fields[2].Expr = `lookup(table, wh, "")`
	p, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(map[string]any{"code": "A", "table": "wh", "wh": "1"}); err == nil || !strings.Contains(err.Error(), `no table "wh"`) {
		t.Errorf("run-time lookup of a missing table: %v", err)
	}
	cfg.Tables = Tables{"wh": {"1": "Amsterdam"}}
	cfg.In.Fields[2].Expr = `lookup("wh", wh)`
	if p, err = Compile(cfg); err != nil {
		t.Fatal(err)
	}
	if res, err := p.Run(map[string]any{"code": "A", "wh": "1"}); err != nil || res.Canonical["location"] != "Amsterdam" {
		t.Errorf("lookup: %v, %v", res.Canonical, err)
	}
}

// TestNestedEach maps a list inside a list (each inside each), with item,
// index, parent (the enclosing element's scope) and root at both depths. The
// canonical model has no list inside a list, so the nested lists are on the
// native side: WooCommerce-style variations, each with its attributes and a
// gallery. The inner gallery names neither parent nor $env, so its scope
// object is the runner's, reused from run to run.
func TestNestedEach(t *testing.T) {
	in := &Mapping{Entity: "product", Direction: In, Fields: []Field{
		{Target: "sku", Expr: "code"},
		{Target: "name", Expr: "title"},
		{Target: "images", Each: "photos", Fields: []Field{{Target: "url", Expr: "item"}, {Target: "position", Expr: "index + 1"}}},
		{Target: "variants", Each: "models", Fields: []Field{
			{Target: "sku", Expr: `root.code + "-" + item.code`},
			{Target: "price", Expr: "item.price"},
			{Target: "options", Expr: "{size: item.size, colour: item.colour}"},
		}},
	}}
	out := &Mapping{Entity: "product", Direction: Out, Fields: []Field{
		{Target: "sku", Expr: "sku"},
		{Target: "variations", Each: "variants", Fields: []Field{
			{Target: "sku", Expr: "item.sku"},
			{Target: "regular_price", Expr: "str(item.price)"},
			{Target: "attributes", Each: "sort(keys(item.options))", Fields: []Field{
				{Target: "name", Expr: "item"},
				{Target: "option", Expr: "parent.item.options[item]"},
				{Target: "rank", Expr: `parent.item.options[item] == "XL" ? 1 / 0 : index`},
				{Target: "variation", Expr: "parent.index"},
			}},
			{Target: "gallery", Each: "root.images", Fields: []Field{
				{Target: "src", Expr: "item.url"},
				{Target: "position", Expr: "index"},
			}},
		}},
	}}
	p, err := Compile(FlowConfig{Entity: "product", In: in, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	native := map[string]any{"code": "TS", "title": "T-shirt", "photos": []any{"https://img.example.com/ts.jpg"}, "models": []any{
		map[string]any{"code": "RED-M", "price": "19.95", "size": "M", "colour": "red"},
		map[string]any{"code": "BLUE-L", "price": "21.95", "size": "L", "colour": "blue"},
	}}
	wantOut := `{sku: "TS", variations: [` +
		`{attributes: [{name: "colour", option: "red", rank: 0, variation: 0}, {name: "size", option: "M", rank: 1, variation: 0}], ` +
		`gallery: [{position: 0, src: "https://img.example.com/ts.jpg"}], regular_price: "19.95", sku: "TS-RED-M"}, ` +
		`{attributes: [{name: "colour", option: "blue", rank: 0, variation: 1}, {name: "size", option: "L", rank: 1, variation: 1}], ` +
		`gallery: [{position: 0, src: "https://img.example.com/ts.jpg"}], regular_price: "21.95", sku: "TS-BLUE-L"}]}`
	for range 2 { // the second run reuses the runner's scope objects
		res, err := p.Run(native)
		if err != nil {
			t.Fatal(err)
		}
		if got := Show(res.Output); got != wantOut {
			t.Errorf("output:\n%s\nwant:\n%s", got, wantOut)
		}
	}

	// An error in the inner list names both positions.
	native["models"].([]any)[1].(map[string]any)["size"] = "XL"
	_, err = p.Run(native)
	if want := "product TS: field variations[1].attributes[1].rank: column 39: decimal division by zero"; err == nil || err.Error() != want {
		t.Errorf("error in a nested list: %v, want %s", err, want)
	}
}

// TestConvertedMatchesNormalize runs every golden case with the validation
// a compiled mapping allows (canonical.NormalizeConverted, when the program
// sets only converted values) and with the full canonical.Normalize: records,
// outputs and errors must be the same. Extra rules break each enumeration
// of the model (top level, in objects, in list elements) and drop the
// record's key, so that validation errors are compared too.
func TestConvertedMatchesNormalize(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	converted, validateErrs := 0, 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		a := parseArchive(data)
		var cfg FlowConfig
		cfgData, _ := a.file("config.json")
		if err := decodeJSON(cfgData, &cfg); err != nil {
			t.Fatal(err)
		}
		e, err := canonical.Get(cfg.Entity)
		if err != nil {
			continue
		}
		extra := []Rule{{Kind: RuleExpr, Field: e.Key, Expr: "nil"}}
		for _, path := range enumPaths(e.Fields, "") {
			extra = append(extra, Rule{Kind: RuleExpr, Field: path, Expr: `"bogus"`})
		}
		inputs, _ := goldenInputs(t, a)
		for v := -1; v < len(extra); v++ {
			c := cfg
			if v >= 0 {
				c.Rules = append(append([]Rule(nil), cfg.Rules...), extra[v])
			}
			p, err := Compile(c)
			if err != nil || !p.converted {
				continue
			}
			converted++
			full := *p
			full.converted = false
			for i, in := range inputs {
				got, gerr := p.Run(deepCopy(in).(map[string]any))
				want, werr := full.Run(deepCopy(in).(map[string]any))
				for _, e := range AsErrorList(gerr) {
					if e.Stage == StageValidate {
						validateErrs++
					}
				}
				if Show(got.Canonical) != Show(want.Canonical) || Show(got.Output) != Show(want.Output) || errString(gerr) != errString(werr) {
					t.Errorf("%s variant %d record %d:\nconverted: %s -> %s, %v\nfull:      %s -> %s, %v", file, v, i+1,
						Show(got.Canonical), Show(got.Output), gerr, Show(want.Canonical), Show(want.Output), werr)
				}
			}
		}
	}
	if converted < 20 || validateErrs < 20 {
		t.Errorf("only %d programs set only converted values, %d validation errors", converted, validateErrs)
	}
	t.Logf("%d programs, %d validation errors", converted, validateErrs)
}

// enumPaths lists the rule fields of every enumeration: "status",
// "payment.status", "lines[].kind".
func enumPaths(fields []*canonical.Field, prefix string) []string {
	var out []string
	for _, f := range fields {
		switch {
		case f.Enum != nil:
			out = append(out, prefix+f.Name)
		case f.Kind == canonical.Object && !strings.Contains(prefix, "[]"):
			out = append(out, enumPaths(f.Fields, prefix+f.Name+".")...)
		case f.Kind == canonical.List && prefix == "":
			out = append(out, enumPaths(f.Fields, f.Name+"[].")...)
		}
	}
	return out
}

// TestDecimalArguments: a decimal function's result passed to a function
// that reads it as a value is not boxed (decArg), with the same results and
// errors as on the VM, also when the machine's scratch decimals run out.
func TestDecimalArguments(t *testing.T) {
	c := newCompiler(nil, "")
	env := map[string]any{"price": json.Number("134.10"), "rate": "21", "qty": 3, "none": nil, "text": "abc"}
	deep := "price"
	for range 20 {
		deep = "(price * 1 + " + deep + ")"
	}
	for _, src := range []string{
		"round(excl_vat(price, rate), 2)",
		"num(round(price * qty, 2))",
		"round(price * qty / 7, 2) + round_down(price / 3, 1) - abs(-price * 2)",
		"round(none, 2)", "num(round(none))", "round(price * none, 2)", "round(excl_vat(text, 21), 2)",
		"round(price / 0, 2)", "round(price, 1.5 * 1)", "price * 2 < round(price, 0) * 2", "-(price * 2)",
		"price * 2 > text", "round(price * 2) + text", "round_to(price * 1.21, 0.05 * 1)", deep, "round(" + deep + ", 1)",
	} {
		p, err := c.compile(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if p.fn == nil {
			t.Errorf("%s: runs on the VM", src)
		}
		cv, cerr := p.runClosure(newMachine(), env)
		vv, verr := p.run(newMachine(), env)
		if Show(cv) != Show(vv) || fieldErr(cerr) != fieldErr(verr) {
			t.Errorf("%s:\nclosures %s, %v\nVM       %s, %v", src, Show(cv), cerr, Show(vv), verr)
		}
		if _, ok := cv.(*decimal.Decimal); ok {
			t.Errorf("%s: the result is a pointer to a scratch decimal", src)
		}
	}
	p, _ := c.compile("round(excl_vat(price, rate), 2)")
	m := newMachine()
	if n := testing.AllocsPerRun(100, func() { _, _ = p.eval(m, env) }); n != 1 {
		t.Errorf("round(excl_vat(...)) allocates %v times, want 1 (the result)", n)
	}
}

// fieldErr is an expression error as a record's error shows it: column and cause.
func fieldErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	fe := exprError("", "", err)
	return fmt.Sprintf("column %d: %v", fe.Pos, fe.Cause)
}
