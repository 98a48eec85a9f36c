package ui

import "net/http"

// logout ends the browser's session, on the server as in the browser.
func (u *UI) logout(r *request) error {
	if err := u.endSession(r.Response, r.Request); err != nil {
		return err
	}
	return r.Redirect(http.StatusSeeOther, "/login")
}
