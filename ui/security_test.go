package ui

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// The UI's threat model, as tests: who may see and do what on every page
// and action, and the CSRF refusals. A route missing from the matrix
// fails TestUIRoleMatrixIsComplete.

// uiRoles are the matrix's columns: anonymous, then the roles from least
// to most powerful.
var uiRoles = []string{"", "viewer", "operator", "editor", "admin"}

// The least role a route needs; "public" routes take anybody.
const (
	public   = "public"
	viewer   = "viewer"
	operator = "operator"
	editor   = "editor"
	admin    = "admin"
)

// uiRow is one route's line: its least role and how to call it.
type uiRow struct {
	method, pattern, least string
	path                   func(e *env) string
	form                   url.Values
}

func uiMatrix() []uiRow {
	tx := func(suffix string) func(e *env) string {
		return func(e *env) string { return "/activity/" + e.failedTx().Id + suffix }
	}
	flow := func(suffix string) func(e *env) string {
		return func(e *env) string { return "/flows/" + e.demo.FlowID + suffix }
	}
	conn := func(suffix string) func(e *env) string {
		return func(e *env) string { return "/connections/" + e.demo.SupplierID + suffix }
	}
	integ := func(e *env) string { return "/integrations/" + e.demo.IntegrationID + "/enabled" }
	integPath := func(suffix string) func(e *env) string {
		return func(e *env) string { return "/integrations/" + e.demo.IntegrationID + suffix }
	}
	user := func(e *env) string {
		u, _ := e.app.FindAuthRecordByEmail("users", "viewer@example.com")
		return "/users/" + u.Id
	}
	fixed := func(p string) func(*env) string { return func(*env) string { return p } }
	return []uiRow{
		{"GET", "/{$}", public, fixed("/"), nil},
		{"GET", "/login", public, fixed("/login"), nil},
		{"POST", "/login", public, fixed("/login"), nil},
		{"POST", "/logout", public, fixed("/logout"), nil},
		{"POST", "/setup", public, fixed("/setup"), nil},
		{"GET", "/activity", viewer, fixed("/activity"), nil},
		{"GET", "/activity/{id}", viewer, tx(""), nil},
		{"POST", "/activity/retry", operator, fixed("/activity/retry"), nil},
		{"POST", "/activity/{id}/retry", operator, tx("/retry"), nil},
		{"POST", "/activity/{id}/resolve", operator, tx("/resolve"), url.Values{"note": {"typed in"}}},
		{"GET", "/connections", viewer, fixed("/connections"), nil},
		{"GET", "/connections/new", editor, fixed("/connections/new"), nil},
		{"POST", "/connections", editor, fixed("/connections?connector=folder"),
			url.Values{"name": {"New"}, "f.folder": {"new"}}},
		{"GET", "/connections/{id}", viewer, conn(""), nil},
		{"POST", "/connections/{id}", editor, conn(""), url.Values{"name": {"Renamed"}, "f.folder": {"demo/supplier/inbox"}}},
		{"POST", "/connections/{id}/test", operator, conn("/test"), nil},
		{"POST", "/connections/{id}/connect", editor, conn("/connect"), nil},
		{"GET", "/integrations", viewer, fixed("/integrations"), nil},
		{"GET", "/wizard", editor, fixed("/wizard"), nil},
		{"POST", "/wizard", editor, fixed("/wizard"), url.Values{"do": {"pick"}, "connector": {"folder"}}},
		{"POST", "/wizard/discard", editor, fixed("/wizard/discard"), nil},
		{"GET", "/integrations/new", editor, fixed("/integrations/new"), nil},
		{"GET", "/integrations/import", editor, fixed("/integrations/import"), nil},
		{"POST", "/integrations/import", editor, fixed("/integrations/import"), url.Values{"yaml": {"switchboard: 1"}}},
		{"GET", "/integrations/{id}/export.yaml", editor, integPath("/export.yaml"), nil},
		{"POST", "/integrations", editor, fixed("/integrations"), url.Values{"name": {"New"}, "enabled": {"on"}}},
		{"GET", "/integrations/{id}/edit", editor, integPath("/edit"), nil},
		{"POST", "/integrations/{id}", editor, integPath(""), url.Values{"name": {"Renamed"}}},
		{"POST", "/integrations/{id}/enabled", editor, integ, nil},
		{"GET", "/integrations/{id}/flows/new", editor, integPath("/flows/new"), nil},
		{"POST", "/integrations/{id}/flows", editor, integPath("/flows"), url.Values{"name": {"New flow"}, "entity": {"stock"}}},
		{"GET", "/flows/{id}", viewer, flow(""), nil},
		{"GET", "/flows/{id}/edit", editor, flow("/edit"), nil},
		{"POST", "/flows/{id}", editor, flow(""), url.Values{"name": {"Renamed"}, "schedule": {"@hourly"}}},
		{"POST", "/flows/{id}/enabled", editor, flow("/enabled"), nil},
		{"GET", "/flows/{id}/mapping", editor, flow("/mapping"), nil},
		{"POST", "/flows/{id}/mapping", editor, flow("/mapping"), url.Values{"dir": {"in"}, "e.sku": {"trim(Artikelnummer)"}}},
		{"POST", "/flows/{id}/mapping/preview", editor, flow("/mapping/preview"), url.Values{"dir": {"in"}}},
		{"GET", "/flows/{id}/rules", editor, flow("/rules"), nil},
		{"POST", "/flows/{id}/rules", editor, flow("/rules"), url.Values{"rules": {"0"}}},
		{"POST", "/flows/{id}/rules/preview", editor, flow("/rules/preview"), url.Values{"rules": {"0"}}},
		{"POST", "/flows/{id}/schedule", editor, flow("/schedule"), url.Values{"schedule": {"@hourly"}}},
		{"POST", "/flows/{id}/run", operator, flow("/run"), nil},
		{"POST", "/flows/{id}/retry-failed", operator, flow("/retry-failed"), nil},
		{"GET", "/users", admin, fixed("/users"), nil},
		{"POST", "/users", admin, fixed("/users"), url.Values{"email": {"new@example.com"}, "role": {"viewer"}, "password": {password}}},
		{"POST", "/users/{id}", admin, user, url.Values{"action": {"role"}, "role": {"editor"}}},
		{"GET", "/settings", admin, fixed("/settings"), nil},
		{"POST", "/settings", admin, fixed("/settings"), url.Values{"app_url": {"https://sb.example.com"}}},
		{"POST", "/settings/test-mail", admin, fixed("/settings/test-mail"), nil},
		{"POST", "/settings/alerts", admin, fixed("/settings/alerts"), nil},
		{"POST", "/settings/engine", admin, fixed("/settings/engine"), url.Values{"alert_minutes": {"30"}, "retention_days": {"60"}}},
		{"GET", "/account", viewer, fixed("/account"), nil},
		{"POST", "/account", viewer, fixed("/account"), url.Values{"language": {"nl"}}},
		{"GET", "/usage", viewer, fixed("/usage"), nil},
		{"GET", "/usage.csv", viewer, fixed("/usage.csv"), nil},
	}
}

