package ui

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
)

// signIn signs in through the form, as a browser does, and returns the
// browser and its session token.
func signIn(t *testing.T, e *env, role string) (*client, string) {
	t.Helper()
	c := e.as("")
	rec := c.post("/login", url.Values{"email": {role + "@example.com"}, "password": {password}})
	if rec.Code != http.StatusSeeOther || c.cookies[sessionCookie] == "" {
		t.Fatalf("signing in = %d, cookies %v", rec.Code, c.cookies)
	}
	return c, c.cookies[sessionCookie]
}

// withToken is a browser that sends token as its session cookie, as
// whoever copied it would.
func withToken(e *env, token string) *client {
	c := e.as("")
	c.cookies[sessionCookie] = token
	return c
}

// sessionRows counts the stored sessions.
func (e *env) sessionRows() int {
	e.t.Helper()
	var n int
	if err := e.app.DB().NewQuery(`SELECT COUNT(*) FROM ui_sessions`).Row(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestSignOutEndsTheSession: signing out ends the session on the server
// at once: its token, copied before, opens no page afterwards.
func TestSignOutEndsTheSession(t *testing.T) {
	e := newEnv(t, false, false)
	c, token := signIn(t, e, "viewer")
	if rec := withToken(e, token).get("/activity"); rec.Code != http.StatusOK {
		t.Fatalf("the copied session before sign-out: the activity = %d", rec.Code)
	}
	before := e.sessionRows()
	if rec := c.post("/logout", nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("logout = %d", rec.Code)
	}
	if rec := c.get("/activity"); rec.Code != http.StatusSeeOther {
		t.Fatalf("after logout the activity = %d", rec.Code)
	}
	if rec := withToken(e, token).get("/activity"); rec.Code != http.StatusSeeOther {
		t.Fatalf("after logout the copied session still opens the activity: %d", rec.Code)
	}
	if after := e.sessionRows(); after != before-1 {
		t.Fatalf("%d sessions stored after logout, %d before", after, before)
	}
}

// TestSessionIsNoAPIToken: the UI's session authenticates its pages only;
// PocketBase's API takes its token neither as an auth token nor as a
// cookie, and it reads nothing there.
func TestSessionIsNoAPIToken(t *testing.T) {
	e := newEnv(t, false, true)
	_, token := signIn(t, e, "admin")
	api := func(method, path string, header bool) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, nil)
		if header {
			req.Header.Set("Authorization", token)
		} else {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
		}
		rec := httptest.NewRecorder()
		e.mux.ServeHTTP(rec, req)
		return rec
	}
	for _, header := range []bool{true, false} {
		if rec := api(http.MethodPost, "/api/collections/users/auth-refresh", header); rec.Code != http.StatusUnauthorized {
			t.Errorf("auth-refresh with the session token (header %v) = %d, want 401", header, rec.Code)
		}
		rec := api(http.MethodGet, "/api/collections/connections/records", header)
		var list struct {
			TotalItems int `json:"totalItems"`
		}
		if rec.Code == http.StatusOK {
			if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
				t.Fatalf("the list: %v", err)
			}
		}
		if list.TotalItems != 0 {
			t.Errorf("the session token (header %v) lists %d connections through the API", header, list.TotalItems)
		}
	}
	if n, _ := e.app.CountRecords("connections"); n == 0 {
		t.Fatal("the demo made no connections: the check above proves nothing")
	}
}

// TestSessionsEnd: a session that has expired opens nothing, a malformed
// or unknown token neither, and the next sign-in prunes the ended ones.
func TestSessionsEnd(t *testing.T) {
	e := newEnv(t, false, false)
	user, err := e.app.FindAuthRecordByEmail("users", "viewer@example.com")
	if err != nil {
		t.Fatal(err)
	}
	expired, err := newSession(e.app, user, time.Now().Add(-2*time.Hour), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	unknown := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" // 32 zero bytes
	for name, token := range map[string]string{"expired": expired, "unknown": unknown, "malformed": "not a token"} {
		if rec := withToken(e, token).get("/activity"); rec.Code != http.StatusSeeOther {
			t.Errorf("an %s session opens the activity: %d", name, rec.Code)
		}
	}
	signIn(t, e, "viewer")
	var n int
	if err := e.app.DB().NewQuery(`SELECT COUNT(*) FROM ui_sessions WHERE expires <= {:now}`).
		Bind(dbx.Params{"now": time.Now().UnixMilli()}).Row(&n); err != nil || n != 0 {
		t.Fatalf("%d ended sessions left after a sign-in (%v)", n, err)
	}
}
