package mappings

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGolden runs every testdata/*.txtar case. Each archive holds:
//
//	config.json     a FlowConfig (entity, in, out, overrides, rules, tables)
//	input.json      one native record, or a list of them
//	input.csv       or: a CSV feed, one record per row (values stay text)
//	canonical.json  the expected canonical record(s) after rules
//	output.json     the expected target record(s)
//	error           the expected errors, one per line ("compile" errors included)
//
// Run go test ./mappings -run TestGolden -update to rewrite the expectations.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			runGolden(t, file)
		})
	}
}

func runGolden(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	a := parseArchive(data)
	var cfg FlowConfig
	cfgData, _ := a.file("config.json")
	if err := decodeJSON(cfgData, &cfg); err != nil {
		t.Fatalf("config.json: %v", err)
	}
	inputs, list := goldenInputs(t, a)
	got := runAll(cfg, inputs)
	if !list {
		got.unwrap()
	}
	compareGolden(t, a, "canonical.json", got.canonical)
	compareGolden(t, a, "output.json", got.output)
	compareGolden(t, a, "error", got.errors)
	if *updateDocs {
		if err := os.WriteFile(file, a.format(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type goldenResult struct {
	canonical, output, errors []byte
	can, out                  []any
}

func runAll(cfg FlowConfig, inputs []map[string]any) *goldenResult {
	res := &goldenResult{}
	p, err := Compile(cfg)
	if err != nil {
		res.errors = errorLines(err)
		return res
	}
	var errs bytes.Buffer
	for i, in := range inputs {
		r, err := p.Run(in)
		switch {
		case err != nil:
			errs.Write(errorLines(err))
			res.can, res.out = append(res.can, nil), append(res.out, nil)
		case r.Skipped:
			fmt.Fprintf(&errs, "record %d skipped: %s\n", i+1, r.SkipReason)
			res.can, res.out = append(res.can, r.Canonical), append(res.out, nil)
		default:
			res.can, res.out = append(res.can, r.Canonical), append(res.out, orNil(r.Output))
		}
	}
	res.errors = errs.Bytes()
	res.canonical, res.output = pretty(res.can), pretty(res.out)
	return res
}

// unwrap shows a single input's results as a single value.
func (g *goldenResult) unwrap() {
	if len(g.can) == 1 {
		g.canonical, g.output = pretty(g.can[0]), pretty(g.out[0])
	}
}

func errorLines(err error) []byte {
	var b bytes.Buffer
	for _, e := range AsErrorList(err) {
		b.WriteString(e.Error() + "\n")
	}
	return b.Bytes()
}

func pretty(v any) []byte {
	if v == nil {
		return nil
	}
	if l, ok := v.([]any); ok && allNil(l) {
		return nil
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return []byte("marshal error: " + err.Error() + "\n")
	}
	return append(b, '\n')
}

func allNil(l []any) bool {
	for _, v := range l {
		if v != nil {
			return false
		}
	}
	return true
}

func compareGolden(t *testing.T, a *archive, name string, got []byte) {
	t.Helper()
	want, _ := a.file(name)
	if *updateDocs {
		a.set(name, got)
		return
	}
	if name != "error" && len(want) > 0 {
		want = reindent(t, name, want)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func reindent(t *testing.T, name string, b []byte) []byte {
	var v any
	if err := decodeJSON(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return pretty(v)
}

func goldenInputs(t *testing.T, a *archive) ([]map[string]any, bool) {
	if b, ok := a.file("input.csv"); ok {
		return csvRecords(t, b), true
	}
	b, ok := a.file("input.json")
	if !ok {
		t.Fatal("no input.json or input.csv")
	}
	var v any
	if err := decodeJSON(b, &v); err != nil {
		t.Fatalf("input.json: %v", err)
	}
	if m, ok := v.(map[string]any); ok {
		return []map[string]any{m}, false
	}
	var out []map[string]any
	for _, e := range v.([]any) {
		out = append(out, e.(map[string]any))
	}
	return out, true
}

// csvRecords turns a CSV feed into records of text values, as the CSV codec does.
func csvRecords(t *testing.T, b []byte) []map[string]any {
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("input.csv: %v", err)
	}
	var out []map[string]any
	for _, row := range rows[1:] {
		rec := make(map[string]any, len(row))
		for i, h := range rows[0] {
			rec[h] = row[i]
		}
		out = append(out, rec)
	}
	return out
}

func decodeJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

func orNil(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}
