package ui

import (
	"net/mail"

	"github.com/pocketbase/pocketbase/tools/mailer"
)

// settingsTestMail sends a test mail to the signed-in admin, through the
// mail server as it is saved; refused while no mail server is switched
// on, as alert mails are (PocketBase would fall back to sendmail).
func (u *UI) settingsTestMail(r *request) error {
	if smtp := u.app().Settings().SMTP; !smtp.Enabled || smtp.Host == "" {
		return r.refused("/settings", "flash.mail_off")
	}
	meta := u.app().Settings().Meta
	msg := &mailer.Message{
		From:    mail.Address{Name: meta.SenderName, Address: meta.SenderAddress},
		To:      []mail.Address{{Address: r.user.Email()}},
		Subject: r.L.T("settings.test_subject"),
		Text:    r.L.T("settings.test_body"),
		HTML:    "<p>" + r.L.T("settings.test_body") + "</p>",
	}
	if err := u.app().NewMailClient().Send(msg); err != nil {
		u.app().Logger().Warn("sending a test mail", "error", err.Error())
		return r.refused("/settings", "flash.mail_failed")
	}
	return r.done("/settings", "flash.mail_sent", 0)
}
