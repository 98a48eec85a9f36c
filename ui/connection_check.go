package ui

import (
	"net/http"
	"time"
)

// connectionCheck tests a connection and sends the browser to its page,
// which shows the verdict in words, with the facts worth keeping (a
// certificate's or host key's fingerprint). The page is an address of its
// own, so that Back and Reload show it again instead of asking to send the
// form again (and testing again).
func (u *UI) connectionCheck(r *request) error {
	id := r.Request.PathValue("id")
	result, err := u.sb.TestConnectionByID(r.Request.Context(), id)
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	token := u.verdicts.keep(r.user.Id, id, result, time.Now())
	return r.Redirect(http.StatusSeeOther, "/connections/"+id+"?"+verdictParam+"="+token)
}
