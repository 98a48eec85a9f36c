package ui

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"
)

// flowToggle switches a flow on or off.
func (u *UI) flowToggle(r *request) error {
	rec, err := u.app().FindRecordById("flows", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	on := r.Request.PostFormValue("enabled") == "on"
	rec.Set("enabled", on)
	if err := u.saveSwitch(rec, on); err != nil {
		return r.refusedSwitch(err)
	}
	return r.done("/flows/"+rec.Id, switchedKey(on), 0)
}

// saveSwitch saves a flow's or an integration's switch. Switching off is
// never refused: a record that no longer passes the checks of a save (a
// schedule a newer version refuses, a connector that lost a capability)
// can still be stopped. Switching on is checked.
func (u *UI) saveSwitch(rec *core.Record, on bool) error {
	if !on {
		return u.app().SaveNoValidate(rec)
	}
	return u.app().Save(rec)
}

// refusedSwitch shows why a switch could not be saved: the checks' reasons
// in words, each field named, or err as it is.
func (r *request) refusedSwitch(err error) error {
	if errs := fieldErrors(r, err); errs != nil {
		return r.failWith(http.StatusUnprocessableEntity, scheduleError(errs))
	}
	return err
}
