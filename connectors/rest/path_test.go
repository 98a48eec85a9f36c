package rest

import (
	"encoding/json"
	"testing"
)

func TestLookup(t *testing.T) {
	var doc any
	if err := DecodeJSON([]byte(`{"data":{"items":[{"id":7},{"id":"b"}],"next":null},"token":"t1","n":12.5,"ok":true}`), &doc); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, want string
		found      bool
	}{
		{"token", "t1", true},
		{"data.items.0.id", "7", true},
		{"data.items.1.id", "b", true},
		{"n", "12.5", true},
		{"ok", "true", true},
		{"data.next", "", false},
		{"data.items.2.id", "", false},
		{"data.items.x", "", false},
		{"token.deeper", "", false},
		{"missing", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, found := Lookup(doc, tt.path)
			if got := LookupString(doc, tt.path); got != tt.want || found != tt.found {
				t.Fatalf("Lookup(%q) = %q, %v; want %q, %v", tt.path, got, found, tt.want, tt.found)
			}
		})
	}
	if items, _ := Lookup(doc, "data.items"); len(items.([]any)) != 2 {
		t.Fatalf("data.items = %v", items)
	}
	if v, _ := Lookup(doc, "n"); v != json.Number("12.5") {
		t.Fatalf("numbers must stay exact, got %#v", v)
	}
}
