package exactonline

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/exactonline/fake"
	"github.com/switchboard-app/switchboard/connectors/rest/auth"
)

func writeItem(t *testing.T, c *Conn, code string) error {
	t.Helper()
	_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Key: code,
		Data: map[string]any{"Code": code, "Description": "Item " + code}})
	return err
}

// TestTokensRotateInTheMiddleOfARun: an access token that expires (after
// ten minutes) is refreshed, and the refresh token Exact Online rotates
// is kept.
func TestTokensRotateInTheMiddleOfARun(t *testing.T) {
	srv, base := exact(t, fake.Options{})
	c, k := connected(t, base)
	first := k.secrets()[auth.RefreshTokenSecret]
	for i, code := range []string{"A1", "A2", "A3", "A4"} {
		if i == 2 {
			srv.ExpireAccessTokens()
		}
		if err := writeItem(t, c, code); err != nil {
			t.Fatal(err)
		}
	}
	st := srv.Stats()
	if st.Refreshes != 1 || st.RefreshRefused != 0 || k.secrets()[auth.RefreshTokenSecret] == first {
		t.Fatalf("stats %+v; the kept refresh token changed: %v", st, k.secrets()[auth.RefreshTokenSecret] != first)
	}
	if n := len(srv.Records(division, "logistics/Items")); n != 4 {
		t.Fatalf("%d items written, want 4", n)
	}
}

// TestALostRotationDoesNotLockTheConnectionOut: the refresh succeeds but
// keeping the new tokens fails (as a crash between the two would lose
// them). The new token is not used, so Exact Online keeps the old refresh
// token valid, and after a restart, which knows only the old tokens, the
// connection works.
func TestALostRotationDoesNotLockTheConnectionOut(t *testing.T) {
	srv, base := exact(t, fake.Options{})
	c, k := connected(t, base)
	if err := writeItem(t, c, "B1"); err != nil {
		t.Fatal(err)
	}
	srv.ExpireAccessTokens()
	k.failSaves(errSave)
	err := writeItem(t, c, "B2")
	if class, _ := connectors.Classify(err); err == nil || class != connectors.ClassTransient {
		t.Fatalf("a write whose renewed token could not be kept = %v (%s), want a transient failure", err, class)
	}

	// A restart: a new process opens the connection with what was kept.
	k.failSaves(nil)
	restarted := open(t, config(base), k.secrets(), connectors.Env{Shared: connectors.NewShared(), Secrets: k})
	if err := writeItem(t, restarted, "B2"); err != nil {
		t.Fatalf("after the restart: %v", err)
	}
	if st := srv.Stats(); st.RefreshRefused != 0 {
		t.Fatalf("Exact Online refused %d refreshes: the connection was locked out", st.RefreshRefused)
	}
}

func TestARevokedConnectionNeedsReconnecting(t *testing.T) {
	srv, base := exact(t, fake.Options{})
	c, _ := connected(t, base)
	srv.RevokeAll()
	err := writeItem(t, c, "C1")
	if !errors.Is(err, connectors.ErrReconnectNeeded) {
		t.Fatalf("a write after the user disconnected the app = %v, want reconnect needed", err)
	}
	res, _ := c.Test(ctx(t))
	if res.OK || !strings.HasPrefix(res.Message, "reconnect needed: ") {
		t.Fatalf("Test = %+v", res)
	}
}

func TestTestConnectionVerdicts(t *testing.T) {
	_, base := exact(t, fake.Options{})
	secrets := connect(t, base)
	tests := []struct {
		name     string
		division int
		secrets  map[string]string
		ok       bool
		want     string
	}{
		{"connected", division, secrets, true, "connected as Jan de Vries to division 1001 (Shop BV (1001))"},
		{"another division", 999, secrets, false, "connected as Jan de Vries, but division 999 is not one this user can reach (the user's current division is 1001); check the division number"},
		{"never connected", division, map[string]string{"oauth_client_secret": clientSecret}, false, "reconnect needed: the connection is not connected yet; press Connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := config(base)
			values["division"] = tt.division
			c := open(t, values, tt.secrets, connectors.Env{Shared: connectors.NewShared()})
			res, err := c.Test(ctx(t))
			if err != nil || res.OK != tt.ok || res.Message != tt.want {
				t.Fatalf("Test = %+v, %v; want %v %q", res, err, tt.ok, tt.want)
			}
		})
	}
}

// TestTheMinutelyLimitIsKept: workers sharing a connection read and
// write at once; the pacer keeps them within Exact Online's minutely
// limit by its headers, so nothing is refused.
func TestTheMinutelyLimitIsKept(t *testing.T) {
	srv, base := exact(t, fake.Options{PerMinute: 4, Minute: 300 * time.Millisecond})
	k := newKeeper(connect(t, base))
	shared := connectors.NewShared()
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := open(t, config(base), k.secrets(), connectors.Env{Shared: shared, Secrets: k})
			for i := range 4 {
				if err := writeItem(t, c, string(rune('A'+w))+string(rune('0'+i))); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if st := srv.Stats(); st.RateLimited != 0 || len(srv.Records(division, "logistics/Items")) != 12 {
		t.Fatalf("%d calls refused for the limit, %d items written; want none refused, 12 written", st.RateLimited, len(srv.Records(division, "logistics/Items")))
	}
}
