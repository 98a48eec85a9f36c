package fieldset

import (
	"fmt"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

func TestKeep(t *testing.T) {
	rec := map[string]any{"sku": "A-1", "name": "Chair", "price": 10, "custom_attributes": []any{"x"},
		"extension_attributes": map[string]any{"website_ids": []any{1}, "category_links": []any{2}}}
	tests := []struct {
		set  string
		want string
	}{
		{"", fmt.Sprint(rec)},
		{"price", "map[price:10 sku:A-1]"},
		{"price, extension_attributes.website_ids", "map[extension_attributes:map[website_ids:[1]] price:10 sku:A-1]"},
		{"custom_attributes.description", "map[custom_attributes:[x] sku:A-1]"},
		{"weight", "map[sku:A-1]"},
	}
	for _, tt := range tests {
		set, err := Parse(tt.set)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(set.Keep(rec, "sku")); got != tt.want {
			t.Errorf("Keep(%q) = %s, want %s", tt.set, got, tt.want)
		}
	}
	if len(rec) != 5 {
		t.Fatalf("Keep changed the record: %v", rec)
	}
}

func TestIntersect(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{"", "", "[]"},
		{"price,name", "", "[price name]"},
		{"", "price", "[price]"},
		{"price,name", "price,stock", "[price]"},
		{"extension_attributes", "extension_attributes.website_ids", "[extension_attributes.website_ids]"},
	}
	for _, tt := range tests {
		a, _ := Parse(tt.a)
		b, _ := Parse(tt.b)
		if got := fmt.Sprint(Intersect(a, b)); got != tt.want {
			t.Errorf("Intersect(%q, %q) = %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
	if got := Intersect(Set{"name"}, Set{"price"}).Keep(map[string]any{"sku": "A", "name": "x", "price": 1}, "sku"); fmt.Sprint(got) != "map[sku:A]" {
		t.Errorf("sets with nothing in common keep %v, want the key alone", got)
	}
}

func TestBadNamesAreRefusedByOption(t *testing.T) {
	opts := connectors.Config{Values: map[string]any{SyncOption: "price, na me$", UpdateOption: "price"}}
	problems := map[string]string{}
	Validate(opts, problems)
	if problems[SyncOption] != `"me$" is not a field name (letters, digits, _ and -, nested names joined by dots)` || len(problems) != 1 {
		t.Fatalf("problems %v", problems)
	}
	if _, _, err := FromOptions(opts); err == nil {
		t.Fatal("FromOptions took a bad name")
	}
}
