package ui

import (
	"net/http"
	"sort"
	"strings"
)

// flowSchedule sets a flow's schedule: a preset or any cron expression;
// the flow's own validation refuses one that does not parse, and the page
// shows again with the schedule as typed and the reason at its field.
func (u *UI) flowSchedule(r *request) error {
	rec, err := u.app().FindRecordById("flows", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	sched := readSchedule(r.Request)
	rec.Set("schedule", sched)
	err = u.app().Save(rec)
	if err == nil {
		return r.done("/flows/"+rec.Id, "flash.saved", 0)
	}
	errs := fieldErrors(r, err)
	if errs == nil {
		return err
	}
	stored, err := u.app().FindRecordById("flows", rec.Id)
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	d, err := u.flowPage(r, stored)
	if err != nil {
		return err
	}
	d.Picked, d.Custom, d.FormErr = sched, "", scheduleError(errs)
	if !isPreset(sched) {
		d.Custom = sched
	}
	return r.render(http.StatusUnprocessableEntity, "flow", d)
}

// scheduleError is why a save of a flow (or an integration) was refused,
// in words: the schedule's error first, and any other field's named.
func scheduleError(errs map[string]string) string {
	fields := make([]string, 0, len(errs))
	for field := range errs {
		fields = append(fields, field)
	}
	sort.Strings(fields)
	parts := make([]string, 0, len(errs))
	for _, field := range fields {
		if field == "schedule" {
			parts = append([]string{errs[field]}, parts...)
			continue
		}
		parts = append(parts, field+": "+errs[field])
	}
	return strings.Join(parts, "; ")
}
