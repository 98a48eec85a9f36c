package ui

import (
	"errors"

	"github.com/switchboard-app/switchboard/app"
)

// flowRetryFailed retries every failed transaction of a flow.
func (u *UI) flowRetryFailed(r *request) error {
	id := r.Request.PathValue("id")
	n, err := u.sb.Engine().RetryFailed(id)
	if errors.Is(err, app.ErrNotFound) {
		return r.refused("/activity", "flash.not_found")
	}
	if err != nil {
		return err
	}
	back := safeNext(r.Request.PostFormValue("back"))
	if back == "/" {
		back = "/flows/" + id
	}
	return r.done(back, "flash.retried", n)
}
