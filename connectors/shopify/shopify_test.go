package shopify

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/connectors/shopify/fake"
)

// exampleOrder is an order as Shopify's Admin GraphQL API answers it.
func exampleOrder(t testing.TB) map[string]any {
	t.Helper()
	data, err := os.ReadFile("testdata/order.json")
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	if err := json.Unmarshal(data, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestConformance(t *testing.T) {
	s := newShop(t, fake.Options{})
	reg, _ := connectors.Lookup(Name)
	conntest.Run(t, conntest.Suite{
		Registration: reg,
		Config:       s.config(),
		Secrets:      s.secrets(),
		BadSecrets:   map[string]string{"access_token": "shpat_wrong_token_999"},
		Env:          testEnv(),
		Entity:       connectors.Order,
		ReadOptions:  map[string]any{"order_status": "any"},
		WriteOptions: map[string]any{},
		Seed: func(t *testing.T, n int) {
			for i := range n {
				o := exampleOrder(t)
				delete(o, "id")
				o["name"] = fmt.Sprintf("#%d", 2000+i)
				o["updatedAt"] = time.Date(2025, 3, 1, 10, i, 0, 0, time.UTC).Format(time.RFC3339)
				s.AddOrder(o)
			}
		},
		Webhook: func(t *testing.T, secret string) connectors.WebhookRequest {
			body := []byte(`{"id": 820982911946154508, "admin_graphql_api_id": "gid://shopify/Order/820982911946154508", "name": "#9999", "email": "jon@example.com", "currency": "USD", "created_at": "2025-03-01T12:00:00-05:00", "updated_at": "2025-03-01T12:00:00-05:00", "line_items": [], "total_price_set": {"shop_money": {"amount": "0.00", "currency_code": "USD"}}}`)
			h := http.Header{"Content-Type": {"application/json"}, "X-Shopify-Topic": {"orders/create"}, "X-Shopify-Webhook-Id": {"b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"}}
			h.Set("X-Shopify-Hmac-Sha256", webhookScheme.Sign(secret, time.Now(), body))
			return connectors.WebhookRequest{Header: h, Body: body, Secret: secret}
		},
	})
}

// TestConformanceOfProducts runs the suite on products: reads with their
// variants, and repeatable writes through productSet.
func TestConformanceOfProducts(t *testing.T) {
	s := newShop(t, fake.Options{})
	reg, _ := connectors.Lookup(Name)
	conntest.Run(t, conntest.Suite{
		Registration: reg, Config: s.config(), Secrets: s.secrets(), Env: testEnv(), Entity: connectors.Product,
		Seed: func(t *testing.T, n int) {
			for i := range n {
				s.AddProduct(fake.Product{Title: fmt.Sprintf("Product %d", i), Variants: []*fake.Variant{{SKU: fmt.Sprintf("C-%d", i), Price: "5.00"}},
					UpdatedAt: time.Date(2025, 3, 1, 10, i, 0, 0, time.UTC)})
			}
		},
		Sample: speaker(),
	})
}
