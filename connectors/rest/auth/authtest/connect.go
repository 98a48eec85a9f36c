package authtest

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// Connect runs a connection's Connect as a person does, against an
// authorization server whose consent page agrees at once (this package's,
// or an app's fake): it follows the connector's authorization address,
// takes the code the consent page sends back to redirect and trades it
// for the secrets the engine keeps, which it returns.
func Connect(t testing.TB, c connectors.OAuth2Connector, redirect string) map[string]string {
	t.Helper()
	authURL, verifier, err := c.AuthCodeURL(redirect, "state-test")
	if err != nil {
		t.Fatal(err)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if err != nil || back.Query().Get("code") == "" {
		t.Fatalf("the consent page answered %d, sending the browser to %q", res.StatusCode, res.Header.Get("Location"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	secrets, err := c.ExchangeCode(ctx, redirect, back.Query().Get("code"), verifier)
	if err != nil {
		t.Fatal(err)
	}
	return secrets
}
