// Package mappingtest runs a connector's golden files through its default
// mappings, for the connector's tests. Each testdata/golden/NAME.txtar
// holds one case of one mapping: NAME is "<entity>.in" or "<entity>.out"
// (and anything after a further dot, such as order.in.guest), the
// archive's comment says what the case shows and where its input comes
// from, and its files are
//
//	input.json      a native record (in) or a canonical one (out), or a list
//	canonical.json  the canonical record(s) an in mapping makes
//	output.json     the native record(s) an out mapping makes
//	error           the errors, one per line, when the case fails
//	business_zone   optional: the business time zone the case maps in
//	                (an IANA name; without it, none, as a new appliance)
//
// Every default mapping must have a case. The expectations are compared as
// JSON values, whatever their layout; run the tests with -update-golden to
// write them.
package mappingtest

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/mappings"
)

var update = flag.Bool("update-golden", false, "write the golden files' expectations")

// Dir is the folder of a package's golden files.
const Dir = "testdata/golden"

// Case is one golden file, as a connector's check sees it.
type Case struct {
	// Name is the file's name without .txtar: "order.in".
	Name string
	// Entity and Direction say which mapping ran.
	Entity    string
	Direction mappings.Direction
	// Input is the decoded input: a record or a list of them.
	Input any
	// Output is what the mapping made: canonical records (in) or native
	// ones (out), one per input record mapped without an error.
	Output []map[string]any
}

// Natives are the case's native records: the inputs of an in mapping,
// the outputs of an out mapping.
func (c Case) Natives() []map[string]any {
	if c.Direction == mappings.Out {
		return c.Output
	}
	list, ok := c.Input.([]any)
	if !ok {
		list = []any{c.Input}
	}
	out := make([]map[string]any, 0, len(list))
	for _, r := range list {
		if rec, ok := r.(map[string]any); ok {
			out = append(out, rec)
		}
	}
	return out
}

// Golden runs every golden file of the package (in Dir) through the
// default mappings in fsys, compares the results with the files, and
// hands each case to check (which checks the native side against the
// vendor's schema); check may be nil. It fails when a default mapping has
// no case.
func Golden(t *testing.T, fsys fs.FS, check func(t *testing.T, c Case)) {
	t.Helper()
	defaults, err := mappings.LoadDefaults(fsys, ".")
	if err != nil {
		t.Fatalf("loading the default mappings: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(Dir, "*.txtar"))
	tested := map[string]bool{}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		entity, direction, ok := parseName(name)
		if !ok {
			t.Errorf("%s: name it <entity>.<in|out>[.<what>].txtar", file)
			continue
		}
		m := mappings.Find(defaults, entity, direction)
		if m == nil {
			t.Errorf("%s: there is no default %s mapping of %s", file, direction, entity)
			continue
		}
		tested[entity+"."+string(direction)] = true
		t.Run(name, func(t *testing.T) {
			c := runFile(t, file, Case{Name: name, Entity: entity, Direction: direction}, m)
			if check != nil && !t.Failed() {
				check(t, c)
			}
		})
	}
	for _, m := range defaults {
		if !tested[m.Entity+"."+string(m.Direction)] {
			t.Errorf("the default %s mapping of %s has no golden case in %s", m.Direction, m.Entity, Dir)
		}
	}
}

func parseName(name string) (string, mappings.Direction, bool) {
	parts := strings.SplitN(name, ".", 3)
	if len(parts) < 2 || (parts[1] != string(mappings.In) && parts[1] != string(mappings.Out)) {
		return "", "", false
	}
	return parts[0], mappings.Direction(parts[1]), true
}

func runFile(t *testing.T, file string, c Case, m *mappings.Mapping) Case {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	a := parseArchive(data)
	input, ok := a.file("input.json")
	if !ok {
		t.Fatal("no input.json")
	}
	if err := decode(input, &c.Input); err != nil {
		t.Fatalf("input.json: %v", err)
	}
	cfg := mappings.FlowConfig{Entity: c.Entity, In: m}
	want := "canonical.json"
	if c.Direction == mappings.Out {
		cfg, want = mappings.FlowConfig{Entity: c.Entity, Out: m}, "output.json"
	}
	if zone, ok := a.file("business_zone"); ok {
		cfg.BusinessZone = strings.TrimSpace(string(zone))
	}
	got, errs := run(t, cfg, &c)
	compare(t, a, want, got)
	compare(t, a, "error", errs)
	if *update {
		if err := os.WriteFile(file, a.format(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// run maps each input record into c.Output and returns the results and
// the errors as the golden files hold them.
func run(t *testing.T, cfg mappings.FlowConfig, c *Case) ([]byte, []byte) {
	p, err := mappings.Compile(cfg)
	if err != nil {
		t.Fatalf("compiling the default mapping: %v", err)
	}
	list, isList := c.Input.([]any)
	if !isList {
		list = []any{c.Input}
	}
	var out []any
	var errs bytes.Buffer
	for i, in := range list {
		rec, ok := in.(map[string]any)
		if !ok {
			t.Fatalf("input %d is not an object", i+1)
		}
		res, err := p.Run(rec)
		if err != nil {
			for _, e := range mappings.AsErrorList(err) {
				errs.WriteString(e.Error() + "\n")
			}
			out = append(out, nil)
			continue
		}
		c.Output = append(c.Output, res.Output)
		out = append(out, res.Output)
	}
	if !isList {
		return pretty(out[0]), errs.Bytes()
	}
	return pretty(out), errs.Bytes()
}

func pretty(v any) []byte {
	if v == nil {
		return nil
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return []byte(fmt.Sprintf("marshal error: %v\n", err))
	}
	return append(b, '\n')
}

func decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// compare checks a result against the archive's file, as JSON values
// for the JSON files, or writes it there with -update-golden.
func compare(t *testing.T, a *archive, name string, got []byte) {
	t.Helper()
	if *update {
		a.set(name, got)
		return
	}
	want, _ := a.file(name)
	if strings.HasSuffix(name, ".json") && len(bytes.TrimSpace(want)) > 0 {
		var v any
		if err := decode(want, &v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want = pretty(v)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Errorf("%s differs (run with -update-golden to accept):\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}
