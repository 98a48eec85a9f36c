package ui

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/ui/i18n"
)

// accountData is the signed-in user's own settings.
type accountData struct {
	page
	Languages []string
	Language  string
	Timezone  string
	Error     string
}

func (u *UI) accountShow(r *request) error {
	return r.render(http.StatusOK, "account", accountData{page: r.page("account", r.L.T("nav.account")),
		Languages: i18n.Languages, Language: r.user.GetString("language"), Timezone: r.user.GetString("timezone")})
}

// accountSave stores the user's language and time zone; empty means the
// browser's.
func (u *UI) accountSave(r *request) error {
	lang := r.Request.PostFormValue("language")
	zone := strings.TrimSpace(r.Request.PostFormValue("timezone"))
	if lang != "" && !slices.Contains(i18n.Languages, lang) {
		lang = ""
	}
	if _, err := time.LoadLocation(zone); err != nil || strings.EqualFold(zone, "local") {
		return r.render(http.StatusUnprocessableEntity, "account", accountData{page: r.page("account", r.L.T("nav.account")),
			Languages: i18n.Languages, Language: lang, Timezone: zone, Error: r.L.T("account.bad_zone")})
	}
	r.user.Set("language", lang)
	r.user.Set("timezone", zone)
	if err := u.app().Save(r.user); err != nil {
		return err
	}
	return r.done("/account", "flash.saved", 0)
}
