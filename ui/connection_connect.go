package ui

import (
	"net/http"
)

// connectionConnect starts the Connect of an OAuth2 connection: the
// browser goes to the app's consent page and, once connected, comes back
// to the connection's page.
func (u *UI) connectionConnect(r *request) error {
	id := r.Request.PathValue("id")
	rec, err := u.app().FindRecordById("connections", id)
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	if !u.sb.ConnectsWithOAuth2(rec) {
		return r.fail(http.StatusBadRequest, "connection.not_oauth2")
	}
	authURL, err := u.sb.StartConnect(r.RequestEvent, id, "/connections/"+id)
	if err != nil {
		return r.failWith(http.StatusBadRequest, err.Error())
	}
	return r.Redirect(http.StatusSeeOther, authURL)
}
