package ui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/app"
)

// settingsEngine sets the alert throttle and the activity retention,
// which take effect at once.
func (u *UI) settingsEngine(r *request) error {
	minutes, errMin := strconv.Atoi(strings.TrimSpace(r.Request.PostFormValue("alert_minutes")))
	days, errDays := strconv.Atoi(strings.TrimSpace(r.Request.PostFormValue("retention_days")))
	if errMin != nil || errDays != nil {
		return u.renderSettings(r, http.StatusBadRequest, map[string]string{r.L.T("settings.engine"): r.L.T("settings.engine_numbers")})
	}
	err := u.sb.SaveTunables(app.Tunables{AlertEvery: time.Duration(minutes) * time.Minute, RetentionDays: days})
	var bad *app.TunablesError
	if errors.As(err, &bad) {
		return u.renderSettings(r, http.StatusBadRequest, map[string]string{r.L.T("settings.engine"): bad.Error()})
	}
	if err != nil {
		return err
	}
	return r.done("/settings", "flash.saved", 0)
}
