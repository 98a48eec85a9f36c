package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/app"
)

// settingsEngine sets the alert throttle, the activity retention and the
// business time zone, which take effect at once. A refused form shows
// again as typed, with the error at its field.
func (u *UI) settingsEngine(r *request) error {
	typed := &engineTyped{Minutes: strings.TrimSpace(r.Request.PostFormValue("alert_minutes")),
		Days: strings.TrimSpace(r.Request.PostFormValue("retention_days")),
		Zone: strings.TrimSpace(r.Request.PostFormValue("business_zone")), Errors: map[string]string{}}
	minutes, errMin := strconv.Atoi(typed.Minutes)
	days, errDays := strconv.Atoi(typed.Days)
	tunables := app.Tunables{AlertEvery: time.Duration(minutes) * time.Minute, RetentionDays: days, BusinessZone: typed.Zone}
	problems := tunables.Check()
	if errMin != nil || problems["alert_every"] != "" {
		typed.Errors["alert_minutes"] = r.L.T("settings.throttle_range")
	}
	if errDays != nil || problems["retention_days"] != "" {
		typed.Errors["retention_days"] = r.L.T("settings.retention_range")
	}
	if problems["business_zone"] != "" {
		typed.Errors["business_zone"] = r.L.T("settings.business_zone_invalid", strconv.Quote(typed.Zone))
	}
	if len(typed.Errors) > 0 {
		return u.renderSettingsTyped(r, http.StatusUnprocessableEntity, nil, &settingsTyped{Engine: typed})
	}
	err := u.sb.SaveTunables(tunables)
	if err != nil {
		return fmt.Errorf("saving the engine settings: %w", err)
	}
	return r.done("/settings", "flash.saved", 0)
}
