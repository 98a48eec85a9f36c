package ui

import (
	"net/http"
	"net/mail"
	"strings"
)

// settingsAlerts sets who gets an integration's alert mails.
func (u *UI) settingsAlerts(r *request) error {
	rec, err := u.app().FindRecordById("integrations", r.Request.PostFormValue("integration"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	list := strings.TrimSpace(r.Request.PostFormValue("alert_emails"))
	if list != "" {
		if _, err := mail.ParseAddressList(strings.ReplaceAll(list, ";", ",")); err != nil {
			return r.refused("/settings", "flash.bad_addresses")
		}
	}
	rec.Set("alert_emails", list)
	if err := u.app().Save(rec); err != nil {
		return err
	}
	return r.done("/settings", "flash.saved", 0)
}
