package restapi_test

// The preset of docs/connectors.md, word for word but for the package and
// the registration, and a test that it works.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/restapi"
)

var kinds = []string{auth.KindOAuth2, auth.KindAPIKey}

// Spec is Acme's spec: its address, the kit's auth fields, pacing.
var Spec = connectors.Spec{
	Name: "acme", Title: "Acme Shop", Category: connectors.CategoryWebshop,
	Auth: auth.SpecKinds(kinds...),
	Fields: append(append([]connectors.Field{
		{Name: "base_url", Title: "Shop address", Type: connectors.TypeURL, Required: true,
			Help: "Your shop's API address.", Example: "https://yourshop.acme.example/api/v3"},
	}, auth.Fields(kinds...)...), restapi.CommonFields...),
	Reads:  []connectors.Entity{connectors.Order},
	Writes: []connectors.Entity{connectors.Stock},
	Validate: func(cfg connectors.Config, _ connectors.Env) error {
		if problems := restapi.ValidateAuth(cfg, kinds); len(problems) > 0 {
			return &connectors.ValidationError{Connector: "acme", Fields: problems}
		}
		return nil
	},
}

// New opens a connection: Acme's requests as the generic connector's settings.
func New(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	return restapi.Open(cfg, env, restapi.Settings{
		Entities: map[connectors.Entity]restapi.Entity{
			connectors.Order: {List: &restapi.List{Path: "orders", Records: "orders", Paging: "link",
				PageSize: 250, Since: "updated_at_min", Updated: "updated_at"}, Key: []string{"order_number"}},
			connectors.Stock: {Create: &restapi.Call{Path: "inventory_levels/set", Record: "inventory_level"},
				ID: "inventory_item_id", Key: []string{"sku"}},
		},
		TestPath: "shop", TestNamePath: "shop.name", IdempotencyHeader: "Idempotency-Key",
	})
}

func TestThePresetOfTheGuideWorks(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v3/shop" || r.Header.Get("X-Api-Key") != "acme-key-1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"shop":{"name":"Acme Demo Shop"}}`))
	}))
	defer srv.Close()
	reg := connectors.NewRegistry()
	if err := reg.Register(Spec, New); err != nil {
		t.Fatal(err)
	}
	conn, err := reg.Open("acme", map[string]any{"base_url": srv.URL + "/api/v3", "auth": auth.KindAPIKey},
		map[string]string{"api_key": "acme-key-1"}, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := conn.Test(context.Background())
	if err != nil || !res.OK || res.Message != "connected as Acme Demo Shop" {
		t.Fatalf("Test = %+v, %v", res, err)
	}
	if _, err := reg.Open("acme", map[string]any{"base_url": srv.URL, "auth": auth.KindAPIKey}, nil, connectors.Env{}); err == nil {
		t.Fatal("a connection without its API key was opened")
	}
}
