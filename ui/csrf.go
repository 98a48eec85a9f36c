package ui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
)

// csrfCookie holds the browser's CSRF token; every form carries the same
// token in the csrfField, and a state-changing request whose two do not
// match is refused. Another site can make a browser send the cookie but
// can neither read it nor put it in a form.
const (
	csrfCookie = "sb_csrf"
	csrfField  = "csrf"
)

// errCSRF refuses a state-changing request without the page's token, or
// one that a browser says came from another site.
var errCSRF = errors.New("the form is out of date or came from another site: reload the page and try again")

// crossOrigin refuses requests that a browser marks as cross-site
// (Sec-Fetch-Site, Origin), before the token is even looked at.
var crossOrigin = http.NewCrossOriginProtection()

// csrfToken returns the browser's CSRF token, setting a new one when it
// has none. The cookie is SameSite=Lax, as the session's is: a page opened
// from a link on another site (an alert mail in webmail) then gets the
// browser's token, instead of a new one that would make every form open
// in another tab out of date. Another site's POST still carries no cookie,
// and could not put the token in its form anyway.
func csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	buf := make([]byte, 32)
	_, _ = rand.Read(buf)
	token := base64.RawURLEncoding.EncodeToString(buf)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r)})
	return token
}

// checkCSRF refuses a state-changing request that does not carry the
// browser's token, or that the browser says came from another site.
func checkCSRF(r *http.Request) error {
	if err := crossOrigin.Check(r); err != nil {
		return errCSRF
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil || len(c.Value) < 32 {
		return errCSRF
	}
	sent := r.PostFormValue(csrfField)
	if subtle.ConstantTimeCompare([]byte(sent), []byte(c.Value)) != 1 {
		return errCSRF
	}
	return nil
}
