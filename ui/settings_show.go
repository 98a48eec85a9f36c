package ui

import (
	"net/http"

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
}

// smtpForm is the mail server part of the settings.
type smtpForm struct {
	Enabled  bool
	Host     string
	Port     int
	Username string
	TLS      bool
}

func (u *UI) settingsShow(r *request) error {
	return u.renderSettings(r, http.StatusOK, nil)
}

func (u *UI) renderSettings(r *request, status int, errs map[string]string) error {
	s := u.app().Settings()
	d := settingsData{page: r.page("settings", r.L.T("nav.settings")), AppURL: s.Meta.AppURL,
		SenderName: s.Meta.SenderName, SenderAddress: s.Meta.SenderAddress,
		SMTP: smtpForm{Enabled: s.SMTP.Enabled, Host: s.SMTP.Host, Port: s.SMTP.Port, Username: s.SMTP.Username,
			TLS: s.SMTP.TLS}, PasswordSet: s.SMTP.Password != "", Engine: u.sb.Engine().Config(),
		Tunables: u.sb.Tunables().Bounded(), Errors: errs}
	var err error
	if d.Integrations, err = u.app().FindRecordsByFilter("integrations", "", "name", 0, 0); err != nil {
		return err
	}
	return r.render(status, "settings", d)
}
