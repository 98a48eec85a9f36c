package mappings

import (
	"fmt"
	"os"
	"testing"
)

// benchConfig loads the Shopify golden case: 44 field definitions in
// (8 per line), 28 out (7 per line), 5 rules, and an order with 5 lines.
func benchConfig(b *testing.B) (FlowConfig, map[string]any) {
	data, err := os.ReadFile("testdata/shopify_order.txtar")
	if err != nil {
		b.Fatal(err)
	}
	a := parseArchive(data)
	var cfg FlowConfig
	cfgData, _ := a.file("config.json")
	if err := decodeJSON(cfgData, &cfg); err != nil {
		b.Fatal(err)
	}
	var in map[string]any
	inData, _ := a.file("input.json")
	if err := decodeJSON(inData, &in); err != nil {
		b.Fatal(err)
	}
	nodes := in["lineItems"].(map[string]any)["nodes"].([]any)
	for i := len(nodes); i < 5; i++ {
		line := deepCopy(nodes[i%2]).(map[string]any)
		line["sku"] = fmt.Sprintf("SKU-%d", i)
		nodes = append(nodes, line)
	}
	in["lineItems"].(map[string]any)["nodes"] = nodes
	return cfg, in
}

func benchOrder(b *testing.B) (*Program, map[string]any) {
	cfg, in := benchConfig(b)
	p, err := Compile(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return p, in
}

// BenchmarkRunOrder30 is the reference workload: an order with 5 lines,
// 30 field definitions in (the first 20 header fields, lines with 6 fields,
// payment status, shipping method and total), the 28 out, and 5 rules.
func BenchmarkRunOrder30(b *testing.B) {
	cfg, in := benchConfig(b)
	var fields []Field
	for _, f := range cfg.In.Fields {
		switch {
		case f.Each == "lineItems.nodes":
			var sub []Field
			for _, sf := range f.Fields {
				if sf.Target != "id" && sf.Target != "discount" {
					sub = append(sub, sf)
				}
			}
			f.Fields = sub
			fields = append(fields, f)
		case f.Target == "payment.status" || f.Target == "shipping_method.name" || f.Target == "totals.total":
			fields = append(fields, f)
		case len(fields) < 20 && f.Each == "":
			fields = append(fields, f)
		}
	}
	cfg.In.Fields = fields
	p, err := Compile(cfg)
	if err != nil {
		b.Fatal(err)
	}
	runBench(b, p, in)
}

// runBench runs p on in and also reports the process CPU time per record
// (cpu-ns/op), which stays meaningful on a machine shared with other work.
func runBench(b *testing.B, p *Program, in map[string]any) {
	if _, err := p.Run(in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := processCPU()
	n := 0
	for b.Loop() {
		if _, err := p.Run(in); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if used := processCPU() - start; used > 0 && n > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(n), "cpu-ns/op")
	}
}

// BenchmarkRunOrder maps one order native -> canonical -> rules -> native.
func BenchmarkRunOrder(b *testing.B) {
	p, in := benchOrder(b)
	runBench(b, p, in)
}

// BenchmarkRunOrderParallel is BenchmarkRunOrder on all cores.
func BenchmarkRunOrderParallel(b *testing.B) {
	p, in := benchOrder(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := p.Run(in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCompileOrder compiles the flow configuration, once per flow version.
func BenchmarkCompileOrder(b *testing.B) {
	data, _ := os.ReadFile("testdata/shopify_order.txtar")
	cfgData, _ := parseArchive(data).file("config.json")
	var cfg FlowConfig
	if err := decodeJSON(cfgData, &cfg); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
