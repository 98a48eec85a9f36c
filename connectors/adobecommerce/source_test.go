package adobecommerce

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/adobecommerce/adobetest"
	"github.com/switchboard-app/switchboard/mappings"
)

// TestStockAtTheFlowsSource: a stock record is saved at the flow's
// source when the flow names one, whatever location the record has (an
// ERP's warehouse code, which is no source of the shop); it was saved at
// the record's location, and failed as a missing source or landed at
// another source than the flow's. A flow that names none saves each
// record at its own location, or at the default source.
func TestStockAtTheFlowsSource(t *testing.T) {
	defaults, err := mappings.LoadDefaults(Mappings, ".")
	if err != nil {
		t.Fatal(err)
	}
	p, err := mappings.Compile(mappings.FlowConfig{Entity: "stock", Out: mappings.Find(defaults, "stock", mappings.Out)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		option   map[string]any
		location any
		want     string
	}{
		{"the flow's source over the record's location", map[string]any{"source_code": "tilburg"}, "rotterdam", "tilburg"},
		{"the flow's source over the default", map[string]any{"source_code": "tilburg"}, nil, "tilburg"},
		{"the record's location when the flow names none", nil, "rotterdam", "rotterdam"},
		{"the default source when neither does", nil, nil, "default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shop := adobetest.New(t)
			shop.AddSource("tilburg")
			shop.AddSource("rotterdam")
			shop.AddProduct(map[string]any{"sku": "CBL-3M", "name": "Cable", "price": 10})
			canonical := map[string]any{"sku": "CBL-3M", "quantity": 7}
			if tc.location != nil {
				canonical["location"] = tc.location
			}
			res, err := p.Run(canonical)
			if err != nil {
				t.Fatal(err)
			}
			c := open(t, shop)
			if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Stock, Key: "CBL-3M", Data: res.Output,
				Options: options(t, connectors.UseWrite, tc.option)}); err != nil {
				t.Fatal(err)
			}
			for _, source := range []string{"default", "tilburg", "rotterdam"} {
				if _, saved := shop.SourceItem(source, "CBL-3M"); saved != (source == tc.want) {
					t.Errorf("a source item at %s: %v; want one at %s only", source, saved, tc.want)
				}
			}
		})
	}
}
