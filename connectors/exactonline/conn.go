package exactonline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
)

// Conn is one connection to an Exact Online division.
type Conn struct {
	client   *rest.Client
	oauth    *auth.AuthCode
	division string

	// orders and customers are worked on one key at a time over every
	// worker and flow of the connection, so that two writes of one order
	// or one new customer do not both create it.
	orders, customers *erp.Keys

	mu    sync.Mutex
	cache map[string]string // looked-up ids by "collection|field|value", for this connection's life
}

// New opens a connection: the REST client on {base_url}/api/v1 with the
// connection's OAuth2 tokens and Exact Online's pacing.
func New(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	base := strings.TrimRight(cfg.String("base_url"), "/")
	oauthCfg := connectors.Config{Values: map[string]any{}, Secrets: cfg.Secrets}
	for k, v := range cfg.Values {
		oauthCfg.Values[k] = v
	}
	oauthCfg.Values["oauth_auth_url"] = base + "/api/oauth2/auth"
	oauthCfg.Values["oauth_token_url"] = base + "/api/oauth2/token"
	oauthCfg.Values["oauth_auth_style"] = "body"
	httpClient := env.HTTPClient
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	oauth := auth.NewAuthCode(oauthCfg, env, httpClient)
	pacer := pace.For(env.Shared, pace.Settings{Rate: float64(cfg.Int("rate_limit")), InFlight: int(cfg.Int("max_in_flight"))})
	client, err := rest.New(rest.Options{BaseURL: base + "/api/v1", HTTPClient: httpClient, Logger: env.Logger,
		Auth: oauth, Pacer: pacer, Timeout: cfg.Duration("timeout")})
	if err != nil {
		return nil, fmt.Errorf("base_url: %w", err)
	}
	return &Conn{client: client, oauth: oauth, division: strconv.FormatInt(cfg.Int("division"), 10), cache: map[string]string{},
		orders: erp.KeysFor(env.Shared, "orders"), customers: erp.KeysFor(env.Shared, "customers")}, nil
}

// Close does nothing: the HTTP client is the engine's.
func (c *Conn) Close() error { return nil }

// AuthCodeURL starts a connect: Exact Online's consent page.
func (c *Conn) AuthCodeURL(redirectURL, state string) (string, string, error) {
	return c.oauth.AuthCodeURL(redirectURL, state)
}

// ExchangeCode ends a connect: the tokens to keep.
func (c *Conn) ExchangeCode(ctx context.Context, redirectURL, code, verifier string) (map[string]string, error) {
	return c.oauth.ExchangeCode(ctx, redirectURL, code, verifier)
}

// path is a resource's path in the connection's division.
func (c *Conn) path(resource string) string { return c.division + "/" + resource }

// Test asks who the user is (current/Me, the one resource without a
// division) and whether the connection's division is one they reach.
func (c *Conn) Test(ctx context.Context) (connectors.TestResult, error) {
	var me struct {
		D struct {
			Results []struct {
				CurrentDivision int64
				FullName        string
			} `json:"results"`
		} `json:"d"`
	}
	if _, err := c.client.DoJSON(ctx, rest.Request{Path: "current/Me"}, &me); err != nil {
		return rest.FailedTest(err), nil
	}
	if len(me.D.Results) == 0 {
		return connectors.TestResult{Message: "Exact Online did not say who the user is (current/Me answered no user)"}, nil
	}
	user := me.D.Results[0]
	name, err := c.divisionName(ctx)
	var se *rest.StatusError
	if errors.As(err, &se) && (se.Status == http.StatusForbidden || se.Status == http.StatusUnauthorized || se.Status == http.StatusNotFound) {
		return connectors.TestResult{Message: fmt.Sprintf("connected as %s, but division %s is not one this user can reach "+
			"(the user's current division is %d); check the division number", user.FullName, c.division, user.CurrentDivision)}, nil
	}
	if err != nil {
		return rest.FailedTest(err), nil
	}
	return connectors.TestResult{OK: true, Message: fmt.Sprintf("connected as %s to division %s (%s)", user.FullName, c.division, name),
		Details: map[string]string{"current_division": strconv.FormatInt(user.CurrentDivision, 10)}}, nil
}

// divisionName reads the connection's division's description.
func (c *Conn) divisionName(ctx context.Context) (string, error) {
	recs, err := c.find(ctx, "system/Divisions", "Code eq "+c.division, "Description")
	if err != nil {
		return "", err
	}
	if len(recs) == 0 {
		return "", &rest.StatusError{Op: "GET " + c.path("system/Divisions"), Status: http.StatusNotFound, Message: "no such division"}
	}
	return rest.LookupString(recs[0], "Description"), nil
}

var (
	_ connectors.Reader          = (*Conn)(nil)
	_ connectors.Writer          = (*Conn)(nil)
	_ connectors.KeyFinder       = (*Conn)(nil)
	_ connectors.OAuth2Connector = (*Conn)(nil)
)
