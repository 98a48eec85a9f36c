package ui

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/mappings"
)

// fixMapping makes the demo's flow read the price "twelve" as 12.00: the
// fix a user makes before retrying the failed row.
func fixMapping(t *testing.T, e *env) {
	t.Helper()
	flow, err := e.app.FindRecordById("flows", e.demo.FlowID)
	if err != nil {
		t.Fatal(err)
	}
	var mapping map[string][]map[string]any
	if err := flow.UnmarshalJSONField("mapping", &mapping); err != nil {
		t.Fatal(err)
	}
	for _, f := range mapping["in"] {
		if f["target"] == "prices.cost" {
			f["expr"] = `Prijs == "twelve" ? "12.00" : Prijs`
		}
	}
	flow.Set("mapping", mapping)
	if err := e.app.Save(flow); err != nil {
		t.Fatal(err)
	}
}

func (e *env) status(id string) string {
	rec, err := e.app.FindRecordById("transactions", id)
	if err != nil {
		return "gone"
	}
	return rec.GetString("status")
}

func TestFirstRunCreatesTheAdminAndTheDemo(t *testing.T) {
	e := newEnv(t, true, false)
	browser := e.as("")
	mustContain(t, "the first page", browser.get("/"), "Welcome to Switchboard", `name="password_confirm"`, `name="demo"`)
	form := url.Values{"email": {"owner@example.com"}, "password": {password}, "password_confirm": {"other"}}
	if rec := browser.post("/setup", form); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("mismatched passwords = %d", rec.Code)
	}
	form.Set("password_confirm", password)
	form.Set("demo", "on")
	rec := browser.post("/setup", form)
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/activity") {
		t.Fatalf("setup = %d %s", rec.Code, rec.Header().Get("Location"))
	}
	owner, err := e.app.FindAuthRecordByEmail("users", "owner@example.com")
	if err != nil || owner.GetString("role") != "admin" {
		t.Fatalf("the first user: %v %v", owner, err)
	}
	e.waitForDemo()
	mustContain(t, "the activity after setup", browser.get("/activity"), "spreadsheet-export-utf16.csv:6", "twelve")
	// Once a user exists, nobody else can claim the appliance.
	other := e.as("")
	form.Set("email", "intruder@example.com")
	if rec := other.post("/setup", form); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Fatalf("a second setup = %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if n, _ := e.app.CountRecords("users"); n != 1 {
		t.Fatalf("%d users after a second setup", n)
	}
}

func TestSignIn(t *testing.T) {
	e := newEnv(t, false, false)
	disabled, _ := e.app.FindAuthRecordByEmail("users", "editor@example.com")
	disabled.Set("disabled", true)
	if err := e.app.Save(disabled); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, email, password, next string
		https                       bool
		status                      int
		location                    string
	}{
		{"a wrong password", "viewer@example.com", "nope", "", false, 401, ""},
		{"an unknown address", "nobody@example.com", password, "", false, 401, ""},
		{"a disabled user", "editor@example.com", password, "", false, 401, ""},
		{"a user", "viewer@example.com", password, "/activity?status=failed", false, 303, "/activity?status=failed"},
		{"behind HTTPS", "viewer@example.com", password, "", true, 303, "/"},
		{"a next address on another site", "viewer@example.com", password, "//evil.example/x", false, 303, "/"},
		{"a next address with a backslash", "viewer@example.com", password, "/\\evil.example", false, 303, "/"},
		{"a next address with a tab", "viewer@example.com", password, "/\t/evil.example/phish", false, 303, "/"},
		{"a next address with a line break", "viewer@example.com", password, "/\n/evil.example", false, 303, "/"},
		{"a next address with a backslash later", "viewer@example.com", password, "/x/..\\/evil.example", false, 303, "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.as("")
			if tc.https {
				c.header.Set("X-Forwarded-Proto", "https")
			}
			rec := c.post("/login", url.Values{"email": {tc.email}, "password": {tc.password}, "next": {tc.next}})
			if rec.Code != tc.status || rec.Header().Get("Location") != tc.location {
				t.Fatalf("= %d %q, want %d %q", rec.Code, rec.Header().Get("Location"), tc.status, tc.location)
			}
			if tc.status != http.StatusSeeOther {
				mustContain(t, "the refusal", rec, "That e-mail address and password do not match an active user.")
				return
			}
			var session *http.Cookie
			for _, ck := range rec.Result().Cookies() {
				if ck.Name == sessionCookie {
					session = ck
				}
			}
			if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure != tc.https {
				t.Fatalf("session cookie %+v", session)
			}
			if rec := c.get("/activity"); rec.Code != http.StatusOK {
				t.Fatalf("signed in, the activity = %d", rec.Code)
			}
		})
	}
}

// TestDisablingAUserEndsTheirSessions: a disabled user's open session and
// API tokens stop working at once, and stay dead when the user is enabled
// again; so do those of a user whose role changes.
func TestDisablingAUserEndsTheirSessions(t *testing.T) {
	e := newEnv(t, false, false)
	// apiWorks tells whether a user's token reads their own record.
	apiWorks := func(token, id string) bool {
		req := httptest.NewRequest(http.MethodGet, "/api/collections/users/records/"+id, nil)
		req.Header.Set("Authorization", token)
		return e.as("").do(req).Code == http.StatusOK
	}
	for _, c := range []struct {
		role    string
		actions []url.Values
	}{
		{"operator", []url.Values{{"action": {"disable"}}}},
		{"editor", []url.Values{{"action": {"disable"}}, {"action": {"enable"}}}},
		{"viewer", []url.Values{{"action": {"role"}, "role": {"operator"}}}},
	} {
		victim := e.as(c.role)
		user, _ := e.app.FindAuthRecordByEmail("users", c.role+"@example.com")
		apiToken, _ := user.NewAuthToken()
		if !apiWorks(apiToken, user.Id) {
			t.Fatalf("the %s's API token does not work before", c.role)
		}
		for _, action := range c.actions {
			if rec := e.as("admin").post("/users/"+user.Id, action); rec.Code != http.StatusSeeOther {
				t.Fatalf("%v = %d", action, rec.Code)
			}
		}
		if rec := victim.get("/activity"); rec.Code != http.StatusSeeOther {
			t.Fatalf("after %v the %s's session still works: %d", c.actions, c.role, rec.Code)
		}
		if apiWorks(apiToken, user.Id) {
			t.Fatalf("after %v the %s's API token still works", c.actions, c.role)
		}
	}
	// Admins cannot lock themselves out.
	admin, _ := e.app.FindAuthRecordByEmail("users", "admin@example.com")
	e.as("admin").post("/users/"+admin.Id, url.Values{"action": {"disable"}})
	e.as("admin").post("/users/"+admin.Id, url.Values{"action": {"role"}, "role": {"viewer"}})
	admin, _ = e.app.FindAuthRecordByEmail("users", "admin@example.com")
	if admin.GetBool("disabled") || admin.GetString("role") != "admin" {
		t.Fatalf("the admin locked themselves out: disabled %v, role %s", admin.GetBool("disabled"), admin.GetString("role"))
	}
}

