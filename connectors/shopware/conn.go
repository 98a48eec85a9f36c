package shopware

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/restapi"
)

// Conn is one connection to a shop.
type Conn struct {
	client *rest.Client
	refs   sync.Map // resolved references: "tax:21" -> id, "currency:EUR" -> id, "warehouse:Tilburg" -> id
	stock  sync.Map // a batch writer per warehouse ("" for the products' own stock)
	// appSecret signs the app's webhooks; "" when each flow's secret does.
	appSecret string
	logger    *slog.Logger // the connection's, for a batch sender's panic
}

// loginBody is how Shopware takes client credentials: JSON.
const loginBody = `{"grant_type": "client_credentials", "client_id": "{username}", "client_secret": "{password}"}`

// New opens a connection: the kit's client on <shop>/api, signed in with
// the integration's access key through the kit's login (the token kept
// and renewed as the kit does), paced.
func New(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	values := make(map[string]any, len(cfg.Values)+1)
	for k, v := range cfg.Values {
		values[k] = v
	}
	values[fieldBaseURL] = strings.TrimRight(cfg.String(fieldBaseURL), "/") + "/api"
	rc, err := restapi.Open(connectors.Config{Values: values, Secrets: cfg.Secrets}, env, restapi.Settings{
		Authorizer: func(_ connectors.Config, env connectors.Env, deps auth.Deps) (rest.Authorizer, error) {
			return auth.New(loginConfig(cfg), env, deps)
		},
	})
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("opening the connection: %w", err))
	}
	return &Conn{client: rc.Client(), appSecret: cfg.Secret(fieldAppSecret), logger: env.Logger}, nil
}

// loginConfig is the kit's login for Shopware's token endpoint.
func loginConfig(cfg connectors.Config) connectors.Config {
	return connectors.Config{
		Values: map[string]any{"auth": auth.KindLogin, "username": cfg.String(fieldClientID), "login_path": "oauth/token",
			"login_body": loginBody, "login_token_path": "access_token", "login_expires_path": "expires_in",
			"login_lifetime": 10 * time.Minute, "login_header": "Authorization", "login_prefix": "Bearer "},
		Secrets: map[string]string{"password": cfg.Secret(fieldClientSecret),
			auth.LoginTokenSecret: cfg.Secret(auth.LoginTokenSecret), auth.LoginInfoSecret: cfg.Secret(auth.LoginInfoSecret)},
	}
}

// Close does nothing: the HTTP client is the engine's.
func (c *Conn) Close() error { return nil }

// Test signs in and asks for the shop's version.
func (c *Conn) Test(ctx context.Context) (connectors.TestResult, error) {
	var info struct{ Version string }
	if _, err := c.client.DoJSON(ctx, rest.Request{Path: "_info/version"}, &info); err != nil {
		return rest.FailedTest(err), nil
	}
	return connectors.TestResult{OK: true, Message: "connected to Shopware " + info.Version}, nil
}

var (
	_ connectors.Reader    = (*Conn)(nil)
	_ connectors.Writer    = (*Conn)(nil)
	_ connectors.KeyFinder = (*Conn)(nil)
)
