package fieldset

import (
	"fmt"
	"strings"
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

// TestKeepReachesIntoLists: a nested name keeps its field of each object
// of a list, with the fields that identify an element, which go only
// with the list around them.
func TestKeepReachesIntoLists(t *testing.T) {
	rec := map[string]any{"id": "P1", "title": "Speaker", "tags": []any{"audio"},
		"variants": []any{map[string]any{"sku": "A", "price": "10.00", "barcode": "871"}}}
	tests := []struct {
		set, want string
	}{
		{"all", fmt.Sprint(rec)},
		{"ALL", fmt.Sprint(rec)},
		{"title", "map[id:P1 title:Speaker]"},
		{"variants.price", "map[id:P1 variants:[map[price:10.00 sku:A]]]"},
		{"title, variants.price,variants.barcode", "map[id:P1 title:Speaker variants:[map[barcode:871 price:10.00 sku:A]]]"},
		{"variants", "map[id:P1 variants:[map[barcode:871 price:10.00 sku:A]]]"},
		{"variants.price, variants", "map[id:P1 variants:[map[barcode:871 price:10.00 sku:A]]]"},
		{"variants, variants.price", "map[id:P1 variants:[map[barcode:871 price:10.00 sku:A]]]"},
		{"tags.name", "map[id:P1 tags:[audio]]"},
	}
	for _, tt := range tests {
		set, err := Parse(tt.set)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.set, err)
		}
		if got := fmt.Sprint(set.Keep(rec, "id", "variants.sku")); got != tt.want {
			t.Errorf("Keep(%q) = %s, want %s", tt.set, got, tt.want)
		}
	}
	if fmt.Sprint(rec["variants"]) != "[map[barcode:871 price:10.00 sku:A]]" {
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

func TestParseKnownRefusesUnknownFields(t *testing.T) {
	known := []string{"title", "variants", "variants.price"}
	tests := []struct{ text, err string }{
		{"title, variants.price", ""},
		{"all", ""},
		{"title,prices", `unknown field "prices"; the fields are title, variants, variants.price`},
		{"title,pri ces$", `"ces$" is not a field name (letters, digits, _ and -, nested names joined by dots)`},
	}
	for _, tt := range tests {
		_, err := ParseKnown(tt.text, known)
		if got := fmt.Sprint(err); (tt.err == "" && err != nil) || (tt.err != "" && got != tt.err) {
			t.Errorf("ParseKnown(%q) = %v, want %q", tt.text, err, tt.err)
		}
	}
}

// TestOptionsOfTheirOwnNames: a connector whose options have names of
// their own reads and checks them by those names, with its known fields.
func TestOptionsOfTheirOwnNames(t *testing.T) {
	o := Options{Sync: "product_fields", Known: []string{"title", "variants", "variants.price"}}
	opts := connectors.Config{Values: map[string]any{"product_fields": "title, variants", UpdateOption: "variants.price"}}
	create, update, err := o.Read(opts)
	if err != nil || fmt.Sprint(create) != "[title variants]" || fmt.Sprint(update) != "[variants.price]" {
		t.Fatalf("Read = %v, %v, %v", create, update, err)
	}
	problems := map[string]string{}
	o.Validate(connectors.Config{Values: map[string]any{"product_fields": "price"}}, problems)
	if len(problems) != 1 || !strings.HasPrefix(problems["product_fields"], `unknown field "price"`) {
		t.Fatalf("problems %v", problems)
	}
	_, _, err = o.Read(connectors.Config{Values: map[string]any{UpdateOption: "price"}})
	if class, _ := connectors.Classify(err); class != connectors.ClassPermanent || !strings.HasPrefix(err.Error(), "update_fields: unknown field") {
		t.Fatalf("a bad option read: %v", err)
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
