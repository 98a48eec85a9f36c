package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// signInFrom calls the API's auth-with-password on users from a client
// address, as a visitor there would.
func (w *world) signInFrom(client, identity, password string) *httptest.ResponseRecorder {
	body := fmt.Sprintf(`{"identity":%q,"password":%q}`, identity, password)
	req := httptest.NewRequest(http.MethodPost, "/api/collections/users/auth-with-password", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = client + ":40000"
	rec := httptest.NewRecorder()
	w.mux.ServeHTTP(rec, req)
	return rec
}

// TestAPISignInsAreLimitedPerAccount: wrong passwords for one account
// spread over many client addresses (each under the per-address limit)
// lock that account's sign-ins for the window: the right password from a
// new address is then refused with 429, Retry-After and the wait in
// words, and an address that matches no user is answered the same, so
// the lock tells nobody which addresses exist. The address the account
// signed in from before still signs in.
func TestAPISignInsAreLimitedPerAccount(t *testing.T) {
	w := newWorld(t)
	const home = "192.0.2.200"
	if rec := w.signInFrom(home, "admin@example.com", "Passw0rd!123"); rec.Code != http.StatusOK {
		t.Fatalf("the admin signing in from home = %d %s", rec.Code, truncate(rec.Body.String(), 200))
	}
	refusals := map[string]string{}
	for _, identity := range []string{"admin@example.com", "nobody@example.com"} {
		for i := range AccountSignInFailures {
			client := fmt.Sprintf("192.0.2.%d", i+1)
			if rec := w.signInFrom(client, identity, "guess"); rec.Code != http.StatusBadRequest {
				t.Fatalf("guess %d for %s = %d, want 400", i+1, identity, rec.Code)
			}
		}
		rec := w.signInFrom("198.51.100.7", strings.ToUpper(identity), "Passw0rd!123")
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("%s after %d failed sign-ins = %d (Retry-After %q), want 429 with Retry-After",
				identity, AccountSignInFailures, rec.Code, rec.Header().Get("Retry-After"))
		}
		if !strings.Contains(rec.Body.String(), "wait 15 minutes") {
			t.Errorf("the refusal does not say how long to wait: %s", rec.Body.String())
		}
		refusals[identity] = rec.Body.String()
	}
	if refusals["admin@example.com"] != refusals["nobody@example.com"] {
		t.Errorf("a locked user and a locked unknown address are answered differently:\n%s\n%s",
			refusals["admin@example.com"], refusals["nobody@example.com"])
	}
	if rec := w.signInFrom(home, "admin@example.com", "Passw0rd!123"); rec.Code != http.StatusOK {
		t.Fatalf("the admin signing in from home during the lock = %d, want 200", rec.Code)
	}
}

// TestSignInLocksEnd: a lock lasts until its window ends, not longer,
// and refused attempts do not lengthen it; a sign-in clears the count.
func TestSignInLocksEnd(t *testing.T) {
	g := newSignInGuard()
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range AccountSignInFailures {
		g.Failed("Admin@Example.com", start.Add(time.Duration(i)*time.Second))
	}
	if _, ok := g.Check("admin@example.com", "a", start.Add(AccountSignInWindow-time.Second)); ok {
		t.Fatal("the account is not locked after its failures")
	}
	if wait, _ := g.Check("admin@example.com", "a", start.Add(time.Minute)); wait != AccountSignInWindow-time.Minute {
		t.Errorf("the wait a minute in = %v, want %v", wait, AccountSignInWindow-time.Minute)
	}
	if _, ok := g.Check("admin@example.com", "a", start.Add(AccountSignInWindow)); !ok {
		t.Fatal("the lock outlives its window")
	}
	if _, ok := g.Check("other@example.com", "a", start.Add(time.Minute)); !ok {
		t.Fatal("another account is locked too")
	}
	for range AccountSignInFailures - 1 {
		g.Failed("b@example.com", start)
	}
	g.Succeeded("b@example.com", "a", start)
	g.Failed("b@example.com", start)
	if _, ok := g.Check("b@example.com", "z", start); !ok {
		t.Fatal("a sign-in does not clear the account's failures")
	}
}

// TestSignInWaitsAreInWords: the wait a locked sign-in is told is rounded
// up to whole minutes, a single one in the singular.
func TestSignInWaitsAreInWords(t *testing.T) {
	for _, tc := range []struct {
		wait time.Duration
		want string
	}{
		{15 * time.Minute, "15 minutes"},
		{90 * time.Second, "2 minutes"},
		{time.Second, "a minute"},
	} {
		if got := minutes(WaitMinutes(tc.wait)); got != tc.want {
			t.Errorf("a wait of %v reads %q, want %q", tc.wait, got, tc.want)
		}
	}
}
