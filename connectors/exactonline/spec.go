// Package exactonline is the Exact Online connector: accounts (customers),
// items, stock positions per warehouse, sales orders and sales invoices
// read from one division; accounts, items and orders (as sales orders,
// sales invoices or quotations) written to it, through its REST API with
// OAuth2 (authorization code; 10-minute access tokens and refresh tokens
// that rotate at every refresh, each kept sealed before it is used).
package exactonline

import (
	"embed"
	"io/fs"
	"net/url"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
)

// Name is the connector's registered name.
const Name = "exactonline"

// DefaultBaseURL is Exact Online's address in the Netherlands.
const DefaultBaseURL = "https://start.exactonline.nl"

//go:embed mappings/*.json
var mappingFiles embed.FS

// Mappings are the default mappings, one per entity and direction.
var Mappings, _ = fs.Sub(mappingFiles, "mappings")

var flowFields = erp.FlowFields(erp.Defaults{
	App: "Exact Online", Journal: "70",
	WarehouseHelp: "The code of the Exact Online warehouse sales orders are delivered from, and whose stock positions a stock flow reads; empty: the division's default warehouse, and stock of every warehouse.",
	JournalHelp:   "The code of the sales journal that invoices are entered in (Exact Online's default sales journal is 70).",
	GuestHelp:     "its account code (customer number)",
})

func managed(name, title string) connectors.Field {
	return connectors.Field{Name: name, Title: title, Type: connectors.TypeString, Secret: true, Advanced: true,
		Help: "Kept by Switchboard after you press Connect, sealed; leave it empty."}
}

// Spec is the Exact Online connector's spec.
var Spec = connectors.Spec{
	Name: Name, Title: "Exact Online", Category: connectors.CategoryERP,
	Description: "Exact Online: customers, items, stock positions, sales orders and invoices of one division.",
	Auth:        []connectors.AuthKind{connectors.AuthOAuth2},
	Fields: []connectors.Field{
		{Name: "base_url", Title: "Exact Online address", Type: connectors.TypeURL, Default: DefaultBaseURL,
			Help: "Exact Online's address for your country: https://start.exactonline.nl, .be, .de, .fr, .es, .co.uk or https://start.exactonline.com (United States)."},
		{Name: "division", Title: "Division", Type: connectors.TypeInt, Required: true,
			Help: "The number of the administration (division) to work in; test the connection to see your current one.", Example: "1234567"},
		{Name: "oauth_client_id", Title: "Client ID", Type: connectors.TypeString, Required: true,
			Help: "The client ID of your app in the Exact Online App Center; its redirect URI is https://<your Switchboard>/api/switchboard/oauth/callback."},
		{Name: "oauth_client_secret", Title: "Client secret", Type: connectors.TypeString, Secret: true, Required: true,
			Help: "The client secret of your app in the Exact Online App Center."},
		managed(auth.AccessTokenSecret, "Access token"),
		managed(auth.RefreshTokenSecret, "Refresh token"),
		managed(auth.TokenInfoSecret, "Token facts"),
		{Name: "rate_limit", Title: "Calls per second", Type: connectors.TypeInt, Default: 0, Advanced: true,
			Help: "The most calls per second, over every flow; 0 sets none of its own: Exact Online's minutely and daily limits (its X-RateLimit headers) are kept in any case."},
		{Name: "max_in_flight", Title: "Calls at once", Type: connectors.TypeInt, Default: 2, Advanced: true,
			Help: "The most calls waiting for an answer at once, over every flow; Exact Online advises few."},
		{Name: "timeout", Title: "Request timeout", Type: connectors.TypeDuration, Default: "60s", Advanced: true,
			Help: "How long one request may take once it goes out."},
	},
	FlowFields:   flowFields,
	Reads:        []connectors.Entity{connectors.Customer, connectors.Product, connectors.Stock, connectors.Order, connectors.Invoice},
	Writes:       []connectors.Entity{connectors.Customer, connectors.Product, connectors.Order},
	Mappings:     Mappings,
	Validate:     validate,
	ValidateFlow: erp.ValidateFlow(Name, flowFields),
}

func init() { connectors.Register(Spec, New) }

// validate checks that the address is an Exact Online address without a
// path, and the division a number above zero.
func validate(cfg connectors.Config, _ connectors.Env) error {
	problems := map[string]string{}
	if u, err := url.Parse(cfg.String("base_url")); err != nil || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		problems["base_url"] = "must be Exact Online's address without a path, such as " + DefaultBaseURL
	}
	if cfg.Int("division") <= 0 {
		problems["division"] = "must be the division's number, above zero"
	}
	if len(problems) > 0 {
		return &connectors.ValidationError{Connector: Name, Fields: problems}
	}
	return nil
}
