package ui

import (
	"errors"
	"net/http"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
)

// settingsAlerts sets who gets an integration's alert mails. The
// addresses are checked as the integration is saved, by the same rule as
// the REST API's (a list with one that is no address is refused); a
// refusal names the integration and the address, and keeps the list as
// typed.
func (u *UI) settingsAlerts(r *request) error {
	rec, err := u.app().FindRecordById("integrations", r.Request.PostFormValue("integration"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	list := strings.TrimSpace(r.Request.PostFormValue("alert_emails"))
	rec.Set("alert_emails", list)
	if err := u.app().Save(rec); err != nil {
		var errs validation.Errors
		if errors.As(err, &errs) && errs["alert_emails"] != nil {
			label := rec.GetString("name") + ", " + r.L.T("settings.alerts")
			return u.renderSettingsTyped(r, http.StatusUnprocessableEntity, map[string]string{label: errs["alert_emails"].Error()},
				&settingsTyped{Alerts: map[string]string{rec.Id: list}})
		}
		return err
	}
	return r.done("/settings", "flash.saved", 0)
}
