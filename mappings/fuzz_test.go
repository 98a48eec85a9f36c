package mappings

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzCompile compiles and runs arbitrary expressions: neither may panic,
// and closures must agree with the VM.
func FuzzCompile(f *testing.F) {
	for _, fn := range Functions() {
		for _, ex := range fn.Examples {
			f.Add(ex.Expr)
		}
	}
	for _, s := range []string{
		"a.b.c", "a[0]", "a[-1]", "1.10 * 3", "x / 0", "-x", "a == 1.50", `"a" + 1`,
		"items | map(.qty * .price) | sum()", "{a: 1}.a", "nil.x", "a ?? b ?? 1",
		"9223372036854775807 * 10", "1e400", "round(1, 99)", "pad_left(\"\", 1e9)",
		"map(1..3, # * 1.5)", "parse_time(\"x\", \"\")", `lookup("t", "k")`, "",
	} {
		f.Add(s)
	}
	c := newCompiler(ExampleTables, "")
	f.Fuzz(func(t *testing.T, src string) {
		p, err := c.compile(src)
		if err != nil {
			return
		}
		_, _ = p.eval(newMachine(), fuzzEnv)
		if diff, ok := sameResult(p, fuzzEnv); !ok {
			t.Errorf("%q: %s", src, diff)
		}
	})
}

// FuzzParseMappingFile parses arbitrary mapping files and compiles the good ones.
func FuzzParseMappingFile(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txtar")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		cfgData, _ := parseArchive(data).file("config.json")
		var raw map[string]json.RawMessage
		if json.Unmarshal(cfgData, &raw) == nil {
			for _, k := range []string{"in", "out"} {
				if m, ok := raw[k]; ok {
					f.Add([]byte(m))
				}
			}
		}
	}
	f.Add([]byte(`{"entity":"order","direction":"in","fields":[{"target":"a..b","expr":"x"}]}`))
	f.Add([]byte(`{"entity":"order","direction":"in","fields":[{"target":"lines","each":"x"}]}`))
	f.Add([]byte(`{"entity":"stock","direction":"out","fields":[]} trailing`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMappingFile(data)
		if err != nil {
			return
		}
		cfg := FlowConfig{Entity: m.Entity}
		if m.Direction == In {
			cfg.In = m
		} else {
			cfg.Out = m
		}
		if p, err := Compile(cfg); err == nil {
			_, _ = p.Run(map[string]any{"number": "1", "currency": "EUR", "totals": map[string]any{"total": "1"}})
		}
	})
}
