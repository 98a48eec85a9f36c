package restapi

import "testing"

// TestFillPutsTheIDAndKeyEscaped: a path template gets the record's id and
// key, escaped for a path; a path without either is kept as it is.
func TestFillPutsTheIDAndKeyEscaped(t *testing.T) {
	tests := []struct {
		path, id, key, want string
	}{
		{"/orders", "42", "ORD-1", "/orders"},
		{"/orders/{id}", "42", "ORD-1", "/orders/42"},
		{"/orders/{id}", "a b/c", "", "/orders/a%20b%2Fc"},
		{"/products/by-sku/{key}", "", "SKU 1/2", "/products/by-sku/SKU%201%2F2"},
		{"/x/{id}/{key}/{other}", "1", "k", "/x/1/k/{other}"},
	}
	for _, tt := range tests {
		if got := fill(tt.path, tt.id, tt.key); got != tt.want {
			t.Errorf("fill(%q, %q, %q) = %q, want %q", tt.path, tt.id, tt.key, got, tt.want)
		}
	}
}
