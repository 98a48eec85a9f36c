package ui

import (
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// loginSubmit signs a user in with e-mail address and password. Every
// failure reads the same, and takes as long, so the form tells nobody
// which addresses exist.
func (u *UI) loginSubmit(r *request) error {
	email := strings.TrimSpace(r.Request.PostFormValue("email"))
	if !u.signIns.allow(r.RealIP(), time.Now()) {
		return u.renderLogin(r, http.StatusTooManyRequests, email, "login.too_many")
	}
	password := r.Request.PostFormValue("password")
	user, err := u.app().FindAuthRecordByEmail("users", email)
	if err != nil {
		u.comparePasswordAnyway(password)
		return u.renderLogin(r, http.StatusUnauthorized, email, "login.failed")
	}
	if !checkPassword(user, password) || user.GetBool("disabled") {
		return u.renderLogin(r, http.StatusUnauthorized, email, "login.failed")
	}
	if err := u.startSession(r.Response, r.Request, user); err != nil {
		return err
	}
	return r.Redirect(http.StatusSeeOther, safeNext(r.Request.PostFormValue("next")))
}

// checkPassword compares a password with a user's stored hash, the slow
// part of a sign-in.
var checkPassword = func(user *core.Record, password string) bool { return user.ValidatePassword(password) }

// comparePasswordAnyway spends on an address that matches no user the
// time a password comparison takes, against some user's hash (of the
// same cost): a refusal that came at once would tell that the address
// does not exist. As PocketBase does for the API's sign-in.
func (u *UI) comparePasswordAnyway(password string) {
	someone := &core.Record{}
	if err := u.app().RecordQuery("users").Limit(1).One(someone); err != nil {
		return
	}
	_ = checkPassword(someone, password)
}
