// Package auth builds the credentials of a REST connection from its config:
// an API key in a header or the query, basic authentication, a static
// bearer token, a custom login request, HMAC request signing, OAuth2 client
// credentials and OAuth2 authorization code with PKCE; and, as an option
// to any of them, a client certificate (mutual TLS).
//
// A connector declares the kinds it takes with [Fields] (the "auth" select
// and the fields each kind needs) and builds the authorizer with [New]; the
// result is a rest.Authorizer, and a rest.Renewer for the kinds whose
// tokens expire. Tokens obtained at run time are shared by every open
// instance of the connection (connectors.Env.Shared) and kept sealed in its
// secrets (connectors.Env.Secrets), so that the engine redacts them too.
package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

var discard = slog.New(slog.DiscardHandler)

// The kinds of authentication, the values of the "auth" field.
const (
	KindNone              = "none"
	KindAPIKey            = "api_key"
	KindBasic             = "basic"
	KindBearer            = "bearer"
	KindLogin             = "custom_login"
	KindHMAC              = "hmac"
	KindClientCredentials = "oauth2_client_credentials"
	KindOAuth2            = "oauth2"
)

// Deps are what the authorizers that call the app or its authorization
// server need besides the config.
type Deps struct {
	// BaseURL is the API's base address; a login path is relative to it.
	BaseURL string
	// HTTPClient sends login and token requests (with the client
	// certificate, when the connection has one).
	HTTPClient *http.Client
	// Pacer is the connection's pacer. Login and token requests do not
	// wait for it: they run for calls that hold their turns already.
	Pacer rest.Pacer
	// Logger is the connection's logger.
	Logger *slog.Logger
}

// New builds the authorizer the connection's "auth" field names; nil for
// none.
func New(cfg connectors.Config, env connectors.Env, deps Deps) (rest.Authorizer, error) {
	if deps.HTTPClient == nil {
		deps.HTTPClient = http.DefaultClient
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	switch kind := cfg.String("auth"); kind {
	case "", KindNone:
		return nil, nil
	case KindAPIKey:
		return newAPIKey(cfg), nil
	case KindBasic:
		return basicAuth{user: cfg.String("username"), password: cfg.Secret("password")}, nil
	case KindBearer:
		return bearerToken(cfg.Secret("token")), nil
	case KindHMAC:
		return newSigner(cfg), nil
	case KindLogin:
		return newLogin(cfg, env, deps)
	case KindClientCredentials:
		return newClientCredentials(cfg, env, deps), nil
	case KindOAuth2:
		return NewAuthCode(cfg, env, deps.HTTPClient), nil
	default:
		return nil, fmt.Errorf("auth: unknown kind %q", kind)
	}
}

// Validate checks that the config holds what its kind of authentication
// needs, naming each missing field; for a spec's Validate step. At save
// time secrets hold placeholders: only their presence is checked.
func Validate(cfg connectors.Config) map[string]string {
	problems := map[string]string{}
	need := func(names ...string) {
		for _, name := range names {
			if cfg.String(name) == "" && cfg.Secret(name) == "" {
				problems[name] = "is required for " + cfg.String("auth") + " authentication"
			}
		}
	}
	switch cfg.String("auth") {
	case KindAPIKey:
		need("api_key", "api_key_name")
	case KindBasic:
		need("username", "password")
	case KindBearer:
		need("token")
	case KindHMAC:
		need("hmac_secret", "hmac_string", "hmac_header", "hmac_value")
		checkTemplate(cfg, problems)
	case KindLogin:
		need("username", "password", "login_path", "login_body", "login_token_path", "login_header")
	case KindClientCredentials:
		need("oauth_token_url", "oauth_client_id", "oauth_client_secret")
	case KindOAuth2:
		need("oauth_auth_url", "oauth_token_url", "oauth_client_id")
	}
	return problems
}

// staticHeader is an authorizer that sets one header.
type staticHeader struct{ name, value string }

// Authorize sets the header.
func (h staticHeader) Authorize(_ context.Context, req *http.Request, _ []byte) error {
	req.Header.Set(h.name, h.value)
	return nil
}

func bearerToken(token string) staticHeader { return staticHeader{"Authorization", "Bearer " + token} }

type basicAuth struct{ user, password string }

// Authorize sets Basic authentication.
func (b basicAuth) Authorize(_ context.Context, req *http.Request, _ []byte) error {
	req.SetBasicAuth(b.user, b.password)
	return nil
}

// apiKey sends an API key in a header or a query parameter.
type apiKey struct {
	name, value string
	inQuery     bool
}

func newAPIKey(cfg connectors.Config) apiKey {
	return apiKey{name: cfg.String("api_key_name"), value: cfg.Secret("api_key"), inQuery: cfg.String("api_key_in") == "query"}
}

// Authorize puts the key in its header or query parameter. A query
// without the parameter keeps the rest as it was written (a next page's
// link may be signed, or hold commas), the key added at its end.
func (k apiKey) Authorize(_ context.Context, req *http.Request, _ []byte) error {
	if !k.inQuery {
		req.Header.Set(k.name, k.value)
		return nil
	}
	q := req.URL.Query()
	if _, has := q[k.name]; !has {
		param := url.QueryEscape(k.name) + "=" + url.QueryEscape(k.value)
		if req.URL.RawQuery == "" {
			req.URL.RawQuery = param
		} else {
			req.URL.RawQuery += "&" + param
		}
		return nil
	}
	q.Set(k.name, k.value)
	req.URL.RawQuery = q.Encode()
	return nil
}
