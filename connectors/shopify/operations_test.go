package shopify

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/switchboard-app/switchboard/connectors/shopify/fake"
)

// TestOperationsAreValid validates every operation the connector can send
// against Shopify's published schema, and checks that its requested cost
// at its largest page stays within Shopify's limit for one query. (Their
// variables are validated by the fake, on every call of the other tests.)
func TestOperationsAreValid(t *testing.T) {
	s := adminSchema(t)
	for op, vars := range operations() {
		t.Run(op.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQuery(s, op.doc)
			if len(errs) > 0 {
				t.Fatalf("Shopify's schema refuses %s: %v", op.name, errs)
			}
			def := doc.Operations.ForName(op.name)
			if def == nil {
				t.Fatalf("the document has no operation named %s", op.name)
			}
			if c := fake.Cost(s, def, vars); c > fake.MaxQueryCost {
				t.Fatalf("%s costs %d, more than Shopify's %d for one query", op.name, c, fake.MaxQueryCost)
			}
		})
	}
}

func TestValidationRefusesAMistake(t *testing.T) {
	s := adminSchema(t)
	broken := strings.Replace(ordersOp.doc, "displayFinancialStatus", "financialStatus", 1)
	if _, errs := gqlparser.LoadQuery(s, broken); len(errs) == 0 {
		t.Fatal("a field Shopify does not have was not refused")
	}
}
