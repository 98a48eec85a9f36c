package ui

import (
	"errors"

	"github.com/switchboard-app/switchboard/app"
)

// flowRetryFailed retries every failed transaction of a flow.
func (u *UI) flowRetryFailed(r *request) error {
	id := r.Request.PathValue("id")
	n, err := u.sb.Engine().RetryFailedSeen(id, readSeen(r))
	back := safeNext(r.Request.PostFormValue("back"))
	if back == "/" {
		back = "/flows/" + id
	}
	switch {
	case errors.Is(err, app.ErrNotFound):
		return r.refused("/activity", "flash.not_found")
	case errors.Is(err, app.ErrFlowDisabled):
		return r.refused(back, "flash.flow_disabled")
	case err != nil:
		return err
	}
	return r.done(back, "flash.retried", n)
}
