package schema

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

var (
	loadOnce sync.Once
	loaded   *ast.Schema
	loadErr  error
)

// published loads the published schema once, or skips when the specs are
// absent (unless SWITCHBOARD_REQUIRE_IT=1).
func published(t *testing.T) *ast.Schema {
	t.Helper()
	if _, err := os.Stat(Path()); err != nil {
		if os.Getenv("SWITCHBOARD_REQUIRE_IT") == "1" {
			t.Fatalf("the Shopify schema is required: %v", err)
		}
		t.Skipf("the Shopify schema is absent (%v); set %s", err, SpecsEnv)
	}
	loadOnce.Do(func() { loaded, loadErr = Load(Path()) })
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return loaded
}

func TestLoadPublishedSchema(t *testing.T) {
	s := published(t)
	if s.Query == nil || s.Query.Name != "QueryRoot" || s.Mutation == nil || s.Mutation.Name != "Mutation" {
		t.Fatalf("root types: query %v, mutation %v", s.Query, s.Mutation)
	}
	for _, name := range []string{"Order", "Product", "ProductVariant", "Customer", "InventoryLevel", "FulfillmentOrder", "ProductSetInput"} {
		if s.Types[name] == nil {
			t.Errorf("type %s missing", name)
		}
	}
}

func TestValidation(t *testing.T) {
	s := published(t)
	tests := []struct {
		name, query, wantErr string
	}{
		{"valid", `query($q: String) { orders(first: 2, query: $q) { nodes { id name } pageInfo { hasNextPage endCursor } } }`, ""},
		{"unknown field", `{ orders(first: 2) { nodes { id orderNumber } } }`, `Cannot query field "orderNumber" on type "Order"`},
		{"unknown argument", `{ products(first: 2, since: "x") { nodes { id } } }`, `Unknown argument "since"`},
		{"wrong input type", `mutation { productSet(input: {title: 5}) { product { id } } }`, `String cannot represent a non string value`},
		{"interface fragment", `{ node(id: "gid://shopify/Order/1") { ... on Order { id name } } }`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := gqlparser.LoadQuery(s, tt.query)
			switch {
			case tt.wantErr == "" && len(errs) > 0:
				t.Fatalf("refused: %v", errs)
			case tt.wantErr != "" && !strings.Contains(errs.Error(), tt.wantErr):
				t.Fatalf("errors %v, want %q", errs, tt.wantErr)
			}
		})
	}
}

func TestReadRefusesWhatIsNotASchema(t *testing.T) {
	for _, in := range []string{`{}`, `{"data": {}}`, `not json`} {
		if _, err := Read(strings.NewReader(in)); err == nil {
			t.Errorf("Read(%q) gave no error", in)
		}
	}
}
