package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-app/switchboard/app"
)

var anyRole = app.AnyRole

// loginData is the sign-in page.
type loginData struct {
	page
	Email string
	Next  string
	Error string
	// NeedsAttention is set when flows cannot run; the page says no more
	// than that to a visitor who has not signed in.
	NeedsAttention bool
}

func (u *UI) loginShow(r *request) error {
	if r.user != nil {
		return r.Redirect(http.StatusSeeOther, safeNext(r.Request.URL.Query().Get("next")))
	}
	return u.renderLogin(r, http.StatusOK, "", "")
}

func (u *UI) renderLogin(r *request, status int, email, errKey string) error {
	msg := ""
	if errKey != "" {
		msg = r.L.T(errKey)
	}
	return u.renderLoginError(r, status, email, msg)
}

// renderLoginError shows the sign-in page with msg, already translated.
func (u *UI) renderLoginError(r *request, status int, email, msg string) error {
	d := loginData{page: r.page("", r.L.T("login.title")), Email: email,
		Next: safeNext(r.Request.FormValue("next")), NeedsAttention: u.sb.Ready() != nil, Error: msg}
	return r.render(status, "login", d)
}

// safeNext keeps a redirect after sign-in on this site: a path, never
// another host ("//evil.example" or "/\evil.example").
//
// Browsers drop tabs and line breaks from an address and read a backslash
// as a slash, so "/<tab>/evil.example" leaves the site too: an address
// with a control character or a backslash anywhere, or one that parses
// with a scheme or a host, is refused.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsFunc(next, func(r rune) bool { return r < ' ' || r == 0x7f || r == '\\' }) {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}
