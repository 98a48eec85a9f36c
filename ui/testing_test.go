package ui

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/app/demo"
	_ "github.com/switchboard-app/switchboard/connectors/all"
	_ "github.com/switchboard-app/switchboard/pb_migrations"
)

// password is every test user's password.
const password = "Passw0rd!123"

// fixtureDir is a data folder with the schema and one user per role,
// built once (hashing passwords is slow); each test works on a copy.
var fixtureDir, emptyDir string

func TestMain(m *testing.M) {
	var err error
	if emptyDir, err = buildFixture(false); err == nil {
		fixtureDir, err = buildFixture(true)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "building the test fixture:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(fixtureDir)
	_ = os.RemoveAll(emptyDir)
	os.Exit(code)
}

func buildFixture(withUsers bool) (string, error) {
	dir, err := os.MkdirTemp("", "switchboard-ui-fixture-")
	if err != nil {
		return "", err
	}
	base := core.NewBaseApp(core.BaseAppConfig{DataDir: dir, DBConnect: app.DBConnect})
	if err := base.Bootstrap(); err != nil {
		return "", err
	}
	defer func() { _ = base.ResetBootstrapState() }()
	if err := base.RunAllMigrations(); err != nil || !withUsers {
		return dir, err
	}
	for _, role := range app.Roles {
		if _, err := newUser(base, role+"@example.com", password, role); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// env is a served app with Switchboard and the UI registered.
type env struct {
	t    testing.TB
	app  *tests.TestApp
	sb   *app.Switchboard
	mux  http.Handler
	demo demo.Result
}

// newEnv serves a copy of the fixture (empty: no users); withDemo
// installs the demo and runs it until every record has its outcome.
func newEnv(t testing.TB, empty, withDemo bool) *env {
	t.Helper()
	t.Setenv("SWITCHBOARD_SECRET_KEY", "")
	dir := fixtureDir
	if empty {
		dir = emptyDir
	}
	e := unserved(t, dir)
	e.serve()
	if withDemo {
		e.demo = demo.Start(e.sb, e.app.DataDir())
		e.waitForDemo()
	}
	return e
}

// unserved is a copy of the data folder dir with Switchboard and the UI
// registered, before the server starts.
func unserved(t testing.TB, dir string) *env {
	t.Helper()
	return unservedWith(t, dir, app.Options{})
}

// unservedWith is unserved with Switchboard registered with opts.
func unservedWith(t testing.TB, dir string, opts app.Options) *env {
	t.Helper()
	ta, err := tests.NewTestAppWithConfig(core.BaseAppConfig{DataDir: dir, DBConnect: app.DBConnect})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ta.Cleanup)
	e := &env{t: t, app: ta, sb: app.Register(ta, opts)}
	if _, err := Register(e.sb); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) serve() {
	r, err := apis.NewRouter(e.app)
	if err != nil {
		e.t.Fatal(err)
	}
	err = e.app.OnServe().Trigger(&core.ServeEvent{App: e.app, Router: r}, func(se *core.ServeEvent) error {
		e.mux, err = se.Router.BuildMux()
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(e.sb.Engine().Stop)
}

// waitForDemo waits until the demo's 15 records have their outcomes.
func (e *env) waitForDemo() {
	e.t.Helper()
	e.waitFor("the demo's 15 transactions to finish", func() bool {
		n, _ := e.app.CountRecords("transactions", dbx.In("status", "succeeded", "failed"))
		return n == 15
	})
}

// waitFor polls cond with a generous deadline; it waits for an event,
// never a fixed time.
func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// failedTx is the demo's failed transaction.
func (e *env) failedTx() *core.Record {
	e.t.Helper()
	rec, err := e.app.FindFirstRecordByData("transactions", "key", "spreadsheet-export-utf16.csv:6")
	if err != nil {
		e.t.Fatal(err)
	}
	return rec
}

// client is a browser: its cookies, signed in as a role or not.
type client struct {
	e       *env
	cookies map[string]string
	header  http.Header
	remote  string // the client's address; httptest's own when empty
}

const testCSRF = "test-csrf-token-0123456789abcdef0123456789"

// as returns a browser signed in as the user of role ("" for nobody).
func (e *env) as(role string) *client {
	e.t.Helper()
	c := &client{e: e, cookies: map[string]string{csrfCookie: testCSRF}, header: http.Header{}}
	if role != "" {
		user, err := e.app.FindAuthRecordByEmail("users", role+"@example.com")
		if err != nil {
			e.t.Fatal(err)
		}
		token, err := newSession(e.app, user, time.Now(), time.Hour)
		if err != nil {
			e.t.Fatal(err)
		}
		c.cookies[sessionCookie] = token
	}
	return c
}

func (c *client) do(req *http.Request) *httptest.ResponseRecorder {
	for name, value := range c.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if c.remote != "" {
		req.RemoteAddr = c.remote + ":40000"
	}
	rec := httptest.NewRecorder()
	c.e.mux.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return rec
}

func (c *client) get(path string) *httptest.ResponseRecorder {
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends a form with the page's CSRF token, as a browser does.
func (c *client) post(path string, form url.Values) *httptest.ResponseRecorder {
	if form == nil {
		form = url.Values{}
	}
	if !form.Has(csrfField) {
		form.Set(csrfField, c.cookies[csrfCookie])
	}
	return c.postRaw(path, form.Encode())
}

func (c *client) postRaw(path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := c.do(req)
	checkFormRedirect(c.e.t, req, rec)
	return rec
}

// checkFormRedirect fails when a form's answer redirects to another site:
// the pages' form-action 'self' makes Chrome and Safari refuse to follow
// it, so the button would seem to do nothing.
func checkFormRedirect(t testing.TB, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code < 300 || rec.Code > 399 {
		return
	}
	to, err := req.URL.Parse(rec.Header().Get("Location"))
	if err != nil || to.Host != "" && to.Host != req.Host {
		t.Errorf("POST %s redirects to %q, another site: form-action 'self' blocks that in Chrome and Safari",
			req.URL.Path, rec.Header().Get("Location"))
	}
}

// body reads a response's body.
func body(rec *httptest.ResponseRecorder) string {
	b, _ := io.ReadAll(rec.Result().Body)
	return string(b)
}

// mustContain fails unless the page has every text.
func mustContain(t *testing.T, what string, rec *httptest.ResponseRecorder, texts ...string) {
	t.Helper()
	page := rec.Body.String()
	for _, s := range texts {
		if !strings.Contains(page, s) {
			t.Errorf("%s (%d) lacks %q:\n%s", what, rec.Code, s, truncated(page))
		}
	}
}

func mustNotContain(t *testing.T, what string, rec *httptest.ResponseRecorder, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(rec.Body.String(), s) {
			t.Errorf("%s shows %q", what, s)
		}
	}
}

func truncated(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

// fingerprint sums up everything a form could change, to tell that a
// refused request changed nothing.
func (e *env) fingerprint() string {
	var parts []string
	for _, table := range []string{"users", "connections", "integrations", "flows", "transactions", "runs", "usage"} {
		var row struct {
			N int    `db:"n"`
			U string `db:"u"`
		}
		_ = e.app.DB().NewQuery("SELECT COUNT(*) AS n, COALESCE(group_concat(updated || status_like, ','), '') AS u FROM (SELECT updated, " +
			statusColumn(table) + " AS status_like FROM " + table + " ORDER BY id)").One(&row)
		parts = append(parts, fmt.Sprintf("%s:%d:%s", table, row.N, row.U))
	}
	s := e.app.Settings()
	parts = append(parts, s.Meta.AppURL, s.SMTP.Host)
	return strings.Join(parts, "|")
}

func statusColumn(table string) string {
	switch table {
	case "transactions", "connections":
		return "status"
	case "users":
		return "role || disabled"
	case "flows", "integrations":
		return "enabled"
	default:
		return "''"
	}
}

// fork serves a copy of this env's data folder, made once its engine is
// stopped and its write-ahead log is in the database: a test that changes
// data changes its own copy.
func (e *env) fork(t *testing.T) *env {
	t.Helper()
	e.quiesce()
	f := unserved(t, e.app.DataDir())
	f.demo = e.demo
	f.serve()
	return f
}

// quiesce stops the engine and writes the log into the database file.
func (e *env) quiesce() {
	e.sb.Engine().Stop()
	if _, err := e.app.NonconcurrentDB().NewQuery("PRAGMA wal_checkpoint(TRUNCATE)").Execute(); err != nil {
		e.t.Fatal(err)
	}
}

func newRecordOf(c *core.Collection) *core.Record { return core.NewRecord(c) }
