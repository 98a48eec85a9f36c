package ui

import "net/http"

// integrationToggle switches an integration on or off; off stops all its
// flows.
func (u *UI) integrationToggle(r *request) error {
	rec, err := u.app().FindRecordById("integrations", r.Request.PathValue("id"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	on := r.Request.PostFormValue("enabled") == "on"
	rec.Set("enabled", on)
	if err := u.saveSwitch(rec, on); err != nil {
		return r.refusedSwitch(err)
	}
	return r.done("/integrations", switchedKey(on), 0)
}

func switchedKey(on bool) string {
	if on {
		return "flash.enabled"
	}
	return "flash.disabled"
}
