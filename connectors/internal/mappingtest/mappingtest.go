// Package mappingtest runs a connector's golden files through its default
// mappings, for the connector's tests. Each testdata/golden/NAME.txtar
// holds one case of one mapping: NAME is "<entity>.in" or "<entity>.out"
// (and anything after a further dot, such as order.in.guest), and the
// archive's files are
//
//	input.json      a native record (in) or a canonical one (out), or a list
//	canonical.json  the canonical record(s) an in mapping makes
//	output.json     the native record(s) an out mapping makes
//	error           the errors, one per line, when the case fails
//
// Run the tests with -update-golden to write the expectations.
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
	// ones (out), one per input record.
	Output []map[string]any
}

// Golden runs every testdata/golden/*.txtar of the package through the
// default mappings in fsys, compares the results with the files, and hands
// each case to check (which checks the native side against the vendor's
// schema); check may be nil.
func Golden(t *testing.T, fsys fs.FS, check func(t *testing.T, c Case)) {
	defaults, err := mappings.LoadDefaults(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar"))
	if len(files) == 0 {
		t.Fatal("no golden files in testdata/golden")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			c := runFile(t, file, name, defaults)
			if check != nil && !t.Failed() {
				check(t, c)
			}
		})
	}
}

func runFile(t *testing.T, file, name string, defaults []*mappings.Mapping) Case {
	parts := strings.Split(name, ".")
	if len(parts) < 2 || (parts[1] != string(mappings.In) && parts[1] != string(mappings.Out)) {
		t.Fatalf("%s: name it <entity>.in or <entity>.out", file)
	}
	c := Case{Name: name, Entity: parts[0], Direction: mappings.Direction(parts[1])}
	m := mappings.Find(defaults, c.Entity, c.Direction)
	if m == nil {
		t.Fatalf("the connector has no %s mapping of %s", c.Direction, c.Entity)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	a := parse(data)
	if err := decode(a.files["input.json"], &c.Input); err != nil {
		t.Fatalf("input.json: %v", err)
	}
	cfg := mappings.FlowConfig{Entity: c.Entity}
	want := "canonical.json"
	if c.Direction == mappings.In {
		cfg.In = m
	} else {
		cfg.Out, want = m, "output.json"
	}
	got, errs := run(t, cfg, c.Input, &c)
	compare(t, a, want, got)
	compare(t, a, "error", errs)
	if *update {
		if err := os.WriteFile(file, a.format(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// run maps each input record and returns the results and the errors as
// the golden files hold them.
func run(t *testing.T, cfg mappings.FlowConfig, input any, c *Case) ([]byte, []byte) {
	p, err := mappings.Compile(cfg)
	if err != nil {
		t.Fatalf("compiling the default mapping: %v", err)
	}
	list, isList := input.([]any)
	if !isList {
		list = []any{input}
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
	if !isList && len(out) == 1 {
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
		return []byte("marshal error: " + err.Error() + "\n")
	}
	return append(b, '\n')
}

func decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// compare checks a result against the archive's file, or writes it there
// with -update-golden.
func compare(t *testing.T, a *archive, name string, got []byte) {
	t.Helper()
	if *update {
		a.set(name, got)
		return
	}
	if want := a.files[name]; !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Errorf("%s differs (run with -update-golden to accept):\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// archive is a txtar file: a comment, then files each after a
// "-- name --" line.
type archive struct {
	comment []byte
	names   []string
	files   map[string][]byte
}

func parse(data []byte) *archive {
	a := &archive{files: map[string][]byte{}}
	cur := ""
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		trimmed := bytes.TrimSpace(line)
		if bytes.HasPrefix(trimmed, []byte("-- ")) && bytes.HasSuffix(trimmed, []byte(" --")) && len(trimmed) > 6 {
			cur = string(trimmed[3 : len(trimmed)-3])
			a.names = append(a.names, cur)
			a.files[cur] = nil
			continue
		}
		if cur == "" {
			a.comment = append(a.comment, line...)
		} else {
			a.files[cur] = append(a.files[cur], line...)
		}
	}
	return a
}

func (a *archive) set(name string, data []byte) {
	if _, ok := a.files[name]; !ok {
		if len(data) == 0 {
			return
		}
		a.names = append(a.names, name)
	}
	a.files[name] = data
}

func (a *archive) format() []byte {
	var b bytes.Buffer
	b.Write(a.comment)
	for _, n := range a.names {
		if len(a.files[n]) == 0 && n != "input.json" {
			continue
		}
		fmt.Fprintf(&b, "-- %s --\n", n)
		b.Write(a.files[n])
		if d := a.files[n]; len(d) > 0 && d[len(d)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}
