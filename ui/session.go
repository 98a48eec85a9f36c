package ui

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// sessionCookie holds the signed-in browser's session token: 32 random
// bytes, no PocketBase auth token, so that the REST API does not take it.
// The table ui_sessions holds only its SHA-256, with the user. The cookie
// is HttpOnly (no script reads it), SameSite=Lax (no other site's form or
// script sends it) and Secure behind HTTPS.
const sessionCookie = "sb_session"

// sessionTokenBytes is the length of a session token before encoding.
const sessionTokenBytes = 32

// session is a row of ui_sessions.
type session struct {
	User     string `db:"user"`
	TokenKey string `db:"token_key"`
	Expires  int64  `db:"expires"`
}

// sessionUser returns the signed-in user of a request, or nil. Only
// users (not superusers, who keep PocketBase's dashboard) sign in to the
// UI. A session is over when it was signed out or has expired, and when
// its user is disabled or their token key changed after it began (a new
// role, a disabled switch or a new password renews it).
func (u *UI) sessionUser(r *http.Request) *core.Record {
	hash, ok := sessionHash(r)
	if !ok {
		return nil
	}
	var s session
	err := u.app().DB().NewQuery(`SELECT user, token_key, expires FROM ui_sessions WHERE hash = {:hash}`).
		Bind(dbx.Params{"hash": hash}).One(&s)
	if err != nil || s.Expires <= time.Now().UnixMilli() {
		return nil
	}
	rec, err := u.app().FindRecordById("users", s.User)
	if err != nil || rec.GetBool("disabled") ||
		subtle.ConstantTimeCompare([]byte(rec.TokenKey()), []byte(s.TokenKey)) != 1 {
		return nil
	}
	return rec
}

// sessionHash is the SHA-256 of the request's session token, the key of
// its row; false without a well-formed one.
func sessionHash(r *http.Request) ([]byte, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false
	}
	token, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(token) != sessionTokenBytes {
		return nil, false
	}
	sum := sha256.Sum256(token)
	return sum[:], true
}

// startSession signs user in: a new session, its token in the cookie.
// It prunes the sessions that have ended on the way.
func (u *UI) startSession(w http.ResponseWriter, r *http.Request, user *core.Record) error {
	life := time.Duration(user.Collection().AuthToken.Duration) * time.Second
	token, err := newSession(u.app(), user, time.Now(), life)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r), MaxAge: int(life.Seconds())})
	return nil
}

// newSession stores a session of user from now for life and returns its
// token, after deleting the sessions that have ended.
func newSession(app core.App, user *core.Record, now time.Time, life time.Duration) (string, error) {
	if _, err := app.DB().NewQuery(`DELETE FROM ui_sessions WHERE expires <= {:now}`).
		Bind(dbx.Params{"now": now.UnixMilli()}).Execute(); err != nil {
		return "", fmt.Errorf("pruning the ended sessions: %w", err)
	}
	token := make([]byte, sessionTokenBytes)
	if _, err := rand.Read(token); err != nil {
		return "", fmt.Errorf("making a session token: %w", err)
	}
	sum := sha256.Sum256(token)
	_, err := app.DB().NewQuery(`INSERT INTO ui_sessions (hash, user, token_key, created, expires)
		VALUES ({:hash}, {:user}, {:key}, {:created}, {:expires})`).Bind(dbx.Params{"hash": sum[:], "user": user.Id,
		"key": user.TokenKey(), "created": now.UnixMilli(), "expires": now.Add(life).UnixMilli()}).Execute()
	if err != nil {
		return "", fmt.Errorf("storing the session of user %s: %w", user.Id, err)
	}
	return base64.RawURLEncoding.EncodeToString(token), nil
}

// endSession signs the browser out: its session is deleted, so its token
// is refused from now on wherever it was copied, and the cookie cleared.
func (u *UI) endSession(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r), MaxAge: -1})
	hash, ok := sessionHash(r)
	if !ok {
		return nil
	}
	if _, err := u.app().DB().NewQuery(`DELETE FROM ui_sessions WHERE hash = {:hash}`).
		Bind(dbx.Params{"hash": hash}).Execute(); err != nil {
		return fmt.Errorf("ending the session: %w", err)
	}
	return nil
}

// isHTTPS tells whether the browser reached the appliance over HTTPS,
// directly or through a proxy that says so.
func isHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}
