package tryton

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// logins counts the login requests that go to the server.
type logins struct {
	mu sync.Mutex
	n  int
}

func (l *logins) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		if strings.Contains(string(body), `"common.db.login"`) {
			l.mu.Lock()
			l.n++
			l.mu.Unlock()
		}
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (l *logins) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

func openCounting(t *testing.T, values map[string]any, secrets map[string]string, counter *logins) *Conn {
	t.Helper()
	env := connectors.Env{Shared: connectors.NewShared(), HTTPClient: &http.Client{Transport: counter}}
	cfg, err := Spec.ResolveAndValidate(values, secrets, env)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	return c.(*Conn)
}

// TestAnEndedSessionIsOpenedAgain: Tryton drops the session (it expired,
// or the user logged out); the next call logs in again and goes on.
func TestAnEndedSessionIsOpenedAgain(t *testing.T) {
	s := trytond(t)
	db := s.database(t)
	counter := &logins{}
	c := openCounting(t, s.config(db), map[string]string{"password": s.password}, counter)
	if _, err := c.model(ctx(t), "party.party", "search", []any{}, 0, 1, nil); err != nil {
		t.Fatal(err)
	}
	c.session.mu.Lock()
	header := sessionHeader(c.session.user, c.session.uid, c.session.key)
	c.session.mu.Unlock()
	if _, err := c.rpc.callWith(ctx(t), http.Header{"Authorization": {header}}, "common.db.logout"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.model(ctx(t), "party.party", "search", []any{}, 0, 1, nil); err != nil {
		t.Fatalf("a call after the session ended: %v", err)
	}
	if counter.count() != 2 {
		t.Fatalf("%d logins, want 2: the first, and one after the session ended", counter.count())
	}
}

func TestTestConnectionVerdicts(t *testing.T) {
	s := trytond(t)
	db := s.database(t)
	tests := []struct {
		name     string
		database string
		password string
		url      string
		company  string
		ok       bool
		want     string
	}{
		{"connected", db, s.password, s.url, "", true, "connected as Administrator to database " + db + " (Switchboard Test BV)"},
		{"in a company by name", db, s.password, s.url, "Switchboard Test BV", true, "connected as Administrator to database " + db},
		{"in a company Tryton does not have", db, s.password, s.url, "Nope BV", false, `Tryton has no company named "Nope BV"; check the connection's company`},
		{"a wrong password", db, "not-the-password-2", s.url, "", false, `login refused: Tryton refused the user name "admin" or its password for database "` + db + `"`},
		{"a database the server does not have", "nope", s.password, s.url, "", false, `the database "nope" is not on this Tryton server`},
		{"nothing at the address", db, s.password, "http://127.0.0.1:1", "", false, "nothing answers at that address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := s.config(tt.database)
			values["base_url"] = tt.url
			if tt.company != "" {
				values["company"] = tt.company
			}
			counter := &logins{}
			c := openCounting(t, values, map[string]string{"password": tt.password}, counter)
			res, err := c.Test(ctx(t))
			if err != nil || res.OK != tt.ok || !strings.Contains(res.Message, tt.want) {
				t.Fatalf("Test = %+v, %v; want %v %q", res, err, tt.ok, tt.want)
			}
			if tt.password == s.password {
				return
			}
			// Asked again, a refused login is not tried again: five
			// failed logins lock the user out of Tryton for minutes.
			if again, _ := c.Test(ctx(t)); again.OK || counter.count() != 1 {
				t.Fatalf("a second test = %+v after %d logins; want one login", again, counter.count())
			}
		})
	}
}
