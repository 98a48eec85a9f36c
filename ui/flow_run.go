package ui

import (
	"errors"

	"github.com/switchboard-app/switchboard/app"
)

// flowRun starts a run of a flow now.
func (u *UI) flowRun(r *request) error {
	id := r.Request.PathValue("id")
	back := "/flows/" + id
	_, err := u.sb.Engine().RunNow(id)
	switch {
	case errors.Is(err, app.ErrNotFound):
		return r.refused("/integrations", "flash.not_found")
	case errors.Is(err, app.ErrFlowRunning):
		return r.refused(back, "flash.running")
	case errors.Is(err, app.ErrFlowDisabled):
		return r.refused(back, "flash.flow_disabled")
	case err != nil:
		return r.refused(back, "flash.cannot_run")
	}
	return r.done(back, "flash.run_started", 0)
}
