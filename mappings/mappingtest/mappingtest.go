// Package mappingtest checks a connector's default mappings against golden
// files, for the connector's tests: every mapping file has at least one
// case, and each case maps its input as written down.
//
// A case is a txtar archive named <entity>_<in|out>[_<what>].txtar: a
// comment saying what it shows, then
//
//	-- input.json --      a native record (in) or a canonical one (out)
//	-- canonical.json --  in: the canonical record after mapping in, normalised
//	-- output.json --     out: the native record the connector is given
//	-- error --           or: the errors, one per line
//
// Run the connector's tests with -update to write the expectations.
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

var update = flag.Bool("update", false, "rewrite the golden files' expectations")

// Run checks the default mappings in fsys (every *.json in its root)
// against the cases in dir (a folder of the test's package, such as
// testdata/mappings).
func Run(t *testing.T, fsys fs.FS, dir string) {
	t.Helper()
	defaults, err := mappings.LoadDefaults(fsys, ".")
	if err != nil {
		t.Fatalf("loading the default mappings: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.txtar"))
	tested := map[string]bool{}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		entity, direction, ok := parseName(name)
		if !ok {
			t.Errorf("%s: name it <entity>_<in|out>[_<what>].txtar", file)
			continue
		}
		m := mappings.Find(defaults, entity, direction)
		if m == nil {
			t.Errorf("%s: there is no default %s mapping of %s", file, direction, entity)
			continue
		}
		tested[entity+"_"+string(direction)] = true
		t.Run(name, func(t *testing.T) { runCase(t, file, entity, direction, m) })
	}
	for _, m := range defaults {
		if !tested[m.Entity+"_"+string(m.Direction)] {
			t.Errorf("the default %s mapping of %s has no golden case in %s", m.Direction, m.Entity, dir)
		}
	}
}

func parseName(name string) (string, mappings.Direction, bool) {
	parts := strings.SplitN(name, "_", 3)
	if len(parts) < 2 || (parts[1] != string(mappings.In) && parts[1] != string(mappings.Out)) {
		return "", "", false
	}
	return parts[0], mappings.Direction(parts[1]), true
}

func runCase(t *testing.T, file, entity string, direction mappings.Direction, m *mappings.Mapping) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	a := parseArchive(data)
	input, ok := a.file("input.json")
	if !ok {
		t.Fatal("no input.json")
	}
	var record map[string]any
	if err := decode(input, &record); err != nil {
		t.Fatalf("input.json: %v", err)
	}
	cfg := mappings.FlowConfig{Entity: entity, In: m}
	want := "canonical.json"
	if direction == mappings.Out {
		cfg, want = mappings.FlowConfig{Entity: entity, Out: m}, "output.json"
	}
	got, errText := mapOnce(cfg, direction, record)
	compare(t, a, want, got)
	compare(t, a, "error", errText)
	if *update {
		if err := os.WriteFile(file, a.format(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// mapOnce maps the record and returns the result as indented JSON, or
// the errors one per line.
func mapOnce(cfg mappings.FlowConfig, direction mappings.Direction, record map[string]any) ([]byte, []byte) {
	p, err := mappings.Compile(cfg)
	if err != nil {
		return nil, errorLines(err)
	}
	res, err := p.Run(record)
	if err != nil {
		return nil, errorLines(err)
	}
	out := res.Canonical
	if direction == mappings.Out {
		out = res.Output
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, []byte(fmt.Sprintf("marshal error: %v\n", err))
	}
	return append(b, '\n'), nil
}

func errorLines(err error) []byte {
	var b bytes.Buffer
	for _, e := range mappings.AsErrorList(err) {
		b.WriteString(e.Error() + "\n")
	}
	return b.Bytes()
}

// compare checks one expectation (or, with -update, writes it).
func compare(t *testing.T, a *archive, name string, got []byte) {
	t.Helper()
	want, _ := a.file(name)
	if *update {
		a.set(name, got)
		return
	}
	if name != "error" && len(want) > 0 {
		var v any
		if err := decode(want, &v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, _ = json.MarshalIndent(v, "", "  ")
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func decode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}
