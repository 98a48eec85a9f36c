package mappings

import (
	"slices"
	"testing"
)

func TestOutputPathsFollowTheMapping(t *testing.T) {
	prog, err := Compile(FlowConfig{Entity: "order", Out: &Mapping{Entity: "order", Direction: Out, Fields: []Field{
		{Target: "Nummer", Expr: "number"},
		{Target: "Klant.Naam", Expr: "customer.last_name"},
		{Target: "Datum", Expr: "format_time(created_at, '2006-01-02')"},
		{Target: "Regels", Each: "lines", Fields: []Field{{Target: "Artikel", Expr: "item.sku"}, {Target: "Aantal", Expr: "item.quantity"}}},
		{Target: "Klant.Email", Expr: "customer.email"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Nummer", "Klant", "Klant.Naam", "Klant.Email", "Datum", "Regels", "Regels.Artikel", "Regels.Aantal"}
	if got := prog.OutputPaths(); !slices.Equal(got, want) {
		t.Fatalf("OutputPaths() = %v\nwant %v", got, want)
	}
}

func TestOutputPathsWithoutAWriteMappingFollowTheModel(t *testing.T) {
	prog, err := Compile(FlowConfig{Entity: "product"})
	if err != nil {
		t.Fatal(err)
	}
	got := prog.OutputPaths()
	if len(got) < 3 || got[0] != "id" || got[1] != "sku" || !slices.Contains(got, "prices.list") {
		t.Fatalf("OutputPaths() = %v, want the product model's fields in order", got)
	}
}
