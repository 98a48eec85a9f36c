package businesscentral

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
)

// Conn is one connection to a Business Central environment.
type Conn struct {
	client    *rest.Client
	companies *companyChoice
	// orders and customers are looked up and created one business key at
	// a time over every worker of the connection.
	orders, customers *erp.Keys
}

// inFlight is how many calls Business Central takes at once per user.
const inFlight = 5

// New opens a connection: the kit's client on the environment's API v1.0,
// with a client-credentials token from Entra ID, paced. It does no I/O.
func New(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	tenant := cfg.String(fieldTenant)
	base := strings.TrimRight(cfg.String(fieldAPIURL), "/") + "/v2.0/" + tenant + "/" + cfg.String(fieldEnvironment) + "/api/v1.0"
	values := make(map[string]any, len(cfg.Values)+2)
	for k, v := range cfg.Values {
		values[k] = v
	}
	values["auth"] = auth.KindClientCredentials
	values["oauth_token_url"] = strings.ReplaceAll(cfg.String("oauth_token_url"), "{tenant_id}", tenant)
	authCfg := connectors.Config{Values: values, Secrets: cfg.Secrets}
	httpClient := env.HTTPClient
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	pacer := pace.For(env.Shared, pace.Settings{Rate: float64(cfg.Int(fieldRate)), InFlight: inFlight})
	authorizer, err := auth.New(authCfg, env, auth.Deps{BaseURL: base, HTTPClient: httpClient, Pacer: pacer, Logger: env.Logger})
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("the sign-in: %w", err))
	}
	client, err := rest.New(rest.Options{BaseURL: base, HTTPClient: httpClient, Logger: env.Logger, Auth: authorizer, Pacer: pacer,
		Timeout: cfg.Duration(fieldTimeout)})
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("%s: %w", fieldAPIURL, err))
	}
	return &Conn{client: client, companies: companiesFor(env.Shared, cfg.String(fieldCompany), client),
		orders: erp.KeysFor(env.Shared, "orders"), customers: erp.KeysFor(env.Shared, "customers")}, nil
}

// Close does nothing: the HTTP client is the engine's.
func (c *Conn) Close() error { return nil }

// Test finds the company and reads its name.
func (c *Conn) Test(ctx context.Context) (connectors.TestResult, error) {
	co, err := c.companies.get(ctx)
	if err != nil {
		return rest.FailedTest(err), nil
	}
	return connectors.TestResult{OK: true, Message: "connected to Business Central company " + co.name,
		Details: map[string]string{"company_id": co.id}}, nil
}

// path is a path of the company: companies(<id>)/<rest>.
func (c *Conn) path(ctx context.Context, rest string) (string, error) {
	co, err := c.companies.get(ctx)
	if err != nil {
		return "", err
	}
	return "companies(" + co.id + ")/" + rest, nil
}

// call sends a request on a path of the company.
func (c *Conn) call(ctx context.Context, r rest.Request, out any) error {
	p, err := c.path(ctx, r.Path)
	if err != nil {
		return err
	}
	r.Path = p
	_, err = c.client.DoJSON(ctx, r, out)
	return err
}

// literal writes a text as an OData literal: in single quotes, a single
// quote in it doubled.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

var (
	_ connectors.Reader    = (*Conn)(nil)
	_ connectors.Writer    = (*Conn)(nil)
	_ connectors.KeyFinder = (*Conn)(nil)
)