// allowed tells whether role reaches a route whose least role is least.
func allowed(role, least string) bool {
	rank := map[string]int{"": 0, viewer: 1, operator: 2, editor: 3, admin: 4}
	return least == public || (role != "" && rank[role] >= rank[least])
}

// TestUIRoleMatrix calls every route as every role: a visitor is sent to
// sign in, a role below the route's gets 403 and nothing changes, and a
// role at or above it is served.
func TestUIRoleMatrix(t *testing.T) {
	base := newEnv(t, false, true)
	for _, row := range uiMatrix() {
		if row.least == public {
			continue
		}
		for _, role := range uiRoles {
			t.Run(row.method+" "+row.pattern+"/"+role, func(t *testing.T) {
				e := base
				if row.method == http.MethodPost {
					e = base.fork(t)
				}
				c := e.as(role)
				before := e.fingerprint()
				var rec *httptest.ResponseRecorder
				if row.method == http.MethodGet {
					rec = c.get(row.path(e))
				} else {
					form := url.Values{}
					for k, v := range row.form {
						form[k] = v
					}
					if row.pattern == "/settings/alerts" {
						form.Set("integration", e.demo.IntegrationID)
					}
					rec = c.post(row.path(e), form)
				}
				switch {
				case role == "":
					if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
						t.Fatalf("a visitor got %d %s, want a redirect to /login", rec.Code, rec.Header().Get("Location"))
					}
				case !allowed(role, row.least):
					if rec.Code != http.StatusForbidden {
						t.Fatalf("%s got %d, want 403: %s", role, rec.Code, truncated(rec.Body.String()))
					}
				default:
					if rec.Code == http.StatusForbidden || rec.Code >= 500 || strings.HasPrefix(rec.Header().Get("Location"), "/login") {
						t.Fatalf("%s got %d %s: %s", role, rec.Code, rec.Header().Get("Location"), truncated(rec.Body.String()))
					}
					return
				}
				if after := e.fingerprint(); after != before {
					t.Fatalf("a refused %s %s as %q changed the data:\n%s\n%s", row.method, row.pattern, role, before, after)
				}
			})
		}
	}
}

