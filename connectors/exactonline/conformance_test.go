package exactonline

import (
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/connectors/exactonline/fake"
)

func TestConformance(t *testing.T) {
	srv, base := exact(t, fake.Options{PageSize: 3})
	k := newKeeper(connect(t, base))
	bad := map[string]string{"oauth_client_secret": "not-the-client-secret"} // never connected
	reg, ok := connectors.Lookup(Name)
	if !ok {
		t.Fatal("the exactonline connector is not registered")
	}
	hourAgo := fmt.Sprintf("/Date(%d)/", time.Now().Add(-time.Hour).UnixMilli())
	conntest.Run(t, conntest.Suite{
		Registration: reg,
		Config:       config(base),
		Secrets:      k.secrets(),
		BadSecrets:   bad,
		Env:          connectors.Env{Shared: connectors.NewShared(), Secrets: k},
		Entity:       connectors.Customer,
		WriteOptions: map[string]any{"order_type": "order", "vat_codes": `{"NL": {"21": "2"}}`},
		Seed: func(t *testing.T, n int) {
			for i := range n {
				srv.AddRecord(division, "crm/Accounts", map[string]any{"Code": fmt.Sprint(500 + i), "Name": fmt.Sprintf("Customer %d", i),
					"Email": fmt.Sprintf("c%d@example.com", i), "Status": "C", "Modified": hourAgo})
			}
		},
		Sample: map[string]any{"Name": "Bakkerij de Vries BV", "Email": "inkoop@bakkerij.example", "City": "Amsterdam", "Country": "NL", "Status": "C"},
		Written: func(t *testing.T, id string) map[string]any {
			rec := srv.Record(division, "crm/Accounts", id)
			for _, own := range []string{"ID", "Code", "Created", "Modified"} {
				delete(rec, own)
			}
			return rec
		},
	})
}
