package ui

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
)

// settingsData is the admins' settings page.
type settingsData struct {
	page
	AppURL        string
	SenderName    string
	SenderAddress string
	SMTP          smtpForm
	PasswordSet   bool
	Integrations  []*core.Record
	Engine        app.EngineConfig
	Tunables      app.Tunables
	Errors        map[string]string
	// Minutes and Days are the engine form's values: the tunables, or
	// what a refused form had typed; EngineErrors its errors by field
	// ("alert_minutes", "retention_days").
	Minutes, Days string
	EngineErrors  map[string]string
}

// smtpForm is the mail server part of the settings.
type smtpForm struct {
	Enabled bool
	Host    string
	// Port is as typed, so that a refused one shows as it was.
	Port     string
	Username string
	TLS      bool
}

func (u *UI) settingsShow(r *request) error {
	return u.renderSettings(r, http.StatusOK, nil)
}

// settingsTyped is what a refused settings form had, shown again in
// place of the stored settings; the password typed is not shown.
type settingsTyped struct {
	// Main is set when the settings form was refused, with what it had.
	Main                              bool
	AppURL, SenderName, SenderAddress string
	SMTP                              smtpForm
	Password                          bool
	// Alerts are the alert recipients typed, by integration id.
	Alerts map[string]string
	// Engine is the refused engine form, as typed, with its errors.
	Engine *engineTyped
}

// engineTyped is a refused engine form: the minutes and days typed and
// what is wrong with them, by field.
type engineTyped struct {
	Minutes, Days, Zone string
	Errors              map[string]string
}

// typedSettings reads the settings form as it was submitted.
func typedSettings(form *http.Request) *settingsTyped {
	return &settingsTyped{Main: true, AppURL: form.PostFormValue("app_url"), SenderName: form.PostFormValue("sender_name"),
		SenderAddress: form.PostFormValue("sender_address"),
		SMTP: smtpForm{Enabled: form.PostFormValue("smtp_enabled") == "on", Host: form.PostFormValue("smtp_host"),
			Port: form.PostFormValue("smtp_port"), Username: form.PostFormValue("smtp_username"),
			TLS: form.PostFormValue("smtp_tls") == "on"},
		Password: form.PostFormValue("smtp_password") != ""}
}

func (u *UI) renderSettings(r *request, status int, errs map[string]string) error {
	return u.renderSettingsTyped(r, status, errs, nil)
}

// renderSettingsTyped shows the settings, with what a refused form had
// typed when typed is set.
func (u *UI) renderSettingsTyped(r *request, status int, errs map[string]string, typed *settingsTyped) error {
	s := u.app().Settings()
	d := settingsData{page: r.page("settings", r.L.T("nav.settings")), AppURL: s.Meta.AppURL,
		SenderName: s.Meta.SenderName, SenderAddress: s.Meta.SenderAddress,
		SMTP: smtpForm{Enabled: s.SMTP.Enabled, Host: s.SMTP.Host, Port: strconv.Itoa(s.SMTP.Port), Username: s.SMTP.Username,
			TLS: s.SMTP.TLS}, PasswordSet: s.SMTP.Password != "", Engine: u.sb.Engine().Config(),
		Tunables: u.sb.Tunables().Bounded(), Errors: errs}
	d.Minutes, d.Days = strconv.Itoa(int(d.Tunables.AlertEvery/time.Minute)), strconv.Itoa(d.Tunables.RetentionDays)
	if typed != nil && typed.Engine != nil {
		d.Minutes, d.Days, d.EngineErrors = typed.Engine.Minutes, typed.Engine.Days, typed.Engine.Errors
		d.Tunables.BusinessZone = typed.Engine.Zone
	}
	if typed != nil && typed.Main {
		d.AppURL, d.SenderName, d.SenderAddress, d.SMTP = typed.AppURL, typed.SenderName, typed.SenderAddress, typed.SMTP
		if label := r.L.T("settings.smtp_password"); typed.Password && d.Errors[label] == "" {
			if d.Errors == nil {
				d.Errors = map[string]string{}
			}
			d.Errors[label] = r.L.T("connection.secret_retype")
		}
	}
	var err error
	if d.Integrations, err = u.app().FindRecordsByFilter("integrations", "", "name", 0, 0); err != nil {
		return err
	}
	if typed != nil {
		for _, in := range d.Integrations {
			if list, ok := typed.Alerts[in.Id]; ok {
				in.Set("alert_emails", list) // shown as typed, not saved
			}
		}
	}
	return r.render(status, "settings", d)
}
