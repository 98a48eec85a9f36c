package ui

import (
	"net/http"
	"strconv"
	"strings"
)

// settingsSave stores the application URL and the mail server, in
// PocketBase's settings; an empty password keeps the stored one.
func (u *UI) settingsSave(r *request) error {
	form := r.Request
	s, err := u.app().Settings().Clone()
	if err != nil {
		return err
	}
	s.Meta.AppURL = strings.TrimRight(strings.TrimSpace(form.PostFormValue("app_url")), "/")
	s.Meta.SenderName = strings.TrimSpace(form.PostFormValue("sender_name"))
	s.Meta.SenderAddress = strings.TrimSpace(form.PostFormValue("sender_address"))
	s.SMTP.Enabled = form.PostFormValue("smtp_enabled") == "on"
	s.SMTP.Host = strings.TrimSpace(form.PostFormValue("smtp_host"))
	s.SMTP.Port, _ = strconv.Atoi(strings.TrimSpace(form.PostFormValue("smtp_port")))
	s.SMTP.Username = strings.TrimSpace(form.PostFormValue("smtp_username"))
	s.SMTP.TLS = form.PostFormValue("smtp_tls") == "on"
	if p := form.PostFormValue("smtp_password"); p != "" {
		s.SMTP.Password = p
	}
	if err := u.app().Save(s); err != nil {
		if errs := fieldErrors(r, err); errs != nil {
			return u.renderSettings(r, http.StatusUnprocessableEntity, labelled(r, errs))
		}
		return err
	}
	return r.done("/settings", "flash.saved", 0)
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
