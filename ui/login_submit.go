package ui

import (
	"net/http"
	"strings"
	"time"
)

// loginSubmit signs a user in with e-mail address and password. Every
// failure reads the same, so the form tells nobody which addresses exist.
func (u *UI) loginSubmit(r *request) error {
	email := strings.TrimSpace(r.Request.PostFormValue("email"))
	if !u.signIns.allow(r.RealIP(), time.Now()) {
		return u.renderLogin(r, http.StatusTooManyRequests, email, "login.too_many")
	}
	password := r.Request.PostFormValue("password")
	user, err := u.app().FindAuthRecordByEmail("users", email)
	if err != nil || !user.ValidatePassword(password) || user.GetBool("disabled") {
		return u.renderLogin(r, http.StatusUnauthorized, email, "login.failed")
	}
	if err := u.startSession(r.Response, r.Request, user); err != nil {
		return err
	}
	return r.Redirect(http.StatusSeeOther, safeNext(r.Request.PostFormValue("next")))
}
