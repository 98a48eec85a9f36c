package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/ui/i18n"
)

// request is one request to a page: who asks, in which language and time
// zone, and the CSRF token its forms carry.
type request struct {
	*core.RequestEvent
	u    *UI
	user *core.Record
	L    *i18n.Printer
	csrf string
}

// zoneCookie holds the browser's time zone, which the UI's script sets;
// a user's own setting wins.
const zoneCookie = "sb_tz"

func (u *UI) newRequest(e *core.RequestEvent) *request {
	r := &request{RequestEvent: e, u: u, user: u.sessionUser(e.Request)}
	setting, zoneName := "", ""
	if r.user != nil {
		setting, zoneName = r.user.GetString("language"), r.user.GetString("timezone")
	}
	if zoneName == "" {
		if c, err := e.Request.Cookie(zoneCookie); err == nil {
			zoneName, _ = url.QueryUnescape(c.Value)
		}
	}
	zone, err := time.LoadLocation(zoneName)
	if err != nil || zoneName == "" {
		zone = time.UTC
	}
	r.L = u.cat.Printer(u.cat.Choose(setting, e.Request.Header.Get("Accept-Language")), zone)
	r.csrf = csrfToken(e.Response, e.Request)
	return r
}

// can tells whether the signed-in user has one of the roles: app.HasRole
// decides, as it does for the REST API.
func (r *request) can(roles []string) bool { return app.HasRole(r.user, roles) }

// perms is what the signed-in user may do, for showing only the buttons
// they may use; the server checks again on every request.
type perms struct{ Operate, Edit, Admin bool }

// page is what every page's data starts with.
type page struct {
	L     *i18n.Printer
	User  *core.Record
	Can   perms
	CSRF  string
	Nav   string
	Title string
	Flash string
	Bad   bool
}

func (r *request) page(nav, title string) page {
	p := page{L: r.L, User: r.user, CSRF: r.csrf, Nav: nav, Title: title,
		Can: perms{Operate: r.can(app.OperatorUp), Edit: r.can(app.EditorUp), Admin: r.can(app.AdminOnly)}}
	p.Flash, p.Bad = r.flash()
	return p
}

// flash reads the message a redirect after a form put in the address:
// only catalogue keys starting with "flash." are shown, so a link cannot
// make the page say anything else.
func (r *request) flash() (string, bool) {
	q := r.Request.URL.Query()
	key, bad := q.Get("ok"), false
	if key == "" {
		key, bad = q.Get("bad"), true
	}
	if !strings.HasPrefix(key, "flash.") || !r.u.cat.Has(key) {
		return "", false
	}
	n, _ := strconv.ParseInt(q.Get("n"), 10, 64)
	return r.L.T(key, n), bad
}

// render writes a view.
func (r *request) render(status int, view string, data any) error {
	return r.u.views.render(r.Response, status, view, data)
}

// done redirects after a form that worked, with a message; n fills {0}.
func (r *request) done(path, flashKey string, n int64) error {
	return r.Redirect(http.StatusSeeOther, withFlash(path, "ok", flashKey, n))
}

// refused redirects after a form that could not be carried out.
func (r *request) refused(path, flashKey string) error {
	return r.Redirect(http.StatusSeeOther, withFlash(path, "bad", flashKey, 0))
}

func withFlash(path, kind, key string, n int64) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	out := path + sep + kind + "=" + url.QueryEscape(key)
	if n != 0 {
		out += "&n=" + strconv.FormatInt(n, 10)
	}
	return out
}

// fail shows an error page with a message key and a status.
func (r *request) fail(status int, key string) error {
	return r.failWith(status, r.L.T(key))
}

// failWith shows an error page with a message in words (one the engine
// gave, secrets redacted) and a status.
func (r *request) failWith(status int, message string) error {
	return r.render(status, "error", struct {
		page
		Message string
	}{r.page("", r.L.T("error.title")), message})
}

// seenField carries, in a retry form, when its page read the transactions
// it shows: a retry leaves alone those changed since, retried meanwhile by
// a second click on the same button.
const seenField = "seen"

// seenNow is the value of a page's seenField: now, in milliseconds since
// the epoch. A page takes it after reading the transactions it shows.
func seenNow() string { return strconv.FormatInt(time.Now().UnixMilli(), 10) }

// readSeen reads a retry form's seenField; the zero time (retry them as
// they are now) when it has none.
func readSeen(r *request) time.Time {
	ms, err := strconv.ParseInt(r.Request.PostFormValue(seenField), 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
