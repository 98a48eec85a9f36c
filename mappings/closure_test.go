package mappings

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
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
	c := newCompiler(ExampleTables)
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
	c := newCompiler(nil)
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
