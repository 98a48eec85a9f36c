package ui

import (
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// sessionCookie holds the signed-in user's PocketBase auth token. It is
// HttpOnly (no script reads it), SameSite=Lax (no other site's form or
// script sends it) and Secure behind HTTPS.
const sessionCookie = "sb_session"

// sessionUser returns the signed-in user of a request, or nil. Only
// users (not superusers, who keep PocketBase's dashboard) sign in to the
// UI, and a disabled user's session ends at once.
func (u *UI) sessionUser(r *http.Request) *core.Record {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	rec, err := u.app().FindAuthRecordByToken(c.Value, core.TokenTypeAuth)
	if err != nil || rec.Collection().Name != "users" || rec.GetBool("disabled") {
		return nil
	}
	return rec
}

// startSession signs user in: a new auth token in the session cookie.
func (u *UI) startSession(w http.ResponseWriter, r *http.Request, user *core.Record) error {
	token, err := user.NewAuthToken()
	if err != nil {
		return err
	}
	life := time.Duration(user.Collection().AuthToken.Duration) * time.Second
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r), MaxAge: int(life.Seconds())})
	return nil
}

// endSession signs the browser out.
func endSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r), MaxAge: -1})
}

// isHTTPS tells whether the browser reached the appliance over HTTPS,
// directly or through a proxy that says so.
func isHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}
