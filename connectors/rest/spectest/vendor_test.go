package spectest

import (
	"net/http"
	"strings"
	"testing"
)

// TestVendorSpecsLoad: the published specs load with their repairs, and
// the fake routes their requests to the operations the vendor documents.
func TestVendorSpecsLoad(t *testing.T) {
	tests := []struct {
		spec, base string
		routes     map[string]string // request -> operation
	}{
		{AdobeCommerce, "/rest/default", map[string]string{
			"GET /rest/default/V1/products/SKU-1":                     "GET /V1/products/{sku}",
			"GET /rest/default/V1/products/attribute-sets/sets/list":  "GET /V1/products/attribute-sets/sets/list",
			"POST /rest/default/V1/inventory/source-items":            "POST /V1/inventory/source-items",
			"POST /rest/default/V1/order/41/ship":                     "POST /V1/order/{orderId}/ship",
			"GET /rest/default/V1/orders?searchCriteria[pageSize]=10": "GET /V1/orders",
		}},
		{ShopwareAdmin, "/api", map[string]string{
			"POST /api/search/product":                        "POST /search/product",
			"PATCH /api/product/0123456789abcdef0123456789ab": "PATCH /product/{id}",
			"POST /api/_action/order_delivery/abc/state/ship": "POST /_action/order_delivery/{orderDeliveryId}/state/{transition}",
			"POST /api/oauth/token":                           "POST /oauth/token",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			spec := Load(t, tt.spec)
			if spec.Base != tt.base {
				t.Errorf("base path %q, want %q", spec.Base, tt.base)
			}
			for request, want := range tt.routes {
				method, target, _ := strings.Cut(request, " ")
				req, _ := http.NewRequest(method, "http://127.0.0.1:1"+target, nil)
				route, _, err := spec.router.FindRoute(req)
				if err != nil {
					t.Errorf("%s: %v", request, err)
					continue
				}
				if got := method + " " + route.Path; got != want {
					t.Errorf("%s routes to %s, want %s", request, got, want)
				}
			}
		})
	}
}

// TestFixupNamesAPlaceThatIsGone: a repair whose place is not in the
// document (the vendor changed it) says where it looked.
func TestFixupNamesAPlaceThatIsGone(t *testing.T) {
	doc := map[string]any{"info": map[string]any{"title": "x"}, "components": map[string]any{}}
	err := Fixups[ShopwareAdmin][1].Apply(doc)
	if err == nil || !strings.Contains(err.Error(), "components > schemas: not found") {
		t.Fatalf("got %v", err)
	}
	if err := Fixups[AdobeCommerce][0].Apply(doc); err == nil || !strings.Contains(err.Error(), "info > description: not found") {
		t.Fatalf("got %v", err)
	}
}
