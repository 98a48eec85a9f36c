package ui

import "net/http"

// flowSchedule sets a flow's schedule: a preset or any cron expression;
// the flow's own validation refuses one that does not parse.
func (u *UI) flowSchedule(r *request) error {
	rec, err := u.app().FindRecordById("flows", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	rec.Set("schedule", readSchedule(r.Request))
	if err := u.app().Save(rec); err != nil {
		return r.refused("/flows/"+rec.Id, "flash.bad_schedule")
	}
	return r.done("/flows/"+rec.Id, "flash.saved", 0)
}
