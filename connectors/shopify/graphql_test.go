package shopify

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// TestErrorsInAnAnswerAreClassified: Shopify answers a GraphQL call 200
// with errors; an internal error of its own is tried again, a query it
// refuses is not.
func TestErrorsInAnAnswerAreClassified(t *testing.T) {
	tests := []struct {
		name, body string
		class      connectors.Class
		says       string
	}{
		{"internal error", `{"errors":[{"message":"Internal error. Looks like something went wrong on our end.",` +
			`"extensions":{"code":"INTERNAL_SERVER_ERROR","requestId":"d2f47302"}}]}`,
			connectors.ClassTransient, "Shopify failed on its side: Internal error"},
		{"access denied", `{"errors":[{"message":"Access denied for products field.","extensions":{"code":"ACCESS_DENIED"}}]}`,
			connectors.ClassPermanent, "Shopify refused the query: Access denied"},
		{"query too costly", `{"errors":[{"message":"Query cost is 2000, which exceeds the single query max cost limit (1000).",` +
			`"extensions":{"code":"MAX_COST_EXCEEDED"}}]}`,
			connectors.ClassPermanent, "Shopify refused the query: Query cost is 2000"},
		{"no code", `{"errors":[{"message":"Field 'nope' doesn't exist on type 'Product'"}]}`,
			connectors.ClassPermanent, "Shopify refused the query: Field 'nope'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			client, err := rest.New(rest.Options{BaseURL: srv.URL + "/admin/api/" + apiVersion + "/"})
			if err != nil {
				t.Fatal(err)
			}
			g := &gql{client: client, now: time.Now}
			err = g.do(ctx(t), productsOp, map[string]any{"first": 1}, nil)
			if class, _ := connectors.Classify(err); class != tt.class || err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("error %v (%s); want %s, saying %q", err, class, tt.class, tt.says)
			}
		})
	}
}
