package ui

import "net/http"

// home is the first page: the first-run form while no user exists, the
// dashboard for a signed-in user, the sign-in page for anybody else.
func (u *UI) home(r *request) error {
	n, err := u.app().CountRecords("users")
	if err != nil {
		return err
	}
	if n == 0 {
		return r.render(http.StatusOK, "setup", setupData{page: r.page("", r.L.T("setup.title")),
			NeedsAttention: u.sb.Ready() != nil})
	}
	if r.user == nil {
		return u.toLogin(r)
	}
	if !r.can(anyRole) {
		return r.fail(http.StatusForbidden, "error.forbidden")
	}
	return u.dashboard(r)
}
