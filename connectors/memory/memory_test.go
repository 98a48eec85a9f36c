package memory

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
)

func TestConformance(t *testing.T) {
	reg, ok := connectors.Lookup("memory")
	if !ok {
		t.Fatal("memory connector not registered")
	}
	store := Open("conformance")
	store.Reset()
	store.SetToken("s3cret-token")
	conntest.Run(t, conntest.Suite{
		Registration: reg,
		Config:       map[string]any{"store": "conformance"},
		Secrets:      map[string]string{"token": "s3cret-token"},
		BadSecrets:   map[string]string{"token": "wrong-token"},
		Entity:       connectors.Product,
		Seed: func(t *testing.T, n int) {
			for i := range n {
				store.Add(connectors.Product, fmt.Sprintf("p%d", i), map[string]any{"sku": fmt.Sprintf("SKU-%d", i)})
			}
		},
		Sample: map[string]any{"sku": "SKU-NEW", "name": "New",
			"price": map[string]any{"amount": "9.95"}, "images": []any{map[string]any{"url": "https://example.com/1.jpg"}}},
		Written: func(t *testing.T, id string) map[string]any {
			rec, _ := store.Get(connectors.Product, id)
			return rec
		},
		Webhook: func(t *testing.T, secret string) connectors.WebhookRequest {
			body := []byte(`{"entity":"order","records":[{"id":"o1","number":"1001"}]}`)
			h := http.Header{}
			h.Set(SignatureHeader, hex.EncodeToString(Sign(secret, body)))
			return connectors.WebhookRequest{Header: h, Body: body, Secret: secret}
		},
	})
}
