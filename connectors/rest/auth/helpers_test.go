package auth

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// resolve builds a Config as the engine hands it, with every kind's
// fields and defaults.
func resolve(t *testing.T, values map[string]any, secrets map[string]string) connectors.Config {
	t.Helper()
	spec := connectors.Spec{Name: "test", Title: "Test", Category: connectors.CategoryGeneric, Auth: []connectors.AuthKind{connectors.AuthNone},
		Fields: append(Fields(KindNone, KindAPIKey, KindBasic, KindBearer, KindLogin, KindHMAC, KindClientCredentials, KindOAuth2), TLSFields...)}
	cfg, err := spec.Resolve(values, secrets)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// client builds a REST client with the config's authorizer.
func client(t *testing.T, base string, cfg connectors.Config, env connectors.Env) *rest.Client {
	t.Helper()
	httpClient, err := HTTPClient(cfg, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, env, Deps{BaseURL: base, HTTPClient: httpClient})
	if err != nil {
		t.Fatal(err)
	}
	c, err := rest.New(rest.Options{BaseURL: base, HTTPClient: httpClient, Auth: a})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// keeper keeps secrets in memory, as the engine keeps them sealed in the
// connection.
type keeper struct {
	mu    sync.Mutex
	saved map[string]string
	saves int
	fail  error // when set, saves fail with it
}

func (k *keeper) SaveSecrets(_ context.Context, secrets map[string]string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return k.fail
	}
	if k.saved == nil {
		k.saved = map[string]string{}
	}
	for name, v := range secrets {
		k.saved[name] = v
	}
	k.saves++
	return nil
}

func (k *keeper) failWith(err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.fail = err
}

func (k *keeper) get(name string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.saved[name]
}

func (k *keeper) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.saves
}

func get(t *testing.T, c *rest.Client, path string) error {
	t.Helper()
	_, err := c.Do(context.Background(), rest.Request{Path: path})
	return err
}

// getAtOnce makes n calls to path at once and returns their errors when
// all have returned.
func getAtOnce(t *testing.T, c *rest.Client, path string, n int) []error {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Do(context.Background(), rest.Request{Path: path})
		}()
	}
	wg.Wait()
	return errs
}
