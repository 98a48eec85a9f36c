package shopify

import (
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors/internal/mappingtest"
	"github.com/switchboard-app/switchboard/connectors/shopify/fake"
	"github.com/switchboard-app/switchboard/mappings"
)

// TestGoldenMappings maps the vendor's example payloads with the default
// mappings.
func TestGoldenMappings(t *testing.T) { mappingtest.Golden(t, Mappings, nil) }

// TestOrderWebhookMapsLikeARead: an order from an orders/create webhook
// (Shopify's REST body) and the same order read through GraphQL give the
// same canonical record, with the default mapping.
func TestOrderWebhookMapsLikeARead(t *testing.T) {
	s := newShop(t, fake.Options{})
	hook, err := s.open(t).ParseWebhook(signed("x", "orders/create", restOrder))
	if err != nil {
		t.Fatal(err)
	}
	all, err := mappings.LoadDefaults(Mappings, ".")
	if err != nil {
		t.Fatal(err)
	}
	p, err := mappings.Compile(mappings.FlowConfig{Entity: "order", In: mappings.Find(all, "order", mappings.In)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Run(hook.Records[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	got := mappings.Show(res.Canonical)
	for _, want := range []string{`number: "1001"`, `unit_price_incl: 149.00`, `unit_price: 123.14`, `discount: 29.80`, `tax_rate: 21.00`,
		`status: "paid"`, `country: "NL"`, `total: 288.10`, `code: "SPRING10"`, `name: "Standard Shipping"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the canonical order lacks %s:\n%s", want, got)
		}
	}
}
