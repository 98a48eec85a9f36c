// Package restapi is the generic REST connector, registered as "rest": a
// base URL, any of the REST kit's kinds of authentication, and per entity
// the list, get, create and update requests (path templates, method, the
// body from the write mapping), where the records are in an answer, the
// paging style and the incremental parameter. A person connects an
// in-house API, or an app without a connector of its own, without code.
//
// Other connectors are presets of it: they build a [Settings] from their
// own convention and call [Open] (the "http" connector does).
package restapi

import (
	"context"
	"fmt"
	"net/url"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/rest/hooks"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
)

// Settings are what a connection of the generic connector is made of,
// besides the base URL, the credentials and the pacing its config holds.
type Settings struct {
	// Entities says how each entity is read and written.
	Entities map[connectors.Entity]Entity
	// TestPath is asked by Test ("" is the base URL); TestNamePath is
	// where its answer holds the account's name, for "connected as ...".
	TestPath, TestNamePath string
	// IdempotencyHeader carries each write's idempotency key ("" sends none).
	IdempotencyHeader string
	// Hooks registers webhooks in the app (its Client is set by Open);
	// a zero Registrar registers none.
	Hooks hooks.Registrar
	// Authorizer builds the credentials; auth.New when nil.
	Authorizer func(cfg connectors.Config, env connectors.Env, deps auth.Deps) (rest.Authorizer, error)
}

// Conn is one connection.
type Conn struct {
	base     *url.URL
	client   *rest.Client
	settings Settings
	oauth    *auth.AuthCode // set when the connection connects with OAuth2
}

// Open builds a connection from its config (base_url, the auth fields,
// rate_limit, max_in_flight, timeout) and the settings.
func Open(cfg connectors.Config, env connectors.Env, s Settings) (*Conn, error) {
	httpClient, err := auth.HTTPClient(cfg, env.HTTPClient)
	if err != nil {
		return nil, err
	}
	pacer := pace.For(env.Shared, pace.Settings{Rate: float64(cfg.Int("rate_limit")), InFlight: int(cfg.Int("max_in_flight"))})
	if s.Authorizer == nil {
		s.Authorizer = auth.New
	}
	authorizer, err := s.Authorizer(cfg, env, auth.Deps{BaseURL: cfg.String("base_url"), HTTPClient: httpClient, Pacer: pacer, Logger: env.Logger})
	if err != nil {
		return nil, err
	}
	client, err := rest.New(rest.Options{BaseURL: cfg.String("base_url"), HTTPClient: httpClient, Logger: env.Logger,
		Auth: authorizer, Pacer: pacer, IdempotencyHeader: s.IdempotencyHeader, Timeout: cfg.Duration("timeout")})
	if err != nil {
		return nil, fmt.Errorf("base_url: %w", err)
	}
	s.Hooks.Client = client
	c := &Conn{base: client.BaseURL(), client: client, settings: s}
	c.oauth, _ = authorizer.(*auth.AuthCode)
	return c, nil
}

// New builds a connection of the generic connector.
func New(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	entities, err := ParseEntities(cfg.String("entities"))
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("entities: %w", err))
	}
	return Open(cfg, env, Settings{Entities: entities, TestPath: cfg.String("test_path"), TestNamePath: cfg.String("test_name_path"),
		IdempotencyHeader: cfg.String("idempotency_header"),
		Hooks: hooks.Registrar{Path: cfg.String("webhook_register_path"), Body: cfg.String("webhook_register_body"),
			IDPath: cfg.String("webhook_id_path"), RemovePath: cfg.String("webhook_remove_path")}})
}

// Client returns the connection's REST client.
func (c *Conn) Client() *rest.Client { return c.client }

// Close does nothing: the HTTP client is the engine's.
func (c *Conn) Close() error { return nil }

// entity returns how an entity is read and written.
func (c *Conn) entity(e connectors.Entity) (Entity, error) {
	spec, ok := c.settings.Entities[e]
	if !ok {
		return Entity{}, connectors.Permanent(fmt.Errorf("the connection has no requests for %s records; add them to its entities", e))
	}
	return spec, nil
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

var errNotOAuth2 = fmt.Errorf("the connection does not connect with OAuth2: its authentication is not %s", auth.KindOAuth2)

// RegisterWebhook registers a flow's webhook address, when the connection
// has a registration path.
func (c *Conn) RegisterWebhook(ctx context.Context, reg connectors.WebhookRegistration) (string, error) {
	return c.settings.Hooks.Register(ctx, reg)
}

// RemoveWebhook removes a registration.
func (c *Conn) RemoveWebhook(ctx context.Context, id string) error {
	return c.settings.Hooks.Remove(ctx, id)
}

var (
	_ connectors.Reader           = (*Conn)(nil)
	_ connectors.Writer           = (*Conn)(nil)
	_ connectors.OAuth2Connector  = (*Conn)(nil)
	_ connectors.WebhookRegistrar = (*Conn)(nil)
)
