package xero

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
)

// Conn is one connection to a Xero organisation.
type Conn struct {
	client  *rest.Client
	oauth   *auth.AuthCode
	tenants *tenantChoice
	// orders and contacts are looked up and created one business key at
	// a time over every worker of the connection.
	orders, contacts *erp.Keys
	taxes            *taxRates
}

// inFlight is how many calls Xero takes at once per organisation.
const inFlight = 5

// New opens a connection: the kit's client on the Accounting API, with
// the OAuth2 token and pacing under Xero's limits. It does no I/O.
func New(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	httpClient := env.HTTPClient
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	oauth := auth.NewAuthCode(cfg, env, httpClient)
	pacer := xeroPacer{pace.For(env.Shared, pace.Settings{Rate: float64(cfg.Int(fieldRate)) / 60, InFlight: inFlight})}
	client, err := rest.New(rest.Options{BaseURL: cfg.String(fieldAPIURL), HTTPClient: httpClient, Logger: env.Logger,
		Auth: oauth, Pacer: pacer, IdempotencyHeader: "Idempotency-Key", Timeout: cfg.Duration(fieldTimeout)})
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("%s: %w", fieldAPIURL, err))
	}
	return &Conn{client: client, oauth: oauth, tenants: tenantsFor(env.Shared, cfg.String(fieldTenant), client),
		orders: erp.KeysFor(env.Shared, "orders"), contacts: erp.KeysFor(env.Shared, "contacts"), taxes: &taxRates{}}, nil
}

// Close does nothing: the HTTP client is the engine's.
func (c *Conn) Close() error { return nil }

// AuthCodeURL starts a Connect: Xero's consent page, where the person
// signs in and picks the organisations to connect.
func (c *Conn) AuthCodeURL(redirectURL, state string) (string, string, error) {
	return c.oauth.AuthCodeURL(redirectURL, state)
}

// ExchangeCode trades the code Xero sent back for tokens; the
// organisation is picked when the connection is next used (see Test).
func (c *Conn) ExchangeCode(ctx context.Context, redirectURL, code, verifier string) (map[string]string, error) {
	c.tenants.forget()
	return c.oauth.ExchangeCode(ctx, redirectURL, code, verifier)
}

// Test finds the organisation and asks Xero for it.
func (c *Conn) Test(ctx context.Context) (connectors.TestResult, error) {
	t, err := c.tenants.get(ctx)
	if err != nil {
		return rest.FailedTest(err), nil
	}
	var orgs struct {
		Organisations []map[string]any `json:"Organisations"`
	}
	if err := c.call(ctx, rest.Request{Path: "Organisation"}, &orgs); err != nil {
		return connectors.TestResult{OK: false, Message: c.verdict(err, t), NeedsAttention: connectors.IsNeedsAttention(err)}, nil
	}
	name := t.name
	if len(orgs.Organisations) > 0 {
		name = rest.LookupString(orgs.Organisations[0], "Name")
	}
	return connectors.TestResult{OK: true, Message: fmt.Sprintf("connected to Xero organisation %s", name),
		Details: map[string]string{"tenant_id": t.id}}, nil
}

// verdict words a failed test call; a 403 means the organisation is not
// connected to the app (any more).
func (c *Conn) verdict(err error, t tenant) string {
	var se *rest.StatusError
	if errors.As(err, &se) && se.Status == http.StatusForbidden {
		return fmt.Sprintf("Xero refused organisation %s: it is not connected to this app (%s); press Connect and pick it, "+
			"or set the connection's organisation to one that is", t.label(), se.Message)
	}
	msg, _ := rest.Verdict(err)
	return msg
}

// call sends a request to the organisation: with its xero-tenant-id, and
// Xero's errors worded from its answer.
func (c *Conn) call(ctx context.Context, r rest.Request, out any) error {
	t, err := c.tenants.get(ctx)
	if err != nil {
		return err
	}
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Set("xero-tenant-id", t.id)
	r.Query = withUnitDecimals(r.Path, r.Query)
	res, err := c.client.Do(ctx, r)
	if err != nil {
		return explain(res, err)
	}
	if out == nil {
		return nil
	}
	return res.Decode(out)
}

// unitDecimalLists are the lists whose unit amounts and prices Xero
// rounds to two decimals unless a call asks for four.
var unitDecimalLists = map[string]bool{"Invoices": true, "CreditNotes": true, "Items": true}

// withUnitDecimals asks for four decimals of unit amounts and prices
// (unitdp=4) on a call to those lists, so that a price such as 0.0125 is
// written and read as it is, not as 0.01; query is not changed.
func withUnitDecimals(path string, query url.Values) url.Values {
	list, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if !unitDecimalLists[list] {
		return query
	}
	out := make(url.Values, len(query)+1)
	for k, v := range query {
		out[k] = v
	}
	out.Set("unitdp", "4")
	return out
}

// quote writes a text for a where filter: in double quotes, a double
// quote in it escaped.
func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

var (
	_ connectors.Reader          = (*Conn)(nil)
	_ connectors.Writer          = (*Conn)(nil)
	_ connectors.KeyFinder       = (*Conn)(nil)
	_ connectors.OAuth2Connector = (*Conn)(nil)
)
