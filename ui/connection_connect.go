package ui

import (
	"net/http"
)

// connectData is the page that sends the browser on to an app's consent
// page.
type connectData struct {
	page
	Name string
	URL  string
}

// connectionConnect starts the Connect of an OAuth2 connection: the
// browser goes to the app's consent page and, once connected, comes back
// to the connection's page.
//
// The answer is a page that goes there at once (and links there), not a
// redirect: the pages' form-action 'self' covers the redirects that follow
// a form, and Chrome and Safari refuse to follow one to another site, so
// the button would seem to do nothing.
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
	name := rec.GetString("name")
	return r.render(http.StatusOK, "connect", connectData{page: r.page("connections", name), Name: name, URL: authURL})
}
