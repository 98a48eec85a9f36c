package shopify

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/rest/hooks"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
)

// Conn is one Shopify connection.
type Conn struct {
	gql           *gql
	shop          string
	oauth         *auth.AuthCode // set when the connection connects with OAuth2
	webhookSecret string
	shared        *connectors.Shared
}

// New opens a connection: the shop's Admin API with the connection's
// credentials, paced by the connection's pacer.
func New(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	shop, err := shopURL(cfg.String("shop"))
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("shop: %w", err))
	}
	cfg = withOAuthDefaults(cfg, shop.String())
	httpClient, err := auth.HTTPClient(cfg, env.HTTPClient)
	if err != nil {
		return nil, err
	}
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	pacer := pace.For(env.Shared, pace.Settings{Rate: float64(cfg.Int("rate_limit")), InFlight: int(cfg.Int("max_in_flight"))})
	c := &Conn{shop: shop.Host, shared: env.Shared, webhookSecret: cfg.Secret("webhook_secret")}
	if c.webhookSecret == "" && cfg.String("auth") == kindOAuth2 {
		c.webhookSecret = cfg.Secret("oauth_client_secret")
	}
	var authorizer rest.Authorizer = tokenAuth(cfg.Secret("access_token"))
	if cfg.String("auth") == kindOAuth2 {
		c.oauth = auth.NewAuthCode(cfg, env, httpClient)
		authorizer = shopifyHeader{c.oauth}
	}
	client, err := rest.New(rest.Options{BaseURL: shop.String() + "/admin/api/" + apiVersion + "/", HTTPClient: httpClient,
		Logger: env.Logger, Auth: authorizer, Pacer: pacer, Timeout: cfg.Duration("timeout")})
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("shop: %w", err))
	}
	c.gql = &gql{client: client, pacer: pacer, now: time.Now}
	return c, nil
}

// apiVersion is the Admin API version the connector speaks.
const apiVersion = "2025-01"

// withOAuthDefaults fills in the shop's own OAuth addresses.
func withOAuthDefaults(cfg connectors.Config, shop string) connectors.Config {
	values := make(map[string]any, len(cfg.Values)+2)
	for k, v := range cfg.Values {
		values[k] = v
	}
	if cfg.String("oauth_auth_url") == "" {
		values["oauth_auth_url"] = shop + "/admin/oauth/authorize"
	}
	if cfg.String("oauth_token_url") == "" {
		values["oauth_token_url"] = shop + "/admin/oauth/access_token"
	}
	if cfg.String("oauth_auth_style") == "" || cfg.String("oauth_auth_style") == "auto" {
		values["oauth_auth_style"] = "body" // Shopify takes the client id and secret as form fields
	}
	cfg.Values = values
	return cfg
}

// tokenAuth sends a custom app's access token.
type tokenAuth string

// Authorize sets X-Shopify-Access-Token.
func (t tokenAuth) Authorize(_ context.Context, req *http.Request, _ []byte) error {
	req.Header.Set("X-Shopify-Access-Token", string(t))
	return nil
}

// shopifyHeader sends an OAuth2 access token as Shopify wants it, in
// X-Shopify-Access-Token rather than Authorization.
type shopifyHeader struct{ code *auth.AuthCode }

// Authorize gets the token and moves it to Shopify's header.
func (h shopifyHeader) Authorize(ctx context.Context, req *http.Request, body []byte) error {
	if err := h.code.Authorize(ctx, req, body); err != nil {
		return err
	}
	_, token, _ := cutBearer(req.Header.Get("Authorization"))
	req.Header.Del("Authorization")
	req.Header.Set("X-Shopify-Access-Token", token)
	return nil
}

// Renew hands a refused token to the flow, with its header as the flow
// set it.
func (h shopifyHeader) Renew(ctx context.Context, refused *http.Request) (bool, error) {
	if refused != nil {
		refused = refused.Clone(ctx)
		refused.Header.Set("Authorization", "Bearer "+refused.Header.Get("X-Shopify-Access-Token"))
	}
	return h.code.Renew(ctx, refused)
}

func cutBearer(v string) (string, string, bool) {
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' {
			return v[:i], v[i+1:], true
		}
	}
	return "", v, false
}

// Close does nothing: the HTTP client is the engine's.
func (c *Conn) Close() error { return nil }

// Test asks for the shop's name with the connection's credentials.
func (c *Conn) Test(ctx context.Context) (connectors.TestResult, error) {
	var data struct {
		Shop struct {
			Name, MyshopifyDomain string
		}
	}
	if err := c.gql.do(ctx, shopOp, nil, &data); err != nil {
		return rest.FailedTest(err), nil
	}
	return connectors.TestResult{OK: true, Message: "connected as " + data.Shop.Name + " (" + data.Shop.MyshopifyDomain + ")"}, nil
}

// AuthCodeURL starts a connect of an OAuth2 connection.
func (c *Conn) AuthCodeURL(redirectURL, state string) (string, string, error) {
	if c.oauth == nil {
		return "", "", errNotOAuth2
	}
	return c.oauth.AuthCodeURL(redirectURL, state)
}

// ExchangeCode ends a connect of an OAuth2 connection.
func (c *Conn) ExchangeCode(ctx context.Context, redirectURL, code, verifier string) (map[string]string, error) {
	if c.oauth == nil {
		return nil, errNotOAuth2
	}
	return c.oauth.ExchangeCode(ctx, redirectURL, code, verifier)
}

var errNotOAuth2 = fmt.Errorf("the connection does not connect with OAuth2: its authentication is %s", kindToken)

// webhookScheme is how Shopify signs webhooks.
var webhookScheme = hooks.Scheme{Header: "X-Shopify-Hmac-Sha256", Base64: true}

var (
	_ connectors.Reader           = (*Conn)(nil)
	_ connectors.Writer           = (*Conn)(nil)
	_ connectors.KeyFinder        = (*Conn)(nil)
	_ connectors.WebhookReceiver  = (*Conn)(nil)
	_ connectors.WebhookCompleter = (*Conn)(nil)
	_ connectors.WebhookRegistrar = (*Conn)(nil)
	_ connectors.OAuth2Connector  = (*Conn)(nil)
)
