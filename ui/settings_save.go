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
	s := u.app().Settings()
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
			_ = u.app().ReloadSettings()
			return u.renderSettings(r, http.StatusUnprocessableEntity, errs)
		}
		return err
	}
	return r.done("/settings", "flash.saved", 0)
}
