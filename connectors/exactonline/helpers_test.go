package exactonline

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/connectors/exactonline/fake"
	"github.com/switchboard-app/switchboard/connectors/rest/auth/authtest"
)

const (
	clientID     = "switchboard-test-app"
	clientSecret = "exact-client-secret-1"
	redirect     = "https://switchboard.example/api/switchboard/oauth/callback"
	division     = 1001
)

// exact starts the fake with the test's options.
func exact(t *testing.T, opts fake.Options) (*fake.Server, string) {
	t.Helper()
	opts.ClientID, opts.ClientSecret, opts.RedirectBase = clientID, clientSecret, "https://switchboard.example/"
	if opts.Division == 0 {
		opts.Division = division
	}
	srv := fake.New(opts)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	srv.SetURL(hs.URL)
	return srv, hs.URL
}

func config(base string) map[string]any {
	return map[string]any{"base_url": base, "division": division, "oauth_client_id": clientID}
}

// keeper keeps secrets as the engine does, sealed in the connection; it
// can fail its saves.
type keeper struct {
	mu    sync.Mutex
	saved map[string]string
	fail  error
}

func newKeeper(secrets map[string]string) *keeper {
	k := &keeper{saved: map[string]string{}}
	for n, v := range secrets {
		k.saved[n] = v
	}
	return k
}

func (k *keeper) SaveSecrets(_ context.Context, secrets map[string]string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return k.fail
	}
	for n, v := range secrets {
		k.saved[n] = v
	}
	return nil
}

func (k *keeper) secrets() map[string]string {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := map[string]string{}
	for n, v := range k.saved {
		out[n] = v
	}
	return out
}

func (k *keeper) failSaves(err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.fail = err
}

// open opens a connection with the config and secrets, as the engine
// does.
func open(t *testing.T, values map[string]any, secrets map[string]string, env connectors.Env) *Conn {
	t.Helper()
	return conntest.Open(t, Spec, New, values, secrets, env).(*Conn)
}

// connect runs the Connect button's flow against the fake and returns the
// secrets the engine keeps.
func connect(t *testing.T, base string) map[string]string {
	t.Helper()
	c := open(t, config(base), map[string]string{"oauth_client_secret": clientSecret}, connectors.Env{Shared: connectors.NewShared()})
	secrets := authtest.Connect(t, c, redirect)
	secrets["oauth_client_secret"] = clientSecret
	return secrets
}

// connected returns a connection that went through Connect, and the
// keeper of its secrets.
func connected(t *testing.T, base string) (*Conn, *keeper) {
	t.Helper()
	k := newKeeper(connect(t, base))
	return open(t, config(base), k.secrets(), connectors.Env{Shared: connectors.NewShared(), Secrets: k}), k
}

func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// permanent checks that err is a permanent error saying want.
func permanent(t *testing.T, err error, want string) {
	t.Helper()
	class, _ := connectors.Classify(err)
	if err == nil || class != connectors.ClassPermanent || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v (%s), want a permanent error saying %q", err, class, want)
	}
}

var errSave = errors.New("the database is locked")
