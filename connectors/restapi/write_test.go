package restapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

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

// TestTheAppGetsTheIDAndKeyAsTheyAre: an id or key with characters that
// mean something in an address (&, =, +, #, ?, /, %, a space) reaches the
// app as it is, in a path segment and in a query value alike.
func TestTheAppGetsTheIDAndKeyAsTheyAre(t *testing.T) {
	var mu sync.Mutex
	var gotPath, gotSKU, gotID string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		gotPath, gotSKU, gotID = r.URL.Path, r.URL.Query().Get("sku"), r.URL.Query().Get("id")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id": "1"}`))
	}))
	t.Cleanup(srv.Close)
	const entities = `{"product": {"create": {"path": "products/{key}?sku={key}"},
		"update": {"method": "PATCH", "path": "products?id={id}&sku={key}"},
		"get": {"path": "products/lookup?id={id}"}}}`
	c := open(t, map[string]any{"base_url": srv.URL, "auth": "none", "entities": entities}, nil)
	for _, value := range []string{"A&B=C", "USB-C+HDMI", "50% off", "a/b?c#d", "x;y,z"} {
		t.Run(value, func(t *testing.T) {
			ctx := context.Background()
			req := connectors.WriteRequest{Entity: connectors.Product, Key: value, Data: map[string]any{"sku": value}}
			if _, err := c.Write(ctx, req); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			if gotPath != "/products/"+value || gotSKU != value {
				t.Errorf("create: the app got the path %q and sku %q; want %q in both", gotPath, gotSKU, value)
			}
			mu.Unlock()
			req.TargetID = value
			if _, err := c.Write(ctx, req); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			if gotID != value || gotSKU != value {
				t.Errorf("update: the app got id %q and sku %q; want %q in both", gotID, gotSKU, value)
			}
			mu.Unlock()
			if _, err := c.Get(ctx, connectors.Product, value); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			if gotID != value {
				t.Errorf("get: the app got id %q; want %q", gotID, value)
			}
			mu.Unlock()
		})
	}
}
