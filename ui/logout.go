package ui

import "net/http"

// logout ends the browser's session.
func (u *UI) logout(r *request) error {
	endSession(r.Response, r.Request)
	return r.Redirect(http.StatusSeeOther, "/login")
}
