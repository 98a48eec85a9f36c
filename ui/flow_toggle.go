package ui

import "net/http"

// flowToggle switches a flow on or off.
func (u *UI) flowToggle(r *request) error {
	rec, err := u.app().FindRecordById("flows", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	on := r.Request.PostFormValue("enabled") == "on"
	rec.Set("enabled", on)
	if err := u.app().Save(rec); err != nil {
		return err
	}
	return r.done("/flows/"+rec.Id, switchedKey(on), 0)
}
