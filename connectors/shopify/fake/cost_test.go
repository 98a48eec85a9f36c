package fake

import (
	"os"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/switchboard-app/switchboard/connectors/shopify/schema"
)

// TestCost follows Shopify's published calculation: scalars are free, an
// object costs one, a connection two plus first times a node, a mutation
// ten more.
func TestCost(t *testing.T) {
	if _, err := os.Stat(schema.Path()); err != nil {
		if os.Getenv("SWITCHBOARD_REQUIRE_IT") == "1" {
			t.Fatal(err)
		}
		t.Skip("Shopify's schema is absent")
	}
	s, err := schema.Load(schema.Path())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query string
		want  int
	}{
		{`{ shop { name } }`, 1},
		{`{ products(first: 10) { nodes { id title } } }`, 2 + 10*1},
		{`{ products(first: 10) { nodes { id variants(first: 5) { nodes { sku } } } pageInfo { hasNextPage } } }`, 2 + 10*(1+2+5*1)},
		{`mutation { webhookSubscriptionDelete(id: "gid://shopify/WebhookSubscription/1") { deletedWebhookSubscriptionId } }`, 10 + 1},
	}
	for _, tt := range tests {
		doc, errs := gqlparser.LoadQuery(s, tt.query)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if got := Cost(s, doc.Operations[0], nil); got != tt.want {
			t.Errorf("%s costs %d, want %d", tt.query, got, tt.want)
		}
	}
}
