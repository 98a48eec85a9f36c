package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// settingsSave stores the application URL and the mail server, in
// PocketBase's settings. An empty password keeps the stored one only while
// the mail server stays where it was (smtpPassword); a save that moves it
// clears the password and says so.
func (u *UI) settingsSave(r *request) error {
	form := r.Request
	s, err := u.app().Settings().Clone()
	if err != nil {
		return fmt.Errorf("reading the settings: %w", err)
	}
	before := s.SMTP
	s.Meta.AppURL = strings.TrimRight(strings.TrimSpace(form.PostFormValue("app_url")), "/")
	s.Meta.SenderName = strings.TrimSpace(form.PostFormValue("sender_name"))
	s.Meta.SenderAddress = strings.TrimSpace(form.PostFormValue("sender_address"))
	s.SMTP.Enabled = form.PostFormValue("smtp_enabled") == "on"
	s.SMTP.Host = strings.TrimSpace(form.PostFormValue("smtp_host"))
	port, ok := smtpPort(form.PostFormValue("smtp_port"))
	if !ok {
		return u.renderSettingsTyped(r, http.StatusUnprocessableEntity,
			map[string]string{r.L.T("settings.smtp_port"): r.L.T("settings.smtp_port_invalid")}, typedSettings(form))
	}
	s.SMTP.Port = port
	s.SMTP.Username = strings.TrimSpace(form.PostFormValue("smtp_username"))
	s.SMTP.TLS = form.PostFormValue("smtp_tls") == "on"
	var cleared bool
	s.SMTP.Password, cleared = smtpPassword(before, s.SMTP, form.PostFormValue("smtp_password"))
	if err := u.app().Save(s); err != nil {
		if errs := fieldErrors(r, err); errs != nil {
			return u.renderSettingsTyped(r, http.StatusUnprocessableEntity, labelled(r, errs), typedSettings(form))
		}
		return fmt.Errorf("saving the settings: %w", err)
	}
	if cleared {
		return r.done("/settings", "flash.smtp_password_cleared", 0)
	}
	return r.done("/settings", "flash.saved", 0)
}

// smtpPassword is the password a save stores, and whether it cleared the
// stored one. A typed password is stored as typed. An empty field keeps
// the stored password only while the save leaves the server where it was:
// the same host and port, and TLS not turned off. Otherwise the password
// would go, on the next mail, to a server the saver chose (or in clear
// text), so it is cleared, as a connection's secrets are when its address
// changes.
func smtpPassword(before, after core.SMTPConfig, typed string) (string, bool) {
	if typed != "" {
		return typed, false
	}
	if before.Password == "" {
		return "", false
	}
	moved := !strings.EqualFold(before.Host, after.Host) || before.Port != after.Port ||
		(before.TLS && !after.TLS)
	if moved {
		return "", true
	}
	return before.Password, false
}

// smtpPort reads the mail server's port: empty is 0, left to the
// settings' own check (required when mail is on); anything else must be a
// port number, 1 to 65535.
func smtpPort(text string) (int, bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, true
	}
	port, err := strconv.Atoi(text)
	return port, err == nil && port >= 1 && port <= 65535
}

// settingsLabels name PocketBase's settings fields as the form does.
var settingsLabels = map[string]string{
	"meta.appURL": "settings.app_url", "meta.senderName": "settings.sender_name",
	"meta.senderAddress": "settings.sender_address", "smtp.host": "settings.smtp_host",
	"smtp.port": "settings.smtp_port", "smtp.username": "settings.smtp_username",
	"smtp.password": "settings.smtp_password",
}

// labelled keys errors by the form's labels.
func labelled(r *request, errs map[string]string) map[string]string {
	out := make(map[string]string, len(errs))
	for field, msg := range errs {
		if key, ok := settingsLabels[field]; ok {
			field = r.L.T(key)
		}
		out[field] = msg
	}
	return out
}
