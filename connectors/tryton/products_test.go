package tryton

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestAProductIsWrittenWithItsDescription: a product's description,
// which Tryton keeps on the variant rather than its template, is written
// when the product is made and when it is updated.
func TestAProductIsWrittenWithItsDescription(t *testing.T) {
	s := trytond(t)
	c := s.open(t, s.Database(t))
	opts := writeOptions(t, nil)
	id := ""
	for _, description := range []string{"Oak, oiled; seats one.", "Oak, waxed; seats one."} {
		res, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Key: "CHAIR-OAK", TargetID: id, Options: opts,
			Data: map[string]any{"code": "CHAIR-OAK", "name": "Oak dining chair", "description": description, "list_price": "149.95", "type": "goods"}})
		if err != nil {
			t.Fatal(err)
		}
		id = res.TargetID
		rec, err := c.read(ctx(t), "product.product", mustInt(t, id), "description", "name")
		if err != nil {
			t.Fatal(err)
		}
		if rec["description"] != description || rec["name"] != "Oak dining chair" {
			t.Fatalf("Tryton holds %v, want the description %q", rec, description)
		}
	}
}
