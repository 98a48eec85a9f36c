// Package goldentest runs a connector's default mappings over the vendor's
// example payloads and compares the result with the expected records, for
// the connectors' golden tests. A case is a JSON file in a folder:
//
//	{"entity": "order", "direction": "in", "input": {...native...}, "canonical": {...}}
//	{"entity": "stock", "direction": "out", "canonical": {...}, "output": {...native...}}
//
// go test -run Golden -update-golden writes the results into the files.
package goldentest

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/mappings"
)

var update = flag.Bool("update-golden", false, "write the mapped records into the golden files")

// Case is one golden file.
type Case struct {
	Entity    string         `json:"entity"`
	Direction string         `json:"direction"`
	Source    string         `json:"source,omitempty"`
	Input     map[string]any `json:"input,omitempty"`
	Canonical any            `json:"canonical"`
	Output    any            `json:"output,omitempty"`
}

// Run runs every *.json case in dir through the default mappings.
func Run(t *testing.T, defaults fs.FS, dir string) {
	t.Helper()
	all, err := mappings.LoadDefaults(defaults, ".")
	if err != nil {
		t.Fatalf("loading the default mappings: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Fatalf("no golden cases in %s", dir)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			runCase(t, all, file)
		})
	}
}

func runCase(t *testing.T, all []*mappings.Mapping, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var c Case
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	cfg := mappings.FlowConfig{Entity: c.Entity}
	input := c.Input
	switch c.Direction {
	case "in":
		cfg.In = mappings.Find(all, c.Entity, mappings.In)
	case "out":
		cfg.Out = mappings.Find(all, c.Entity, mappings.Out)
		input, _ = c.Canonical.(map[string]any)
	}
	if cfg.In == nil && cfg.Out == nil {
		t.Fatalf("no default %s mapping for %s", c.Direction, c.Entity)
	}
	p, err := mappings.Compile(cfg)
	if err != nil {
		t.Fatalf("compiling: %v", err)
	}
	res, err := p.Run(input)
	if err != nil {
		t.Fatalf("mapping: %v", err)
	}
	got := Case{Entity: c.Entity, Direction: c.Direction, Source: c.Source, Input: c.Input, Canonical: normal(t, res.Canonical)}
	if c.Direction == "out" {
		got.Canonical, got.Output = c.Canonical, normal(t, res.Output)
	}
	compare(t, file, c, got)
}

func compare(t *testing.T, file string, want, got Case) {
	if *update {
		data, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(file, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, part := range []struct {
		name      string
		want, got any
	}{{"canonical", want.Canonical, got.Canonical}, {"output", want.Output, got.Output}} {
		w, g := text(part.want), text(part.got)
		if w != g {
			t.Errorf("%s %s:\n got: %s\nwant: %s", file, part.name, g, w)
		}
	}
}

// normal is a value as JSON gives it back, numbers kept exact.
func normal(t *testing.T, v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	_ = dec.Decode(&out)
	return out
}

func text(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}
