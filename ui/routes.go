package ui

import (
	"io/fs"
	"net/http"
	"net/url"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
)

// route is one page or action of the UI and the roles that may use it;
// nil roles: anybody, signed in or not.
type route struct {
	method, path string
	roles        []string
	handle       func(u *UI, r *request) error
}

// routes are every page and action. The role matrix test walks this
// table, so a route cannot be added without its roles being checked.
var routes = []route{
	{"GET", "/{$}", nil, (*UI).home},
	{"GET", "/login", nil, (*UI).loginShow},
	{"POST", "/login", nil, (*UI).loginSubmit},
	{"POST", "/logout", nil, (*UI).logout},
	{"POST", "/setup", nil, (*UI).setupSubmit},
	{"GET", "/activity", app.AnyRole, (*UI).activityList},
	{"GET", "/activity/{id}", app.AnyRole, (*UI).activityShow},
	{"POST", "/activity/retry", app.OperatorUp, (*UI).activityRetrySelected},
	{"POST", "/activity/{id}/retry", app.OperatorUp, (*UI).activityRetry},
	{"POST", "/activity/{id}/resolve", app.OperatorUp, (*UI).activityResolve},
	{"GET", "/connections", app.AnyRole, (*UI).connectionList},
	{"GET", "/connections/new", app.EditorUp, (*UI).connectionNew},
	{"POST", "/connections", app.EditorUp, (*UI).connectionCreate},
	{"GET", "/connections/{id}", app.AnyRole, (*UI).connectionShow},
	{"POST", "/connections/{id}", app.EditorUp, (*UI).connectionUpdate},
	{"POST", "/connections/{id}/test", app.OperatorUp, (*UI).connectionCheck},
	{"POST", "/connections/{id}/connect", app.EditorUp, (*UI).connectionConnect},
	{"GET", "/integrations", app.AnyRole, (*UI).integrationList},
	{"GET", "/wizard", app.EditorUp, (*UI).wizardShow},
	{"POST", "/wizard", app.EditorUp, (*UI).wizardPost},
	{"POST", "/wizard/discard", app.EditorUp, (*UI).wizardDiscard},
	{"GET", "/integrations/new", app.EditorUp, (*UI).integrationNew},
	{"GET", "/integrations/import", app.EditorUp, (*UI).integrationImportShow},
	{"POST", "/integrations/import", app.EditorUp, (*UI).integrationImport},
	{"GET", "/integrations/{id}/export.yaml", app.EditorUp, (*UI).integrationExport},
	{"POST", "/integrations", app.EditorUp, (*UI).integrationCreate},
	{"GET", "/integrations/{id}/edit", app.EditorUp, (*UI).integrationEdit},
	{"POST", "/integrations/{id}", app.EditorUp, (*UI).integrationUpdate},
	{"POST", "/integrations/{id}/enabled", app.EditorUp, (*UI).integrationToggle},
	{"GET", "/integrations/{id}/flows/new", app.EditorUp, (*UI).flowNew},
	{"POST", "/integrations/{id}/flows", app.EditorUp, (*UI).flowCreate},
	{"GET", "/flows/{id}", app.AnyRole, (*UI).flowShow},
	{"GET", "/flows/{id}/edit", app.EditorUp, (*UI).flowEdit},
	{"POST", "/flows/{id}", app.EditorUp, (*UI).flowUpdate},
	{"POST", "/flows/{id}/enabled", app.EditorUp, (*UI).flowToggle},
	{"GET", "/flows/{id}/mapping", app.EditorUp, (*UI).mappingShow},
	{"POST", "/flows/{id}/mapping", app.EditorUp, (*UI).mappingSave},
	{"POST", "/flows/{id}/mapping/preview", app.EditorUp, (*UI).mappingPreview},
	{"GET", "/flows/{id}/rules", app.EditorUp, (*UI).rulesShow},
	{"POST", "/flows/{id}/rules", app.EditorUp, (*UI).rulesSave},
	{"POST", "/flows/{id}/rules/preview", app.EditorUp, (*UI).rulesPreview},
	{"POST", "/flows/{id}/schedule", app.EditorUp, (*UI).flowSchedule},
	{"POST", "/flows/{id}/run", app.OperatorUp, (*UI).flowRun},
	{"POST", "/flows/{id}/retry-failed", app.OperatorUp, (*UI).flowRetryFailed},
	{"GET", "/users", app.AdminOnly, (*UI).userList},
	{"POST", "/users", app.AdminOnly, (*UI).userCreate},
	{"POST", "/users/{id}", app.AdminOnly, (*UI).userUpdate},
	{"GET", "/settings", app.AdminOnly, (*UI).settingsShow},
	{"POST", "/settings", app.AdminOnly, (*UI).settingsSave},
	{"POST", "/settings/test-mail", app.AdminOnly, (*UI).settingsTestMail},
	{"POST", "/settings/alerts", app.AdminOnly, (*UI).settingsAlerts},
	{"POST", "/settings/engine", app.AdminOnly, (*UI).settingsEngine},
	{"GET", "/account", app.AnyRole, (*UI).accountShow},
	{"POST", "/account", app.AnyRole, (*UI).accountSave},
	{"GET", "/usage", app.AnyRole, (*UI).usageShow},
	{"GET", "/usage.csv", app.AnyRole, (*UI).usageCSV},
}

func (u *UI) registerRoutes(e *core.ServeEvent) {
	static, _ := fs.Sub(staticFS, "static")
	e.Router.GET("/static/{path...}", apis.Static(static, false)).BindFunc(securityHeaders)
	for _, rt := range routes {
		e.Router.Route(rt.method, rt.path, u.serve(rt)).
			BindFunc(securityHeaders).
			BindFunc(noStore).
			Unbind(apis.DefaultLoadAuthTokenMiddlewareId)
	}
}

// serve wraps a route: the session, the CSRF check of every POST, and
// the roles, before the handler runs.
func (u *UI) serve(rt route) func(e *core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
		r := u.newRequest(e)
		e.Auth = r.user
		if rt.method == http.MethodPost {
			if err := checkCSRF(e.Request); err != nil {
				return r.fail(http.StatusForbidden, "error.csrf")
			}
		}
		if rt.roles != nil {
			if r.user == nil {
				return u.toLogin(r)
			}
			if !r.can(rt.roles) {
				return r.fail(http.StatusForbidden, "error.forbidden")
			}
		}
		return rt.handle(u, r)
	}
}

// toLogin sends a visitor to the sign-in page, and back here afterwards.
func (u *UI) toLogin(r *request) error {
	next := r.Request.URL.RequestURI()
	if r.Request.Method != http.MethodGet {
		next = "/"
	}
	return r.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
}
