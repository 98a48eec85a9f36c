package codec

import (
	"slices"
	"testing"
)

func TestOrderArrange(t *testing.T) {
	order := &Order{Keys: []string{"number", "date", "lines"}, Fields: map[string]*Order{"lines": {Keys: []string{"sku", "qty"}}}}
	tests := []struct {
		name  string
		order *Order
		keys  []string
		want  []string
	}{
		{"the mapping's order", order, []string{"lines", "date", "number"}, []string{"number", "date", "lines"}},
		{"unlisted keys after, by name", order, []string{"zeta", "lines", "alpha", "number"}, []string{"number", "lines", "alpha", "zeta"}},
		{"a field's own order", order.Field("lines"), []string{"qty", "price", "sku"}, []string{"sku", "qty", "price"}},
		{"no order: by name", nil, []string{"b", "c", "a"}, []string{"a", "b", "c"}},
		{"no order inside a field without one", order.Field("date"), []string{"b", "a"}, []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := slices.Clone(tt.keys)
			tt.order.Arrange(keys)
			if !slices.Equal(keys, tt.want) {
				t.Fatalf("Arrange(%v) = %v, want %v", tt.keys, keys, tt.want)
			}
		})
	}
}

func TestOrderOfPaths(t *testing.T) {
	o := OrderOf([]string{"Nummer", "Klant.Naam", "Regels.Artikel", "Klant.Email", "Regels.Aantal"})
	if !slices.Equal(o.Keys, []string{"Nummer", "Klant", "Regels"}) ||
		!slices.Equal(o.Field("Klant").Keys, []string{"Naam", "Email"}) ||
		!slices.Equal(o.Field("Regels").Keys, []string{"Artikel", "Aantal"}) || o.Field("Nummer") != nil {
		t.Fatalf("OrderOf = %+v", o)
	}
	if OrderOf(nil) != nil {
		t.Fatal("no paths, yet an order")
	}
}
