package woocommerce

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/rest/batch"
	"github.com/switchboard-app/switchboard/connectors/rest/hooks"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
)

// Conn is one WooCommerce connection.
type Conn struct {
	client  *rest.Client
	batches *batch.Writer
}

// New opens a connection to the shop's REST API.
func New(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	httpClient, err := auth.HTTPClient(cfg, env.HTTPClient)
	if err != nil {
		return nil, err
	}
	pacer := pace.For(env.Shared, pace.Settings{Rate: float64(cfg.Int("rate_limit")), InFlight: int(cfg.Int("max_in_flight"))})
	base := strings.TrimRight(cfg.String("base_url"), "/") + "/wp-json/wc/v3/"
	client, err := rest.New(rest.Options{BaseURL: base, HTTPClient: httpClient, Logger: env.Logger, Pacer: pacer,
		Auth:    keyAuth{key: cfg.Secret("consumer_key"), secret: cfg.Secret("consumer_secret"), query: cfg.String("auth_in") == "query"},
		Timeout: cfg.Duration("timeout")})
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("base_url: %w", err))
	}
	c := &Conn{client: client}
	c.batches = batch.New(sender{c}, batch.Options{Max: 100, Linger: 20 * time.Millisecond, Logger: env.Logger})
	return c, nil
}

// keyAuth sends the consumer key and secret, as Basic authentication or
// as query parameters.
type keyAuth struct {
	key, secret string
	query       bool
}

// Authorize adds the key and secret to the request.
func (k keyAuth) Authorize(_ context.Context, req *http.Request, _ []byte) error {
	if !k.query {
		req.SetBasicAuth(k.key, k.secret)
		return nil
	}
	q := req.URL.Query()
	q.Set("consumer_key", k.key)
	q.Set("consumer_secret", k.secret)
	req.URL.RawQuery = q.Encode()
	return nil
}

// Close does nothing: the HTTP client is the engine's.
func (c *Conn) Close() error { return nil }

// Test reads the shop's system status with the connection's key.
func (c *Conn) Test(ctx context.Context) (connectors.TestResult, error) {
	var status struct {
		Environment struct {
			SiteURL string `json:"site_url"`
			Version string `json:"version"`
		} `json:"environment"`
	}
	if _, err := c.client.DoJSON(ctx, rest.Request{Path: "system_status"}, &status); err != nil {
		return rest.FailedTest(err), nil
	}
	return connectors.TestResult{OK: true, Message: fmt.Sprintf("connected to %s (WooCommerce %s)", status.Environment.SiteURL, status.Environment.Version)}, nil
}

// webhookScheme is how WooCommerce signs webhooks: the base64
// HMAC-SHA256 of the body under the webhook's secret.
var webhookScheme = hooks.Scheme{Header: "X-WC-Webhook-Signature", Base64: true}

var (
	_ connectors.Reader           = (*Conn)(nil)
	_ connectors.Writer           = (*Conn)(nil)
	_ connectors.KeyFinder        = (*Conn)(nil)
	_ connectors.WebhookReceiver  = (*Conn)(nil)
	_ connectors.WebhookRegistrar = (*Conn)(nil)
	_ connectors.WebhookCompleter = (*Conn)(nil)
)
