package ui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/app"
)

// settingsEngine sets the alert throttle, the activity retention and the
// business time zone, which take effect at once.
func (u *UI) settingsEngine(r *request) error {
	minutes, errMin := strconv.Atoi(strings.TrimSpace(r.Request.PostFormValue("alert_minutes")))
	days, errDays := strconv.Atoi(strings.TrimSpace(r.Request.PostFormValue("retention_days")))
	zone := strings.TrimSpace(r.Request.PostFormValue("business_zone"))
	typed := &settingsTyped{Zone: &zone}
	if errMin != nil || errDays != nil {
		return u.renderSettingsTyped(r, http.StatusBadRequest, map[string]string{r.L.T("settings.engine"): r.L.T("settings.engine_numbers")}, typed)
	}
	err := u.sb.SaveTunables(app.Tunables{AlertEvery: time.Duration(minutes) * time.Minute, RetentionDays: days, BusinessZone: zone})
	var bad *app.TunablesError
	if errors.As(err, &bad) {
		return u.renderSettingsTyped(r, http.StatusBadRequest, engineErrors(r, bad, zone), typed)
	}
	if err != nil {
		return err
	}
	return r.done("/settings", "flash.saved", 0)
}

// engineErrors says what a refused engine form got wrong: the business
// time zone under its own label, the numbers under the section's.
func engineErrors(r *request, bad *app.TunablesError, zone string) map[string]string {
	errs := map[string]string{}
	rest := &app.TunablesError{Fields: map[string]string{}}
	for field, msg := range bad.Fields {
		if field == "business_zone" {
			errs[r.L.T("settings.business_zone")] = r.L.T("settings.business_zone_invalid", strconv.Quote(zone))
			continue
		}
		rest.Fields[field] = msg
	}
	if len(rest.Fields) > 0 {
		errs[r.L.T("settings.engine")] = rest.Error()
	}
	return errs
}
