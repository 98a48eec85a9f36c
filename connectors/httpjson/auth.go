package httpjson

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
)

// The connector's own kinds of authentication, kept from before the REST
// kit; every kind of the kit is taken too.
const (
	authNone   = "none"
	authBasic  = "basic"
	authBearer = "bearer"
	authHeader = "header"
)

// kitKinds are the REST kit's kinds the connector takes besides its own.
var kitKinds = []string{auth.KindAPIKey, auth.KindLogin, auth.KindHMAC, auth.KindClientCredentials, auth.KindOAuth2}

var authOptions = append([]string{authNone, authBasic, authBearer, authHeader}, kitKinds...)

var specAuth = append([]connectors.AuthKind{connectors.AuthNone, connectors.AuthBasic}, auth.SpecKinds(
	append([]string{auth.KindBearer}, kitKinds...)...)...)

// withAuthFields adds the fields of the kit's kinds and of a client
// certificate that fields does not have yet.
func withAuthFields(fields []connectors.Field) []connectors.Field {
	have := map[string]bool{}
	for _, f := range fields {
		have[f.Name] = true
	}
	for _, f := range append(auth.Fields(kitKinds...), auth.TLSFields...) {
		if !have[f.Name] {
			have[f.Name] = true
			fields = append(fields, f)
		}
	}
	return fields
}

// validate checks that the chosen kind of authentication has what it
// needs, and that a client certificate is readable.
func validate(cfg connectors.Config, _ connectors.Env) error {
	problems := map[string]string{}
	if slices.Contains(kitKinds, cfg.String("auth")) { // the connector's own kinds keep their old leniency
		problems = auth.Validate(cfg)
	}
	var ve *connectors.ValidationError
	if _, err := auth.TLSConfig(cfg); errors.As(err, &ve) {
		for k, v := range ve.Fields {
			problems[k] = v
		}
	}
	if len(problems) > 0 {
		return &connectors.ValidationError{Connector: "http", Fields: problems}
	}
	return nil
}

// newAuthorizer builds the connection's credentials: the connector's own
// header kind, or one of the kit's.
func newAuthorizer(cfg connectors.Config, env connectors.Env, deps auth.Deps) (rest.Authorizer, error) {
	if cfg.String("auth") == authHeader {
		name, token := cfg.String("header"), cfg.Secret("token")
		return rest.AuthorizerFunc(func(_ context.Context, req *http.Request, _ []byte) error {
			req.Header.Set(name, token)
			return nil
		}), nil
	}
	return auth.New(cfg, env, deps)
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

var errNotOAuth2 = errors.New("the connection does not connect with OAuth2: its authentication is not oauth2")

var _ connectors.OAuth2Connector = (*Conn)(nil)