// TestUIRoleMatrixIsComplete fails when a route of the UI has no line in
// the matrix, or the matrix names a route the UI does not serve.
func TestUIRoleMatrixIsComplete(t *testing.T) {
	var inMatrix, inTable []string
	for _, row := range uiMatrix() {
		inMatrix = append(inMatrix, row.method+" "+row.pattern)
	}
	for _, rt := range routes {
		inTable = append(inTable, rt.method+" "+rt.path)
	}
	sort.Strings(inMatrix)
	sort.Strings(inTable)
	if !reflect.DeepEqual(inMatrix, inTable) {
		t.Fatalf("the matrix has\n%v\nthe UI serves\n%v", inMatrix, inTable)
	}
	e := unserved(t, fixtureDir)
	for _, r := range servedRoutes(t, e) {
		method, path, _ := strings.Cut(r, " ")
		// /metrics is for monitoring, not people: a token or loopback guards
		// it (app's TestMetricsNeedTheTokenOrLoopback), not a role.
		if strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/_/") || path == "/hooks/{flow}" ||
			path == "/static/{path...}" || path == "/metrics" || method == "*" {
			continue
		}
		if !contains(inTable, r) {
			t.Errorf("route %s is served outside the UI's route table", r)
		}
	}
}

// servedRoutes lists "METHOD /path" of every route of the served app.
func servedRoutes(t *testing.T, e *env) []string {
	t.Helper()
	r, err := apis.NewRouter(e.app)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.app.OnServe().Trigger(&core.ServeEvent{App: e.app, Router: r}, func(*core.ServeEvent) error { return nil }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.sb.Engine().Stop)
	var out []string
	walkRoutes(reflect.ValueOf(r.RouterGroup).Elem(), "", &out)
	return out
}

func walkRoutes(group reflect.Value, prefix string, out *[]string) {
	prefix += group.FieldByName("Prefix").String()
	children := group.FieldByName("children")
	for i := range children.Len() {
		child := children.Index(i).Elem().Elem()
		if child.FieldByName("children").IsValid() {
			walkRoutes(child, prefix, out)
			continue
		}
		method := child.FieldByName("Method").String()
		if method == "" {
			method = "*"
		}
		*out = append(*out, method+" "+prefix+child.FieldByName("Path").String())
	}
}

// TestCSRFRefusals: a state-changing request without the page's token,
// with another token, or that the browser marks as cross-site, is refused
// with 403 and changes nothing.
func TestCSRFRefusals(t *testing.T) {
	e := newEnv(t, false, true)
	path := "/activity/" + e.failedTx().Id + "/retry"
	for _, tc := range []struct {
		name  string
		setup func(c *client) *http.Request
	}{
		{"no token", func(c *client) *http.Request { return formRequest(path, url.Values{}) }},
		{"another token", func(c *client) *http.Request {
			return formRequest(path, url.Values{csrfField: {"forged-token-forged-token-forged-token-42"}})
		}},
		{"no token cookie", func(c *client) *http.Request {
			delete(c.cookies, csrfCookie)
			return formRequest(path, url.Values{csrfField: {testCSRF}})
		}},
		{"a cross-site form", func(c *client) *http.Request {
			req := formRequest(path, url.Values{csrfField: {testCSRF}})
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			return req
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.as("admin")
			before := e.fingerprint()
			rec := c.do(tc.setup(c))
			if rec.Code != http.StatusForbidden {
				t.Fatalf("got %d, want 403", rec.Code)
			}
			if e.fingerprint() != before {
				t.Fatal("a refused request changed the data")
			}
		})
	}
	// The sign-in form is protected too: a login CSRF would sign a victim
	// in to the attacker's account.
	if rec := e.as("").do(formRequest("/login", url.Values{"email": {"admin@example.com"}, "password": {password}})); rec.Code != http.StatusForbidden {
		t.Fatalf("sign-in without a token = %d, want 403", rec.Code)
	}
}

func formRequest(path string, form url.Values) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}
