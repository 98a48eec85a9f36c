package tryton

import (
	"fmt"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
)

func TestConformance(t *testing.T) {
	s := trytond(t)
	db := s.database(t)
	c := s.open(t, db)
	reg, ok := connectors.Lookup(Name)
	if !ok {
		t.Fatal("the tryton connector is not registered")
	}
	conntest.Run(t, conntest.Suite{
		Registration: reg,
		Config:       s.config(db),
		Secrets:      map[string]string{"password": s.password},
		BadSecrets:   map[string]string{"password": "not-the-password-1"}, // one failed login: five lock the user out
		Env:          connectors.Env{Shared: connectors.NewShared()},
		Entity:       connectors.Customer,
		WriteOptions: map[string]any{"order_type": "order", "vat_codes": `{"NL": {"21": "VAT 21%"}}`},
		Seed: func(t *testing.T, n int) {
			for i := range n {
				if _, err := c.create(ctx(t), "party.party", map[string]any{"name": fmt.Sprintf("Customer %d", i),
					"contact_mechanisms": []any{[]any{"create", []any{map[string]any{"type": "email", "value": fmt.Sprintf("c%d@example.com", i)}}}}}); err != nil {
					t.Fatal(err)
				}
			}
		},
		Sample: map[string]any{"name": "Bakkerij de Vries", "email": "inkoop@bakkerij.example", "phone": "+31201234567",
			"addresses": []any{map[string]any{"street": "Dorpsstraat 12", "postal_code": "1234 AB", "city": "Amsterdam", "country": "NL"}}},
		Written: func(t *testing.T, id string) map[string]any {
			rec, err := c.read(ctx(t), "party.party", mustInt(t, id), "name", "contact_mechanisms.type", "contact_mechanisms.value",
				"addresses.street", "addresses.postal_code", "addresses.city", "addresses.country.code")
			if err != nil {
				t.Fatal(err)
			}
			var addresses []any
			for _, a := range anyList(rec["addresses"]) {
				a := a.(map[string]any)
				addresses = append(addresses, map[string]any{"street": a["street"], "postal_code": a["postal_code"], "city": a["city"],
					"country": lookup(a, "country.code")})
			}
			return map[string]any{"name": rec["name"], "email": contact(rec, "email"), "phone": contact(rec, "phone"), "addresses": addresses}
		},
	})
}
