package adobecommerce

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
	"github.com/switchboard-app/switchboard/connectors/rest/batch"
	"github.com/switchboard-app/switchboard/connectors/restapi"
)

// Conn is one connection to a shop.
type Conn struct {
	client  *rest.Client
	stock   *batch.Writer // source items, written in batches
	sources sync.Map      // the source codes the shop was found to have
}

// New opens a connection: the kit's client on <shop>/rest/<store code>,
// the integration's token as a bearer token, paced.
func New(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	base := strings.TrimRight(cfg.String(fieldBaseURL), "/") + "/rest/" + cfg.String(fieldStoreCode)
	values := make(map[string]any, len(cfg.Values)+1)
	for k, v := range cfg.Values {
		values[k] = v
	}
	values[fieldBaseURL] = base
	token := cfg.Secret(fieldToken)
	rc, err := restapi.Open(connectors.Config{Values: values, Secrets: cfg.Secrets}, env, restapi.Settings{
		Authorizer: func(connectors.Config, connectors.Env, auth.Deps) (rest.Authorizer, error) {
			return rest.AuthorizerFunc(func(_ context.Context, req *http.Request, _ []byte) error {
				req.Header.Set("Authorization", "Bearer "+token)
				return nil
			}), nil
		},
	})
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("opening the connection: %w", err))
	}
	c := &Conn{client: rc.Client()}
	c.stock = batch.New(sourceItems{c}, batch.Options{Max: 100, Logger: env.Logger})
	return c, nil
}

// Close does nothing: the HTTP client is the engine's.
func (c *Conn) Close() error { return nil }

// Test asks for the shop's store views with the token.
func (c *Conn) Test(ctx context.Context) (connectors.TestResult, error) {
	var views []map[string]any
	if _, err := c.client.DoJSON(ctx, rest.Request{Path: "V1/store/storeViews"}, &views); err != nil {
		return rest.FailedTest(err), nil
	}
	var names []string
	for _, v := range views {
		if name := rest.LookupString(v, "name"); name != "" && rest.LookupString(v, "code") != "admin" {
			names = append(names, fmt.Sprintf("%s (%s)", name, rest.LookupString(v, "code")))
		}
	}
	return connectors.TestResult{OK: true, Message: "connected to Adobe Commerce: store views " + strings.Join(names, ", ")}, nil
}

var (
	_ connectors.Reader    = (*Conn)(nil)
	_ connectors.Writer    = (*Conn)(nil)
	_ connectors.KeyFinder = (*Conn)(nil)
)
