package ui

import (
	"net/url"
	"strings"
	"testing"
)

// TestSettingsMoveClearsTheMailPassword: the mail server's stored
// password stays only while a save leaves the server where it was. A save
// that points it at another host or port, or turns TLS off, clears it
// unless a new one is typed in the same save, and says so; otherwise an
// admin could send the superuser's password to a server of their own.
func TestSettingsMoveClearsTheMailPassword(t *testing.T) {
	for _, tc := range []struct {
		name, host, port, typed string
		tls                     bool
		password, flash         string
	}{
		{"the same server", "smtp.example.com", "465", "", true, "superuser-secret", "ok=flash.saved"},
		{"the same server in capitals", "SMTP.example.com", "465", "", true, "superuser-secret", "ok=flash.saved"},
		{"another host", "127.0.0.1", "465", "", true, "", "ok=flash.smtp_password_cleared"},
		{"another port", "smtp.example.com", "2525", "", true, "", "ok=flash.smtp_password_cleared"},
		{"TLS turned off", "smtp.example.com", "465", "", false, "", "ok=flash.smtp_password_cleared"},
		{"another host with its password", "127.0.0.1", "2525", "new-secret", true, "new-secret", "ok=flash.saved"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, false, false)
			s, err := e.app.Settings().Clone()
			if err != nil {
				t.Fatal(err)
			}
			s.SMTP.Enabled, s.SMTP.Host, s.SMTP.Port, s.SMTP.TLS = true, "smtp.example.com", 465, true
			s.SMTP.Username, s.SMTP.Password = "mailer", "superuser-secret"
			if err := e.app.Save(s); err != nil {
				t.Fatal(err)
			}
			form := url.Values{"app_url": {"https://sb.example.com"}, "sender_name": {"Switchboard"},
				"sender_address": {"sb@example.com"}, "smtp_enabled": {"on"}, "smtp_host": {tc.host},
				"smtp_port": {tc.port}, "smtp_username": {"mailer"}, "smtp_password": {tc.typed}}
			if tc.tls {
				form.Set("smtp_tls", "on")
			}
			rec := e.as("admin").post("/settings", form)
			if !strings.Contains(rec.Header().Get("Location"), tc.flash) {
				t.Fatalf("save = %d %q, want %s", rec.Code, rec.Header().Get("Location"), tc.flash)
			}
			if got := e.app.Settings().SMTP.Password; got != tc.password {
				t.Fatalf("the stored password is %q, want %q", got, tc.password)
			}
			if tc.password == "" {
				mustContain(t, "the page after", e.as("admin").get(rec.Header().Get("Location")),
					"its stored password was cleared", "(not set)")
			}
		})
	}
}
