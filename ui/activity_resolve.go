package ui

import (
	"errors"
	"strings"

	"github.com/switchboard-app/switchboard/app"
)

// activityResolve marks a failed transaction done by hand, with a note.
func (u *UI) activityResolve(r *request) error {
	id := r.Request.PathValue("id")
	back := "/activity/" + id
	err := u.sb.Engine().Resolve(id, r.user, strings.TrimSpace(r.Request.PostFormValue("note")))
	switch {
	case errors.Is(err, app.ErrNotFound):
		return r.refused("/activity", "flash.not_found")
	case errors.Is(err, app.ErrNotResolvable):
		return r.refused(back, "flash.not_resolvable")
	case err != nil:
		return err
	}
	return r.done(back, "flash.resolved", 0)
}
