package fieldpolicy

import (
	"fmt"
	"testing"
)

var known = []string{"title", "tags", "variants", "variants.price", "variants.barcode"}

func TestFilter(t *testing.T) {
	rec := map[string]any{"id": "P1", "title": "Speaker", "tags": []any{"audio"},
		"variants": []any{map[string]any{"sku": "A", "price": "10.00", "barcode": "871"}}}
	tests := []struct {
		list, want string
	}{
		{"all", fmt.Sprint(rec)},
		{"", fmt.Sprint(rec)},
		{"title", "map[id:P1 title:Speaker]"},
		{"variants.price", "map[id:P1 variants:[map[price:10.00 sku:A]]]"},
		{"title, variants.price,variants.barcode", "map[id:P1 title:Speaker variants:[map[barcode:871 price:10.00 sku:A]]]"},
		{"variants", "map[id:P1 variants:[map[barcode:871 price:10.00 sku:A]]]"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.list, known)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.list, err)
		}
		if got := fmt.Sprint(s.Filter(rec, "id", "variants.sku")); got != tt.want {
			t.Errorf("%q: got %s, want %s", tt.list, got, tt.want)
		}
	}
	if fmt.Sprint(rec["variants"]) != "[map[barcode:871 price:10.00 sku:A]]" {
		t.Fatalf("Filter changed the record: %v", rec)
	}
}

func TestParseRefusesUnknownFields(t *testing.T) {
	if _, err := Parse("title,prices", known); err == nil {
		t.Fatal("an unknown field was taken")
	}
}
