package mappings

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// sameResult runs p both as closures and on the VM and reports a difference.
func sameResult(p *program, env any) (string, bool) {
	if p.fn == nil {
		return "", true
	}
	cv, cerr := p.runClosure(newMachine(), env)
	vv, verr := p.run(newMachine(), env)
	if (cerr != nil) != (verr != nil) {
		return "closure error " + errString(cerr) + ", VM error " + errString(verr), false
	}
	if cerr == nil && Show(cv) != Show(vv) {
		return "closure " + Show(cv) + ", VM " + Show(vv), false
	}
	return "", true
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// TestClosureMatchesVM checks that every example and every golden-file
// expression gives the same result as closures and on the VM.
func TestClosureMatchesVM(t *testing.T) {
	c := newCompiler(ExampleTables, "")
	closures := 0
	check := func(src string, env any) {
		p, err := c.compile(src)
		if err != nil {
			return
		}
		if p.fn != nil {
			closures++
		}
		if diff, ok := sameResult(p, env); !ok {
			t.Errorf("%s: %s", src, diff)
		}
	}
	for _, f := range Functions() {
		for _, ex := range f.Examples {
			check(ex.Expr, ex.Input)
		}
	}
	files, _ := filepath.Glob("testdata/*.txtar")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		a := parseArchive(data)
		cfgData, _ := a.file("config.json")
		inData, ok := a.file("input.json")
		var cfg FlowConfig
		var in any
		if decodeJSON(cfgData, &cfg) != nil || !ok || decodeJSON(inData, &in) != nil {
			continue
		}
		for _, src := range configExprs(cfg) {
			check(src, in)
		}
	}
	if closures < 50 {
		t.Errorf("only %d expressions ran as closures", closures)
	}
}

func configExprs(cfg FlowConfig) []string {
	var out []string
	var walk func([]Field)
	walk = func(fs []Field) {
		for _, f := range fs {
			out = append(out, f.Expr, f.Each)
			walk(f.Fields)
		}
	}
	for _, m := range []*Mapping{cfg.In, cfg.Out} {
		if m != nil {
			walk(m.Fields)
		}
	}
	walk(cfg.InOverrides)
	for _, r := range cfg.Rules {
		out = append(out, r.When, r.Value, r.Expr, r.Else)
		for _, c := range r.Cases {
			out = append(out, c.When, c.Then)
		}
	}
	return out
}

var fuzzEnv = map[string]any{
	"a":     map[string]any{"b": []any{json.Number("1.5")}},
	"x":     "2",
	"items": []any{map[string]any{"qty": 2, "price": "1.25"}},
}

// TestBuiltinTrimsMatchVM: trimPrefix and trimSuffix run as closures and
// give the builtin's results and errors, on texts and on anything else.
func TestBuiltinTrimsMatchVM(t *testing.T) {
	c := newCompiler(nil, "")
	env := map[string]any{"name": "#1001", "num": json.Number("42"), "none": nil, "list": []any{"a"}}
	compiled, closures := 0, 0
	for _, src := range []string{
		`trimPrefix(name, "#")`, `trimSuffix(name, "01")`, `trimPrefix(" x")`, `trimSuffix("x ")`,
		`trimPrefix(num, "4")`, `trimPrefix(none, "#")`, `trimPrefix(name, none)`, `trimSuffix(list, "a")`,
	} {
		p, err := c.compile(src)
		if err != nil {
			continue // refused at compile time, as on the VM
		}
		compiled++
		if p.fn != nil {
			closures++
		}
		if diff, ok := sameResult(p, env); !ok {
			t.Errorf("%s: %s", src, diff)
		}
	}
	if compiled < 5 || closures != compiled {
		t.Errorf("%d compiled, %d of them as closures", compiled, closures)
	}
}

// TestEqualNumberAndNumericText: == and in compare a number against a
// numeric text as numbers, as < and > do, as closures and on the VM: a
// filter "stock_quantity == \"0\"" on a stock of 0 holds, instead of
// never holding while "stock_quantity <= \"0\"" does.
func TestEqualNumberAndNumericText(t *testing.T) {
	zero, _ := decimal.Parse("0")
	price, _ := decimal.Parse("7.50")
	env := map[string]any{"qty": zero, "price": price, "n": json.Number("1.50"), "i": 3, "text": "abc", "none": nil, "t": "7.5"}
	c := newCompiler(nil, "")
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{`qty == "0"`, true},
		{`qty != "0"`, false},
		{`"0" == qty`, true},
		{`price == "7.5"`, true},
		{`price == t`, true},
		{`price == "7.51"`, false},
		{`n == "1.5"`, true},
		{`i == "3"`, true},
		{`qty in ["0", "1"]`, true},
		{`price in ["1", "2"]`, false},
		{`qty == "abc"`, false},
		{`qty == text`, false},
		{`qty == none`, false},
		{`qty == true`, false},
		{`text == "abc"`, true},
		{`qty <= "0" && qty >= "0"`, true},
	} {
		p, err := c.compile(tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		// The VM looks a list of constant texts up as a set, which takes
		// only texts; such an in always runs as closures.
		if diff, ok := sameResult(p, env); !ok && !strings.Contains(tc.src, " in ") {
			t.Errorf("%s: %s", tc.src, diff)
		}
		if p.fn == nil {
			t.Errorf("%s: runs on the VM", tc.src)
		}
		got, err := p.eval(newMachine(), env)
		if err != nil || got != tc.want {
			t.Errorf("%s = %v, %v; want %v", tc.src, got, err, tc.want)
		}
	}
}