func TestActivityPages(t *testing.T) {
	e := newEnv(t, false, true)
	failed := e.failedTx()
	viewer := e.as("viewer")
	for _, tc := range []struct {
		name, path   string
		want, unwant []string
	}{
		{"everything", "/activity", []string{"spreadsheet-export-utf16.csv:6", "groothandel-tuin-utf8.csv:2", "twelve"}, nil},
		{"the alert mail's link", "/activity?flow=" + e.demo.FlowID + "&status=failed",
			[]string{"spreadsheet-export-utf16.csv:6", "cannot parse &#34;twelve&#34; as decimal"}, []string{"groothandel-tuin-utf8.csv:2"}},
		{"a key", "/activity?key=spreadsheet-export-utf16.csv%3A6", []string{"spreadsheet-export-utf16.csv:6"}, []string{"groothandel"}},
		{"a key's beginning", "/activity?key=groothandel", []string{"groothandel-tuin-utf8.csv:2"}, []string{"spreadsheet"}},
		{"an integration", "/activity?integration=" + e.demo.IntegrationID, []string{"spreadsheet-export-utf16.csv:6"}, nil},
		{"a day without activity", "/activity?from=2001-01-01&to=2001-01-02", []string{"No transactions match."}, []string{"spreadsheet"}},
		{"a viewer sees no retry", "/activity", nil, []string{"Retry selected", `name="id"`}},
		{"the detail", "/activity/" + failed.Id, []string{"What went wrong", "field prices.cost", "&#34;Prijs&#34;: &#34;twelve&#34;",
			"Input, as read", "The target&#39;s answer", "Attempts"}, []string{"Mark resolved", ">Retry<"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := viewer.get(tc.path)
			if rec.Code != http.StatusOK {
				t.Fatalf("= %d", rec.Code)
			}
			mustContain(t, tc.path, rec, tc.want...)
			mustNotContain(t, tc.path, rec, tc.unwant...)
		})
	}
	if rec := viewer.get("/activity?after=forged"); rec.Code != http.StatusBadRequest {
		t.Fatalf("a forged page cursor = %d", rec.Code)
	}
	for _, bad := range []struct{ query, says string }{
		{"status=bogus", "There is no such status"},
		{"from=2026-13-45", "The dates must be days such as 2026-03-01."},
		{"to=yesterday", "The dates must be days such as 2026-03-01."},
	} {
		rec := viewer.get("/activity?" + bad.query)
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("%s = %d, want 400 rather than a filter left out without a word", bad.query, rec.Code)
		}
		mustContain(t, bad.query, rec, bad.says)
	}
	mustContain(t, "the operator's detail", e.as("operator").get("/activity/"+failed.Id), "Mark resolved", ">Retry<")
	// The page a bulk retry returns to keeps the filter, not the message.
	mustContain(t, "the operator's list", e.as("operator").get("/activity?status=failed&ok=flash.retried&n=1"),
		`name="back" value="/activity?status=failed"`, "1 sent again.")
}

// TestRetryAfterTheFix: the newcomer's path in handlers: the failed row,
// the mapping fixed, retried in the UI, succeeded.
func TestRetryAfterTheFix(t *testing.T) {
	e := newEnv(t, false, true)
	failed := e.failedTx()
	fixMapping(t, e)
	rec := e.as("operator").post("/activity/"+failed.Id+"/retry", nil)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "ok=flash.retried") {
		t.Fatalf("retry = %d %s", rec.Code, rec.Header().Get("Location"))
	}
	e.waitFor("the retried transaction to succeed", func() bool { return e.status(failed.Id) == "succeeded" })
	again := e.as("operator").post("/activity/"+failed.Id+"/retry", nil)
	if !strings.Contains(again.Header().Get("Location"), "bad=flash.not_retryable") {
		t.Fatalf("retrying a success = %s", again.Header().Get("Location"))
	}
}

// TestRetryOfADisabledFlowSaysSo: retrying a failed transaction of a
// switched-off flow, one or all of the flow's, says that the flow is off
// and leaves the transaction failed, resolvable, instead of "sent again".
func TestRetryOfADisabledFlowSaysSo(t *testing.T) {
	e := newEnv(t, false, true)
	failed := e.failedTx()
	flow, err := e.app.FindRecordById("flows", e.demo.FlowID)
	if err != nil {
		t.Fatal(err)
	}
	flow.Set("enabled", false)
	if err := e.app.Save(flow); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/activity/" + failed.Id + "/retry", "/flows/" + e.demo.FlowID + "/retry-failed"} {
		rec := e.as("operator").post(path, nil)
		if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || !strings.Contains(loc, "bad=flash.flow_disabled") {
			t.Errorf("%s = %d %s, want the flow named switched off", path, rec.Code, loc)
		}
		if got := e.status(failed.Id); got != "failed" {
			t.Fatalf("after %s the transaction is %s, want failed", path, got)
		}
	}
}

