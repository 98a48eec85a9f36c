package httpjson

import (
	"context"
	"net/http"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/restapi"
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
	more := append(append(auth.Fields(kitKinds...), auth.TLSFields...), restapi.CommonFields...)
	for _, f := range append(more, restapi.RegistrationFields()...) {
		if !have[f.Name] {
			have[f.Name] = true
			fields = append(fields, f)
		}
	}
	return fields
}

// validate checks that the chosen kind of authentication, if one of the
// kit's, has what it needs (the connector's own kinds keep their old
// leniency), and that a client certificate is readable.
func validate(cfg connectors.Config, _ connectors.Env) error {
	if problems := restapi.ValidateAuth(cfg, kitKinds); len(problems) > 0 {
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
