package ui

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
)

// loginSubmit signs a user in with e-mail address and password. Every
// failure reads the same, and takes as long, so the form tells nobody
// which addresses exist. Attempts are limited per client address, and
// failures per account (app.SignInGuard, shared with the API): a locked
// account's sign-in is refused, saying how long to wait, before its
// password is looked at.
func (u *UI) loginSubmit(r *request) error {
	email := strings.TrimSpace(r.Request.PostFormValue("email"))
	if !u.signIns.allow(r.RealIP(), time.Now()) {
		return u.renderLogin(r, http.StatusTooManyRequests, email, "login.too_many")
	}
	guard := u.sb.SignIns()
	if wait, ok := guard.Check(email, r.RealIP(), time.Now()); !ok {
		return u.refuseLockedAccount(r, email, wait)
	}
	password := r.Request.PostFormValue("password")
	user, err := u.app().FindAuthRecordByEmail("users", email)
	if err != nil {
		u.comparePasswordAnyway(password)
		guard.Failed(email, time.Now())
		return u.renderLogin(r, http.StatusUnauthorized, email, "login.failed")
	}
	if !checkPassword(user, password) || user.GetBool("disabled") {
		guard.Failed(email, time.Now())
		return u.renderLogin(r, http.StatusUnauthorized, email, "login.failed")
	}
	if err := u.startSession(r.Response, r.Request, user); err != nil {
		return err
	}
	guard.Succeeded(email, r.RealIP(), time.Now())
	return r.Redirect(http.StatusSeeOther, safeNext(r.Request.PostFormValue("next")))
}

// refuseLockedAccount answers a sign-in for an account that failed too
// often: 429, Retry-After, and the wait in words, the same whether the
// address belongs to a user or not.
func (u *UI) refuseLockedAccount(r *request, email string, wait time.Duration) error {
	r.Response.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	msg := r.L.T("login.account_wait", app.WaitMinutes(wait))
	if app.WaitMinutes(wait) == 1 {
		msg = r.L.T("login.account_wait_one")
	}
	return u.renderLoginError(r, http.StatusTooManyRequests, email, msg)
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
