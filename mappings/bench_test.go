package mappings

import (
	"fmt"
	"os"
	"testing"
)

// benchOrder loads the Shopify golden case (45 mapped fields in, 22 out,
// 5 rules) and grows the order to 5 lines.
func benchOrder(b *testing.B) (*Program, map[string]any) {
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
	p, err := Compile(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return p, in
}

// BenchmarkRunOrder maps one order native -> canonical -> rules -> native.
func BenchmarkRunOrder(b *testing.B) {
	p, in := benchOrder(b)
	if _, err := p.Run(in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Run(in); err != nil {
			b.Fatal(err)
		}
	}
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
