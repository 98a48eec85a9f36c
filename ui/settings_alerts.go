package ui

import (
	"errors"
	"net/http"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
)

// settingsAlerts sets who gets an integration's alert mails. The
// addresses are checked as the integration is saved, by the same rule as
// the REST API's (a list with one that is no address is refused).
func (u *UI) settingsAlerts(r *request) error {
	rec, err := u.app().FindRecordById("integrations", r.Request.PostFormValue("integration"))
	if err != nil {
		return r.fail(http.StatusNotFound, "error.not_found")
	}
	rec.Set("alert_emails", strings.TrimSpace(r.Request.PostFormValue("alert_emails")))
	if err := u.app().Save(rec); err != nil {
		var errs validation.Errors
		if errors.As(err, &errs) && errs["alert_emails"] != nil {
			return r.refused("/settings", "flash.bad_addresses")
		}
		return err
	}
	return r.done("/settings", "flash.saved", 0)
}
