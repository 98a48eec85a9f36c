package ui

import (
	"net/http"
	"strings"
)

// flowSchedule sets a flow's schedule: a preset or any cron expression;
// the flow's own validation refuses one that does not parse.
func (u *UI) flowSchedule(r *request) error {
	rec, err := u.app().FindRecordById("flows", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	sched := strings.TrimSpace(r.Request.PostFormValue("schedule"))
	if custom := strings.TrimSpace(r.Request.PostFormValue("custom")); sched == "custom" {
		sched = custom
	}
	rec.Set("schedule", sched)
	if err := u.app().Save(rec); err != nil {
		return r.refused("/flows/"+rec.Id, "flash.bad_schedule")
	}
	return r.done("/flows/"+rec.Id, "flash.saved", 0)
}
