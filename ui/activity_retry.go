package ui

import (
	"errors"

	"github.com/switchboard-app/switchboard/app"
)

// activityRetry runs one failed or skipped transaction again through its
// flow's current mapping and rules.
func (u *UI) activityRetry(r *request) error {
	id := r.Request.PathValue("id")
	back := "/activity/" + id
	_, err := u.sb.Engine().RetryTransactionSeen(id, readSeen(r))
	var deleted *app.FlowDeletedError
	var notRetryable *app.NotRetryableError
	switch {
	case errors.Is(err, app.ErrNotFound):
		return r.refused("/activity", "flash.not_found")
	case errors.As(err, &deleted):
		return r.refused(back, "flash.flow_deleted")
	case errors.As(err, &notRetryable) && notRetryable.Already:
		return r.refused(back, "flash.retried_already")
	case errors.As(err, &notRetryable):
		return r.refused(back, "flash.not_retryable")
	case errors.Is(err, app.ErrFlowDisabled):
		return r.refused(back, "flash.flow_disabled")
	case err != nil:
		return err
	}
	return r.done(back, "flash.retried", 1)
}