func TestBulkRetryAndResolve(t *testing.T) {
	e := newEnv(t, false, true)
	failed := e.failedTx()
	op := e.as("operator")
	rec := op.post("/activity/"+failed.Id+"/resolve", url.Values{"note": {"price typed in the shop"}})
	if rec.Code != http.StatusSeeOther || e.status(failed.Id) != "resolved" {
		t.Fatalf("resolve = %d, status %s", rec.Code, e.status(failed.Id))
	}
	tx, _ := e.app.FindRecordById("transactions", failed.Id)
	if !strings.Contains(tx.GetString("note"), "price typed in the shop") {
		t.Fatalf("note %q", tx.GetString("note"))
	}
	page := op.get("/activity/" + failed.Id)
	mustContain(t, "the resolved transaction", page, "Marked resolved: it is not retried")
	mustNotContain(t, "the resolved transaction", page, "Fix the cause, then retry.")
	if _, err := e.app.DB().NewQuery("UPDATE transactions SET status = 'failed' WHERE id = {:id}").
		Bind(map[string]any{"id": failed.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	// Nothing ticked: the page says to tick some, not "0 sent again".
	for _, ids := range [][]string{nil, {""}} {
		rec = op.post("/activity/retry", url.Values{"id": ids, "back": {"/activity?status=failed"}})
		if loc := rec.Header().Get("Location"); loc != "/activity?status=failed&bad=flash.none_ticked" {
			t.Fatalf("retry selected with %q ticked = %d %s", ids, rec.Code, loc)
		}
	}
	mustContain(t, "the retry with nothing ticked", op.get("/activity?bad=flash.none_ticked"), "Tick the failed or skipped transactions")
	rec = op.post("/activity/retry", url.Values{"id": {failed.Id}, "back": {"/activity?status=failed"}})
	if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/activity?status=failed&ok=flash.retried&n=1") {
		t.Fatalf("retry selected = %d %s", rec.Code, loc)
	}
	e.waitFor("the retry to fail again", func() bool { return e.status(failed.Id) == "failed" })
	rec = op.post("/flows/"+e.demo.FlowID+"/retry-failed", nil)
	if loc := rec.Header().Get("Location"); !strings.Contains(loc, "ok=flash.retried&n=1") {
		t.Fatalf("retry all failed = %s", loc)
	}
}

func TestConnectionForm(t *testing.T) {
	e := newEnv(t, false, false)
	ed := e.as("editor")
	mustContain(t, "the connector picker", ed.get("/connections/new"), "HTTP", "connector=http")
	mustContain(t, "the http form", ed.get("/connections/new?connector=http"), `name="f.base_url"`, `type="password" id="f-token"`,
		"<summary>", "(not set)")
	rec := ed.post("/connections?connector=http", url.Values{"name": {"ERP"}, "f.token": {"s3cret-token-value"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a form without the base URL = %d", rec.Code)
	}
	mustContain(t, "the refused form", rec, `class="field has-error"`, `name="f.base_url"`)
	mustNotContain(t, "the refused form", rec, "s3cret-token-value")
	rec = ed.post("/connections?connector=http", url.Values{"name": {"ERP"}, "f.base_url": {"https://erp.example.com/api"},
		"f.auth": {"bearer"}, "f.token": {"s3cret-token-value"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create = %d %s", rec.Code, truncated(rec.Body.String()))
	}
	conn, err := e.app.FindFirstRecordByData("connections", "name", "ERP")
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := json.Marshal(conn.Get("secrets")); strings.Contains(string(raw), "s3cret-token-value") || !strings.Contains(string(raw), "sb1:") {
		t.Fatalf("the secret is stored as %s", raw)
	}
	page := e.as("viewer").get("/connections/" + conn.Id)
	mustContain(t, "the connection page", page, "(set)", "https://erp.example.com/api")
	mustNotContain(t, "the connection page", page, "s3cret-token-value", "sb1:", "Save")
	// An empty secret keeps the stored one; a new host clears it.
	if rec := ed.post("/connections/"+conn.Id, url.Values{"name": {"ERP"}, "f.base_url": {"https://erp.example.com/v2"},
		"f.auth": {"bearer"}}); rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "flash.saved") {
		t.Fatalf("update = %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if conn, _ = e.app.FindRecordById("connections", conn.Id); len(e.secretNames(conn)) != 1 {
		t.Fatalf("the secret was not kept: %v", e.secretNames(conn))
	}
	rec = ed.post("/connections/"+conn.Id, url.Values{"name": {"ERP"}, "f.base_url": {"https://other.example.com/v2"}, "f.auth": {"bearer"}})
	if !strings.Contains(rec.Header().Get("Location"), "flash.secrets_cleared") {
		t.Fatalf("a new host = %d %s", rec.Code, rec.Header().Get("Location"))
	}
}

func (e *env) secretNames(rec *core.Record) []string {
	var m map[string]any
	_ = rec.UnmarshalJSONField("secrets", &m)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestConnectionTestShowsTheVerdict: "Test the connection" sends the
// browser to the connection's page with the verdict, an address of its
// own, so that Back or Reload there shows it again instead of asking to
// send the form again; the verdict is the tester's, for that connection.
func TestConnectionTestShowsTheVerdict(t *testing.T) {
	e := newEnv(t, false, true)
	op := e.as("operator")
	rec := op.post("/connections/"+e.demo.SupplierID+"/test", nil)
	page := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(page, "/connections/"+e.demo.SupplierID+"?verdict=") {
		t.Fatalf("the test = %d %s, want a redirect to the connection's page with its verdict", rec.Code, page)
	}
	if c, _ := e.app.FindRecordById("connections", e.demo.SupplierID); c.GetString("status") != "ok" {
		t.Fatalf("status after the test %q", c.GetString("status"))
	}
	for _, what := range []string{"the page after the test", "the page again (Back, Reload)"} {
		mustContain(t, what, op.get(page), "The connection works")
	}
	mustNotContain(t, "another user's view of the address", e.as("admin").get(page), "The connection works")
	other := strings.Replace(page, e.demo.SupplierID, e.demo.ShopID, 1)
	mustNotContain(t, "another connection's page with the verdict", op.get(other), "The connection works")
	mustNotContain(t, "the page without the verdict", op.get("/connections/"+e.demo.SupplierID), "The connection works")
}

func TestFlowPage(t *testing.T) {
	e := newEnv(t, false, true)
	ed := e.as("editor")
	path := "/flows/" + e.demo.FlowID
	mustContain(t, "the flow", ed.get(path), "@every 1m", "The next runs:", "Run now", "Switch off", "prices.cost", "round_to")
	if n := strings.Count(ed.get(path).Body.String(), "<li>"); n < 5 {
		t.Fatalf("fewer than 5 next runs (%d items)", n)
	}
	for _, tc := range []struct {
		name     string
		form     url.Values
		flash    string
		schedule string
	}{
		{"a preset", url.Values{"schedule": {"@hourly"}}, "ok=flash.saved", "@hourly"},
		{"a cron expression", url.Values{"schedule": {"custom"}, "custom": {"30 6 * * 1-5"}}, "ok=flash.saved", "30 6 * * 1-5"},
	} {
		rec := ed.post(path+"/schedule", tc.form)
		flow, _ := e.app.FindRecordById("flows", e.demo.FlowID)
		if !strings.Contains(rec.Header().Get("Location"), tc.flash) || flow.GetString("schedule") != tc.schedule {
			t.Errorf("%s: %s, schedule %q", tc.name, rec.Header().Get("Location"), flow.GetString("schedule"))
		}
	}
	// A refused schedule shows the page again with the expression as typed
	// and the parser's reason at the field; nothing is saved.
	for _, bad := range []string{"every tuesday", "*/99 * * *"} {
		rec := ed.post(path+"/schedule", url.Values{"schedule": {"custom"}, "custom": {bad}})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("a bad schedule %q = %d %s", bad, rec.Code, rec.Header().Get("Location"))
		}
		mustContain(t, "the refused schedule", rec, `value="`+html.EscapeString(bad)+`"`,
			`value="custom" id="sched-custom" checked`, "use a cron expression such as")
		if flow, _ := e.app.FindRecordById("flows", e.demo.FlowID); flow.GetString("schedule") != "30 6 * * 1-5" {
			t.Fatalf("a bad schedule %q was saved: %q", bad, flow.GetString("schedule"))
		}
	}
	e.waitFor("the first run to end", func() bool {
		rec := e.as("operator").post(path+"/run", nil)
		return strings.Contains(rec.Header().Get("Location"), "ok=flash.run_started")
	})
	ed.post(path+"/enabled", nil)
	if flow, _ := e.app.FindRecordById("flows", e.demo.FlowID); flow.GetBool("enabled") {
		t.Fatal("the flow is still on")
	}
	e.waitFor("running the disabled flow to be refused as such, once its last run ended", func() bool {
		loc := e.as("operator").post(path+"/run", nil).Header().Get("Location")
		if !strings.Contains(loc, "bad=flash.flow_disabled") && !strings.Contains(loc, "bad=flash.running") {
			t.Fatalf("running a disabled flow: %s", loc)
		}
		return strings.Contains(loc, "bad=flash.flow_disabled")
	})
	ed.post("/integrations/"+e.demo.IntegrationID+"/enabled", nil)
	if in, _ := e.app.FindRecordById("integrations", e.demo.IntegrationID); in.GetBool("enabled") {
		t.Fatal("the integration is still on")
	}
	mustNotContain(t, "the viewer's flow page", e.as("viewer").get(path), "Run now", "Switch on", "Save the schedule")
}

func TestUsersPage(t *testing.T) {
	e := newEnv(t, false, false)
	ad := e.as("admin")
	mustContain(t, "the users", ad.get("/users"), "viewer@example.com", "operator@example.com")
	if rec := ad.post("/users", url.Values{"email": {"new@example.com"}, "role": {"operator"}, "password": {password}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("add = %d %s", rec.Code, truncated(rec.Body.String()))
	}
	rec := ad.post("/users", url.Values{"email": {"new@example.com"}, "role": {"operator"}, "password": {password}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("adding a user twice = %d", rec.Code)
	}
	user, _ := e.app.FindAuthRecordByEmail("users", "new@example.com")
	ad.post("/users/"+user.Id, url.Values{"action": {"role"}, "role": {"editor"}})
	ad.post("/users/"+user.Id, url.Values{"action": {"password"}, "password": {"An0ther-Passw0rd"}})
	user, _ = e.app.FindAuthRecordByEmail("users", "new@example.com")
	if user.GetString("role") != "editor" || !user.ValidatePassword("An0ther-Passw0rd") {
		t.Fatalf("role %s, password changed %v", user.GetString("role"), user.ValidatePassword("An0ther-Passw0rd"))
	}
}

// TestTestMailNeedsTheMailServerOn: the test mail goes the way alert mails
// go, so it is refused, saying why, while no mail server is switched on or
// named; sent another way (the sendmail fallback), it would say mail works
// while no alert is ever mailed.
func TestTestMailNeedsTheMailServerOn(t *testing.T) {
	e := newEnv(t, false, false)
	ad := e.as("admin")
	sent := 0
	for _, tc := range []struct {
		name, enabled, host, flash string
		sends                      bool
	}{
		{"switched off", "", "smtp.example.com", "bad=flash.mail_off", false},
		{"switched on", "on", "smtp.example.com", "ok=flash.mail_sent", true},
	} {
		s := e.app.Settings()
		s.SMTP.Enabled, s.SMTP.Host, s.SMTP.Port = tc.enabled == "on", tc.host, 587
		if err := e.app.Save(s); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		loc := ad.post("/settings/test-mail", nil).Header().Get("Location")
		if tc.sends {
			sent++
		}
		if !strings.Contains(loc, tc.flash) || e.app.TestMailer.TotalSend() != sent {
			t.Errorf("%s: %s, %d sent, want %s and %d", tc.name, loc, e.app.TestMailer.TotalSend(), tc.flash, sent)
		}
	}
	mustContain(t, "the refused test mail", ad.get("/settings?bad=flash.mail_off"), "the mail server is switched off")
}

func TestSettingsPage(t *testing.T) {
	e := newEnv(t, false, true)
	ad := e.as("admin")
	rec := ad.post("/settings", url.Values{"app_url": {"https://sb.example.com/"}, "sender_name": {""}})
	if rec.Code != http.StatusUnprocessableEntity || e.app.Settings().Meta.AppURL == "https://sb.example.com" {
		t.Fatalf("a refused save = %d and changed the settings to %q", rec.Code, e.app.Settings().Meta.AppURL)
	}
	mustContain(t, "the refused settings", rec, "Sender name: Cannot be empty.")
	for _, port := range []string{"99999", "0", "-1", "25a"} {
		rec = ad.post("/settings", url.Values{"app_url": {"https://sb.example.com/"}, "sender_name": {"Switchboard"},
			"sender_address": {"sb@example.com"}, "smtp_host": {"refused.example.com"}, "smtp_port": {port}})
		if rec.Code != http.StatusUnprocessableEntity || e.app.Settings().SMTP.Host == "refused.example.com" {
			t.Fatalf("the port %q: save = %d, host %q", port, rec.Code, e.app.Settings().SMTP.Host)
		}
		mustContain(t, "the port "+port, rec, "Port: Must be a port number from 1 to 65535.")
	}
	rec = ad.post("/settings", url.Values{"app_url": {"https://sb.example.com/"}, "sender_name": {"Switchboard"}, "sender_address": {"sb@example.com"},
		"smtp_enabled": {"on"}, "smtp_host": {"smtp.example.com"}, "smtp_port": {"587"}, "smtp_password": {"mail-secret-1"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save = %d %s", rec.Code, truncated(rec.Body.String()))
	}
	s := e.app.Settings()
	if s.Meta.AppURL != "https://sb.example.com" || s.SMTP.Host != "smtp.example.com" || s.SMTP.Password != "mail-secret-1" {
		t.Fatalf("settings %q %q", s.Meta.AppURL, s.SMTP.Host)
	}
	page := ad.get("/settings")
	mustContain(t, "the settings", page, "https://sb.example.com", "(set)")
	mustNotContain(t, "the settings", page, "mail-secret-1")
	if rec := ad.post("/settings/test-mail", nil); !strings.Contains(rec.Header().Get("Location"), "ok=flash.mail_sent") ||
		e.app.TestMailer.TotalSend() != 1 {
		t.Fatalf("test mail: %s, %d sent", rec.Header().Get("Location"), e.app.TestMailer.TotalSend())
	}
	ad.post("/settings/alerts", url.Values{"integration": {e.demo.IntegrationID}, "alert_emails": {"ops@example.com, boss@example.com"}})
	if in, _ := e.app.FindRecordById("integrations", e.demo.IntegrationID); in.GetString("alert_emails") != "ops@example.com, boss@example.com" {
		t.Fatalf("alert addresses %q", in.GetString("alert_emails"))
	}
	// A refused list says which integration and which address, and keeps
	// the list as typed.
	rec = ad.post("/settings/alerts", url.Values{"integration": {e.demo.IntegrationID}, "alert_emails": {"ops@example.com, not an address"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad addresses = %d %s", rec.Code, rec.Header().Get("Location"))
	}
	mustContain(t, "the refused alert recipients", rec, "Demo: supplier -&gt; shop", "&#34;not an address&#34; is not an e-mail address",
		`value="ops@example.com, not an address"`)
	if rec := ad.post("/settings/engine", url.Values{"alert_minutes": {"60"}, "retention_days": {"90"}}); rec.Code != http.StatusSeeOther ||
		e.sb.Tunables() != (app.Tunables{AlertEvery: time.Hour, RetentionDays: 90}) {
		t.Fatalf("engine settings = %d, in force %+v", rec.Code, e.sb.Tunables())
	}
	mustContain(t, "the saved engine settings", ad.get("/settings"), `name="alert_minutes" value="60"`, `name="retention_days" value="90"`)
	if rec := ad.post("/settings/engine", url.Values{"alert_minutes": {"0"}, "retention_days": {"90"}}); rec.Code != http.StatusUnprocessableEntity ||
		e.sb.Tunables().AlertEvery != time.Hour {
		t.Fatalf("a throttle of 0 minutes = %d, in force %+v", rec.Code, e.sb.Tunables())
	}
	// The business time zone: saved, shown, and an unknown one refused
	// naming the field, as typed, the saved one left in force.
	zoned := url.Values{"alert_minutes": {"60"}, "retention_days": {"90"}, "business_zone": {" Europe/Amsterdam "}}
	if rec := ad.post("/settings/engine", zoned); rec.Code != http.StatusSeeOther || e.sb.Tunables().BusinessZone != "Europe/Amsterdam" {
		t.Fatalf("business time zone = %d, in force %+v", rec.Code, e.sb.Tunables())
	}
	mustContain(t, "the saved business time zone", ad.get("/settings"), `name="business_zone" value="Europe/Amsterdam"`)
	zoned.Set("business_zone", "Mars/Olympus")
	rec = ad.post("/settings/engine", zoned)
	if rec.Code != http.StatusUnprocessableEntity || e.sb.Tunables().BusinessZone != "Europe/Amsterdam" {
		t.Fatalf("an unknown zone = %d, in force %+v", rec.Code, e.sb.Tunables())
	}
	mustContain(t, "the refused zone", rec, `<p class="error" id="business_zone-err" role="alert">&#34;Mars/Olympus&#34; is not a time zone`,
		`name="business_zone" value="Mars/Olympus"`, `aria-describedby="business-zone-help business_zone-err" aria-invalid="true"`,
		`name="alert_minutes" value="60"`)
}

func TestLanguageAndZone(t *testing.T) {
	e := newEnv(t, false, false)
	viewer := e.as("viewer")
	viewer.header.Set("Accept-Language", "es-ES,es;q=0.9,en;q=0.5")
	mustContain(t, "Accept-Language es", viewer.get("/activity"), `<html lang="es">`, "Actividad")
	if rec := viewer.post("/account", url.Values{"language": {"nl"}, "timezone": {"Europe/Amsterdam"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("account = %d", rec.Code)
	}
	mustContain(t, "the user's own language", viewer.get("/activity"), `<html lang="nl">`, "Activiteit", "Tijden in Europe/Amsterdam")
	if rec := viewer.post("/account", url.Values{"timezone": {"Mars/Olympus"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown zone = %d", rec.Code)
	}
}

func TestUsageCSV(t *testing.T) {
	e := newEnv(t, false, true)
	rec := e.as("viewer").get("/usage.csv")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("= %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	mustContain(t, "the CSV", rec, "month,connection,reads,writes\n", "Demo supplier (CSV),15,0")
	mustContain(t, "the usage page", e.as("viewer").get("/usage"), "Demo supplier (CSV)", "Download as CSV")
}

func TestDashboard(t *testing.T) {
	e := newEnv(t, false, true)
	mustContain(t, "the dashboard", e.as("viewer").get("/"), "Demo: supplier -&gt; shop", "failed, waiting for you",
		`href="/activity?status=failed"`)
}

// TestDashboardListsConnectionsThatHoldTheirFlows: a connection that is
// down, failing its last test or waiting to be connected again is listed
// on the overview with its reason, under a heading that says they need
// attention (it called them all down); one that works is not.
func TestDashboardListsConnectionsThatHoldTheirFlows(t *testing.T) {
	e := newEnv(t, false, true)
	shop, err := e.app.FindFirstRecordByData("connections", "name", "Demo shop (XML)")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		status string
		listed bool
	}{
		{"ok", false},
		{"down", true},
		{"failing", true},
		{"reconnect_needed", true},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			shop.Set("status", tt.status)
			shop.Set("status_message", "the reason "+tt.status)
			if err := e.app.Save(shop); err != nil {
				t.Fatal(err)
			}
			page := e.as("viewer").get("/")
			line := `<a href="/connections/` + shop.Id + `">Demo shop (XML)</a>: the reason ` + tt.status
			if got := strings.Contains(page.Body.String(), line); got != tt.listed {
				t.Fatalf("the overview lists the connection = %v, want %v:\n%s", got, tt.listed, truncated(page.Body.String()))
			}
			// Not every such connection is down: the heading says what they share.
			if tt.listed && !strings.Contains(page.Body.String(), "<h2>Connections that need attention</h2>") {
				t.Fatalf("the overview's heading over them does not say they need attention:\n%s", truncated(page.Body.String()))
			}
		})
	}
}

// TestUnknownAddressesTakeAPasswordCheck: a sign-in with an address of
// nobody compares the password with a hash as one with a wrong password
// does, so that how long the refusal takes does not tell which addresses
// exist.
func TestUnknownAddressesTakeAPasswordCheck(t *testing.T) {
	e := newEnv(t, false, false)
	checks := 0
	compare := checkPassword
	checkPassword = func(user *core.Record, pw string) bool { checks++; return compare(user, pw) }
	t.Cleanup(func() { checkPassword = compare })
	for _, email := range []string{"viewer@example.com", "nobody@example.com"} {
		checks = 0
		rec := e.as("").post("/login", url.Values{"email": {email}, "password": {"guess"}})
		if rec.Code != http.StatusUnauthorized || checks != 1 {
			t.Errorf("signing in as %s with a wrong password = %d after %d password checks, want 401 after 1", email, rec.Code, checks)
		}
	}
}

// TestSignInsAreLimited: an address that tries more than 10 sign-ins a
// minute is refused until the minute is over, whatever it sends.
func TestSignInsAreLimited(t *testing.T) {
	e := newEnv(t, false, false)
	c := e.as("")
	for i := range 10 {
		if rec := c.post("/login", url.Values{"email": {"viewer@example.com"}, "password": {"guess"}}); rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d = %d", i+1, rec.Code)
		}
	}
	rec := c.post("/login", url.Values{"email": {"viewer@example.com"}, "password": {password}})
	if rec.Code != http.StatusTooManyRequests || c.cookies[sessionCookie] != "" {
		t.Fatalf("the 11th attempt = %d", rec.Code)
	}
	mustContain(t, "the refusal", rec, "Too many sign-ins")
	l := newSignInLimiter()
	now := time.Now()
	for range signInsPerWindow {
		l.allow("a", now)
	}
	if l.allow("a", now.Add(time.Second)) || !l.allow("b", now) || !l.allow("a", now.Add(signInWindow)) {
		t.Fatal("the window does not count per address and per minute")
	}
}

// TestUsageCSVNeutralisesFormulas: a connection's name that a spreadsheet
// would run as a formula, including one behind a tab or a carriage return,
// is written with a ' in front; a plain name is written as it is.
func TestUsageCSVNeutralisesFormulas(t *testing.T) {
	cases := []struct{ name, want string }{
		{"Shop", "Shop"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"-5", "-5"},
	}
	for _, tc := range cases {
		got := usageRow{Month: "2026-12", Connection: tc.name}.cells()[1]
		if got != tc.want {
			t.Errorf("%q is written %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestSettingsOfferTheEnvironmentsValuesWithinTheFormsBounds: an alert
// interval the environment sets below a minute is offered as 1 minute,
// not 0, which the form's own bounds refuse to send; the form is sent
// as offered.
func TestSettingsOfferTheEnvironmentsValuesWithinTheFormsBounds(t *testing.T) {
	t.Setenv("SWITCHBOARD_SECRET_KEY", "")
	e := unservedWith(t, fixtureDir, app.Options{Engine: app.EngineConfig{AlertEvery: 30 * time.Second}})
	e.serve()
	ad := e.as("admin")
	mustContain(t, "the engine settings", ad.get("/settings"), `name="alert_minutes" value="1"`)
	if rec := ad.post("/settings/engine", url.Values{"alert_minutes": {"1"}, "retention_days": {"30"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("sending the settings as offered = %d", rec.Code)
	}
}

// TestUsersPageRefusalsKeepAndName: a refused new user keeps the role
// chosen (the admin corrects the address and adds them as what they
// meant), and a refused new password names the user it was for.
func TestUsersPageRefusalsKeepAndName(t *testing.T) {
	e := newEnv(t, false, false)
	ad := e.as("admin")
	rec := ad.post("/users", url.Values{"email": {"viewer@example.com"}, "role": {"editor"}, "password": {password}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("adding an address taken = %d", rec.Code)
	}
	mustContain(t, "the refused new user", rec, `value="viewer@example.com" required aria-invalid="true" aria-describedby="new-email-err"`,
		`<p class="error" id="new-email-err" role="alert">Is in use already.</p>`)
	mustNotContain(t, "the refused new user", rec, "email: ")
	_, form, _ := strings.Cut(body(rec), `id="new-role"`)
	form, _, _ = strings.Cut(form, "</select>")
	if !strings.Contains(form, `<option value="editor" selected>`) || strings.Contains(form, `<option value="viewer" selected>`) {
		t.Errorf("the refused new user's role, want editor still chosen: %s", form)
	}
	op, _ := e.app.FindAuthRecordByEmail("users", "operator@example.com")
	rec = ad.post("/users/"+op.Id, url.Values{"action": {"password"}, "password": {"short"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a short password = %d", rec.Code)
	}
	mustContain(t, "the refused password", rec, "operator@example.com, Password:")
}

// TestRefusedConnectionAsksForTheSecretAgain: a refused connection form
// cannot show the secrets typed (no secret goes into a page), so it says
// at each that what was typed was not saved; the field otherwise reads
// "(set), leave empty to keep it", and the old password would stay.
func TestRefusedConnectionAsksForTheSecretAgain(t *testing.T) {
	e := newEnv(t, false, false)
	c := e.as("editor")
	form := url.Values{"name": {"Supplier SFTP"}, "f.host": {"sftp.example.com"}, "f.port": {"22"},
		"f.username": {"feeds"}, "f.password": {"old-password-0123"}}
	rec := c.post("/connections?connector=sftp", form)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("creating = %d: %s", rec.Code, truncated(body(rec)))
	}
	path := strings.Split(rec.Header().Get("Location"), "?")[0]
	form.Set("name", "")
	form.Set("f.password", "new-password-4567")
	rec = c.post(path, form)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a change without a name = %d, want 422", rec.Code)
	}
	mustContain(t, "the refused change", rec, "was not saved: type it again")
	mustNotContain(t, "the refused change", rec, "new-password-4567")
	rec = c.post("/connections?connector=sftp", url.Values{"name": {""}, "f.host": {"sftp.example.com"}, "f.password": {"x-0123456789"}})
	mustContain(t, "the refused new connection", rec, "was not saved: type it again")
}

// TestIntegrationConnectionsStayWithTheirFlows: an integration given
// another connection in its form takes its flows along: none stays on the
// connection the integration left (the next save of its form would have
// turned it round onto the new one).
func TestIntegrationConnectionsStayWithTheirFlows(t *testing.T) {
	e := newEnv(t, false, true)
	c := e.as("editor")
	other := c.post("/connections?connector=folder", url.Values{"name": {"Other shop"}, "f.folder": {"other"}})
	if other.Code != http.StatusSeeOther {
		t.Fatalf("adding a connection = %d: %s", other.Code, truncated(body(other)))
	}
	otherID := strings.TrimPrefix(strings.Split(other.Header().Get("Location"), "?")[0], "/connections/")
	integ, _ := e.app.FindRecordById("integrations", e.demo.IntegrationID)
	old := integ.GetString("a")
	rec := c.post("/integrations/"+integ.Id, url.Values{"name": {integ.GetString("name")}, "a": {otherID},
		"b": {integ.GetString("b")}, "enabled": {"on"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("changing a connection of an integration with flows = %d: %s", rec.Code, truncated(body(rec)))
	}
	flows, err := e.app.FindAllRecords("flows", dbx.HashExp{"integration": integ.Id})
	if err != nil || len(flows) == 0 {
		t.Fatalf("the integration's flows: %d, %v", len(flows), err)
	}
	for _, f := range flows {
		if f.GetString("source") == old || f.GetString("target") == old {
			t.Errorf("flow %q stayed on the connection its integration left", f.GetString("name"))
		}
		if f.GetString("source") != otherID && f.GetString("target") != otherID {
			t.Errorf("flow %q did not move to the integration's new connection", f.GetString("name"))
		}
	}
}

// TestRefusedSettingsKeepWhatWasTyped: a refused settings form shows what
// was typed, not the stored settings, and says the password typed must be
// typed again (a page never shows it).
func TestRefusedSettingsKeepWhatWasTyped(t *testing.T) {
	e := newEnv(t, false, false)
	rec := e.as("admin").post("/settings", url.Values{"app_url": {"https://sb.example.com/"}, "sender_name": {"Shop mail"},
		"sender_address": {"sb@example.com"}, "smtp_enabled": {"on"}, "smtp_host": {"smtp.example.com"}, "smtp_port": {"58a"},
		"smtp_username": {"mailer"}, "smtp_password": {"typed-0123456789"}, "smtp_tls": {"on"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a bad port = %d, want 422", rec.Code)
	}
	mustContain(t, "the refused settings", rec, `value="https://sb.example.com/"`, `value="Shop mail"`,
		`value="smtp.example.com"`, `value="58a"`, `value="mailer"`, "was not saved: type it again")
	mustNotContain(t, "the refused settings", rec, "typed-0123456789")
}

// TestWebhookSecretWithoutTheScript: a flow fed by webhooks shows its
// signing secret to editors in a way that works without the page's script
// (a password field cannot be read or copied without it), and its Copy
// buttons, which need the script, show only where it runs.
func TestWebhookSecretWithoutTheScript(t *testing.T) {
	e := newEnv(t, false, true)
	// The demo's folder takes no webhooks: the flow is switched to them in
	// the database, as a flow of an app that sends them is.
	if _, err := e.app.DB().NewQuery("UPDATE flows SET webhook = TRUE WHERE id = {:id}").
		Bind(map[string]any{"id": e.demo.FlowID}).Execute(); err != nil {
		t.Fatal(err)
	}
	flow, err := e.app.FindRecordById("flows", e.demo.FlowID)
	if err != nil {
		t.Fatal(err)
	}
	info, err := e.sb.Engine().FlowWebhook(flow.Id)
	if err != nil || info.Secret == "" {
		t.Fatalf("webhook %+v, %v", info, err)
	}
	page := e.as("editor").get("/flows/" + flow.Id)
	mustContain(t, "the editor's flow page", page, `<summary>Show the signing secret</summary>`,
		`<code id="hook-secret-text">`+info.Secret+`</code>`,
		`data-copy="hook-url" hidden>`, `data-copy="hook-secret" hidden>`)
	mustNotContain(t, "the operator's flow page", e.as("operator").get("/flows/"+flow.Id), info.Secret)
}

// TestAnythingThatNoLongerPassesItsChecksCanBeSwitchedOff: a flow or an
// integration stored as a newer version no longer takes (a schedule under
// a second, an integration between one connection and itself) could not be
// switched off from its page: the save's checks refused it, and the page
// was a bare error. Switching off now always works; switching on says why
// it is refused, naming the field.
func TestAnythingThatNoLongerPassesItsChecksCanBeSwitchedOff(t *testing.T) {
	tests := []struct {
		name, path, breakSQL, reason string
		id                           func(e *env) string
	}{
		{"a flow", "/flows/%s/enabled", `UPDATE flows SET schedule = '@every 500ms' WHERE id = {:id}`, "1s",
			func(e *env) string { return e.demo.FlowID }},
		{"an integration", "/integrations/%s/enabled", `UPDATE integrations SET b = a WHERE id = {:id}`, "b: ",
			func(e *env) string { return e.demo.IntegrationID }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, false, true)
			id := tt.id(e)
			if _, err := e.app.DB().NewQuery(tt.breakSQL).Bind(dbx.Params{"id": id}).Execute(); err != nil {
				t.Fatal(err)
			}
			collection := strings.Split(tt.path, "/")[1]
			enabled := func() bool {
				rec, err := e.app.FindRecordById(collection, id)
				if err != nil {
					t.Fatal(err)
				}
				return rec.GetBool("enabled")
			}
			ed := e.as("editor")
			rec := ed.post(fmt.Sprintf(tt.path, id), url.Values{})
			if rec.Code != http.StatusSeeOther || enabled() {
				t.Fatalf("switching it off = %d, enabled %v; want it off: %s", rec.Code, enabled(), truncated(rec.Body.String()))
			}
			rec = ed.post(fmt.Sprintf(tt.path, id), url.Values{"enabled": {"on"}})
			if rec.Code != http.StatusUnprocessableEntity || enabled() {
				t.Fatalf("switching it on = %d, enabled %v; want 422 and off", rec.Code, enabled())
			}
			mustContain(t, "the refusal", rec, tt.reason)
		})
	}
}

// TestSignInsAreLimitedPerAccount: wrong passwords for one account from
// many addresses, each under the per-address limit, lock the account's
// sign-ins until the window ends: the right password from a new address
// is refused with 429 and told how long to wait, the same for an address
// of nobody; the address the user signed in from before still signs in.
func TestSignInsAreLimitedPerAccount(t *testing.T) {
	e := newEnv(t, false, false)
	from := func(addr string) *client { c := e.as(""); c.remote = addr; return c }
	if rec := from("192.0.2.200").post("/login", url.Values{"email": {"admin@example.com"}, "password": {password}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("the admin signing in from home = %d", rec.Code)
	}
	refusals := map[string]string{}
	for _, email := range []string{"admin@example.com", "nobody@example.com"} {
		for i := range app.AccountSignInFailures {
			rec := from(fmt.Sprintf("192.0.2.%d", i+1)).post("/login", url.Values{"email": {email}, "password": {"guess"}})
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("guess %d for %s = %d", i+1, email, rec.Code)
			}
		}
		c := from("198.51.100.7")
		rec := c.post("/login", url.Values{"email": {email}, "password": {password}})
		if rec.Code != http.StatusTooManyRequests || c.cookies[sessionCookie] != "" || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("%s after %d failed sign-ins = %d, session %q", email, app.AccountSignInFailures, rec.Code, c.cookies[sessionCookie])
		}
		mustContain(t, "the refusal", rec, "Too many failed sign-ins for this address: wait 15 minutes")
		refusals[email] = strings.ReplaceAll(rec.Body.String(), email, "EMAIL")
	}
	if refusals["admin@example.com"] != refusals["nobody@example.com"] {
		t.Error("a locked user's page differs from a locked unknown address's")
	}
	if rec := from("192.0.2.200").post("/login", url.Values{"email": {"admin@example.com"}, "password": {password}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("the admin signing in from home during the lock = %d", rec.Code)
	}
}

// TestARetryClickedTwiceRetriesOnce: a retry button clicked a second time
// after the first retry ran and failed again (a double click, a form sent
// twice) leaves the transaction alone: the form carries when its page read
// the transactions, and one changed since is not retried again. The
// transaction's page says it was retried already.
func TestARetryClickedTwiceRetriesOnce(t *testing.T) {
	cases := []struct {
		name, page, action string
		form               func(id string) url.Values
		again              string // what the second click's answer says
	}{
		{name: "a transaction's Retry", page: "/activity/{id}", action: "/activity/{id}/retry",
			form: func(string) url.Values { return url.Values{} }, again: "bad=flash.retried_already"},
		{name: "Retry selected", page: "/activity?status=failed", action: "/activity/retry",
			form:  func(id string) url.Values { return url.Values{"id": {id}, "back": {"/activity?status=failed"}} },
			again: "ok=flash.retried"},
		{name: "Retry all failed of a flow", page: "/activity?flow={flow}&status=failed", action: "/flows/{flow}/retry-failed",
			form: func(string) url.Values { return url.Values{"back": {"/activity"}} }, again: "ok=flash.retried"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, false, true)
			failed := e.failedTx()
			op := e.as("operator")
			fill := strings.NewReplacer("{id}", failed.Id, "{flow}", e.demo.FlowID)
			page := op.get(fill.Replace(tc.page))
			_, after, found := strings.Cut(body(page), `name="seen" value="`)
			seen, _, _ := strings.Cut(after, `"`)
			if !found || seen == "" {
				t.Fatalf("%s has no seen field in its retry form", tc.page)
			}
			form := tc.form(failed.Id)
			form.Set("seen", seen)
			if loc := op.post(fill.Replace(tc.action), form).Header().Get("Location"); !strings.Contains(loc, "ok=flash.retried&n=1") {
				t.Fatalf("the first click = %s, want it retried", loc)
			}
			e.waitFor("the retry to fail again", func() bool {
				tx, err := e.app.FindRecordById("transactions", failed.Id)
				return err == nil && tx.GetString("status") == "failed" && tx.GetInt("attempts") == 2
			})
			loc := op.post(fill.Replace(tc.action), form).Header().Get("Location")
			if !strings.Contains(loc, tc.again) || strings.Contains(loc, "n=1") {
				t.Errorf("the second click = %s, want %s and nothing sent again", loc, tc.again)
			}
			if tx, _ := e.app.FindRecordById("transactions", failed.Id); tx.GetString("status") != "failed" || tx.GetInt("attempts") != 2 {
				t.Errorf("after the second click the transaction is %s after %d attempts, want failed after 2",
					tx.GetString("status"), tx.GetInt("attempts"))
			}
			if loc := op.post(fill.Replace(tc.action), tc.form(failed.Id)).Header().Get("Location"); !strings.Contains(loc, "n=1") {
				t.Errorf("a retry from a page read now = %s, want it retried", loc)
			}
		})
	}
}

// TestAttemptOutcomesInTheReadersLanguage: a transaction's attempt log
// names each outcome in the reader's language ("mislukt"), as the status
// at the top does, with what the engine noted after it; an outcome that
// names no status shows as it is.
func TestAttemptOutcomesInTheReadersLanguage(t *testing.T) {
	e := newEnv(t, false, true)
	viewer := e.as("viewer")
	viewer.header.Set("Accept-Language", "nl")
	_, attempts, _ := strings.Cut(body(viewer.get("/activity/"+e.failedTx().Id)), `<h2>Pogingen</h2>`)
	if !strings.Contains(attempts, "<td>mislukt</td>") || strings.Contains(attempts, "<td>failed</td>") {
		t.Errorf("the attempt log in Dutch, want its outcome as mislukt: %s", truncated(attempts))
	}
	for _, tc := range []struct {
		outcome string
		want    outcomeText
	}{
		{"failed", outcomeText{Key: "status.failed"}},
		{"succeeded", outcomeText{Key: "status.succeeded"}},
		{"skipped: unchanged since the last sync", outcomeText{Key: "status.skipped", Note: "unchanged since the last sync"}},
		{"lost: the target went away", outcomeText{Note: "lost: the target went away"}},
	} {
		if got := readOutcome(tc.outcome); got != tc.want {
			t.Errorf("readOutcome(%q) = %+v, want %+v", tc.outcome, got, tc.want)
		}
	}
}

// TestFlowPageNamesItsRules: the flow page's list of rules names each
// rule's kind in the reader's language ("Expression", "Prijs"), not by
// its stored word ("expr"), and marks a rule switched off as not running,
// instead of listing it as one that applies.
func TestFlowPageNamesItsRules(t *testing.T) {
	e := newEnv(t, false, true)
	rules := []mappings.Rule{
		{Name: "shop price", Kind: mappings.RuleExpr, Field: "prices.list", Expr: "prices.cost * 1.2"},
		{Kind: mappings.RulePrice, Field: "prices.sale", Base: "prices.list", Percent: "-10", Disabled: true},
	}
	if _, err := e.sb.SaveFlowRules(e.demo.FlowID, rules); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang      string
		want, not []string
	}{
		{"en", []string{"(Expression, prices.list)", "<li class=\"off\"><strong>Price</strong>", "switched off: it does not run"},
			[]string{"(expr,", "(price,"}},
		{"nl", []string{"(Expressie, prices.list)", "uitgezet: deze regel draait niet"}, []string{"(expr,", "(price,"}},
	} {
		viewer := e.as("viewer")
		viewer.header.Set("Accept-Language", tc.lang)
		_, list, _ := strings.Cut(body(viewer.get("/flows/"+e.demo.FlowID)), `<ol class="rules">`)
		list, _, _ = strings.Cut(list, "</ol>")
		for _, s := range tc.want {
			if !strings.Contains(list, s) {
				t.Errorf("%s: the flow's rules lack %q: %s", tc.lang, s, list)
			}
		}
		for _, s := range tc.not {
			if strings.Contains(list, s) {
				t.Errorf("%s: the flow's rules show %q: %s", tc.lang, s, list)
			}
		}
	}
}

// TestARefusalInAFoldedFieldOpensIt: a save refused for a field among the
// advanced ones (folded away) shows that part open, its error in sight;
// folded, the page came back with no visible reason.
func TestARefusalInAFoldedFieldOpensIt(t *testing.T) {
	e := newEnv(t, false, true)
	ed := e.as("editor")
	rec := ed.post("/connections/"+e.demo.SupplierID, url.Values{"name": {"Supplier"}, "f.folder": {"demo/supplier"},
		"f.timeout": {"soon"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a timeout of soon = %d, want 422", rec.Code)
	}
	_, folded, found := strings.Cut(body(rec), "<details")
	folded, _, _ = strings.Cut(folded, "</details>")
	if !found || !strings.HasPrefix(folded, " open>") || !strings.Contains(folded, `class="error"`) {
		t.Errorf("the advanced fields with the error, want them open: <details%s", folded)
	}
	page := ed.get("/connections/" + e.demo.SupplierID)
	if strings.Contains(body(page), "<details open") {
		t.Error("the advanced fields are open on a form with no error")
	}
}

// TestFieldErrorsAreTheFieldsDescription: a refused connection form marks
// each field in error as invalid and makes its error part of the field's
// description, so that a screen reader reads the error at the field, not
// only once as the page loads.
func TestFieldErrorsAreTheFieldsDescription(t *testing.T) {
	e := newEnv(t, false, true)
	rec := e.as("editor").post("/connections/"+e.demo.SupplierID, url.Values{"name": {"Supplier"}, "f.folder": {"demo/supplier"},
		"f.timeout": {"soon"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a timeout of soon = %d, want 422", rec.Code)
	}
	mustContain(t, "the refused connection", rec,
		`id="f-timeout" name="f.timeout" value="soon" placeholder="" aria-describedby="f-timeout-help f-timeout-err" aria-invalid="true"`,
		`<p class="error" id="f-timeout-err" role="alert">`)
	mustNotContain(t, "the refused connection", rec, `id="f-folder" name="f.folder" value="demo/supplier" placeholder="exchange/in" aria-describedby="f-folder-help" aria-invalid`)
	rec = e.as("editor").post("/connections/"+e.demo.SupplierID, url.Values{"name": {""}, "f.folder": {"demo/supplier"}})
	mustContain(t, "the connection without a name", rec,
		`id="name" name="name" value="" required aria-invalid="true" aria-describedby="name-err"`,
		`<p class="error" id="name-err" role="alert">`)
}

// TestRefusedEngineSettingsKeepWhatWasTyped: a refused alert throttle or
// retention shows the form again as typed, with the error at its field in
// the reader's language, instead of the stored values and one English
// line at the top of the page; nothing is saved.
func TestRefusedEngineSettingsKeepWhatWasTyped(t *testing.T) {
	e := newEnv(t, false, false)
	ad := e.as("admin")
	ad.header.Set("Accept-Language", "nl")
	before := e.sb.Tunables()
	for _, tc := range []struct {
		minutes, days string
		want, not     []string
	}{
		{"0", "90", []string{`value="0" min="1" max="1440" aria-describedby="throttle-help alert_minutes-err" aria-invalid="true"`,
			`id="alert_minutes-err" role="alert">Een heel aantal minuten, van 1 tot 1.440.`, `name="retention_days" value="90"`},
			[]string{"retention_days-err", "alert_every"}},
		{"30", "veel", []string{`name="alert_minutes" value="30"`, `value="veel" min="1" max="3650"`,
			`id="retention_days-err" role="alert">Een heel aantal dagen, van 1 tot 3.650.`}, []string{"alert_minutes-err"}},
	} {
		rec := ad.post("/settings/engine", url.Values{"alert_minutes": {tc.minutes}, "retention_days": {tc.days}})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%s minutes, %s days = %d, want 422", tc.minutes, tc.days, rec.Code)
		}
		mustContain(t, "the refused engine settings", rec, tc.want...)
		mustNotContain(t, "the refused engine settings", rec, tc.not...)
		if got := e.sb.Tunables(); got != before {
			t.Fatalf("a refused form changed the settings: %+v", got)
		}
	}
}
