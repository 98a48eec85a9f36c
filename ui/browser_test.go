package ui

// Browser tests: Debian's headless Chromium, driven over the DevTools
// protocol, takes the newcomer's path through the real pages, and every
// page it opens fails the test with a console error or a
// Content-Security-Policy violation. Screenshots of each page at 1280 and
// 375 pixels wide go to $SWITCHBOARD_ARTIFACTS/ui (or the test's artifact
// folder). The browser comes from .ci/servers/chromium.sh
// ($SWITCHBOARD_IT_CHROME) or /usr/bin/chromium; without either the tests
// skip, unless SWITCHBOARD_REQUIRE_IT=1.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromeFlags are the flags Chromium needs on a machine without network
// or sandbox privileges.
var chromeFlags = []chromedp.ExecAllocatorOption{
	chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
	chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
	chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
}

// browser is one Chromium tab and the problems its pages reported.
type browser struct {
	t        *testing.T
	ctx      context.Context
	base     string
	shots    string
	mu       sync.Mutex
	problems []string
	// allowed are problems the test expects once (see allow).
	allowed []string
}

// newBrowser opens a tab on a fresh profile, or skips the test when no
// Chromium is to be had.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	var alloc context.Context
	var cancelAlloc context.CancelFunc
	if remote := os.Getenv("SWITCHBOARD_IT_CHROME"); remote != "" {
		alloc, cancelAlloc = chromedp.NewRemoteAllocator(context.Background(), remote)
	} else if path, err := exec.LookPath("chromium"); err == nil {
		// A profile folder of its own, removed once the browser is gone
		// (t.TempDir would fail on files the browser writes as it exits).
		profile, err := os.MkdirTemp("", "switchboard-chromium-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.RemoveAll(profile) })
		opts := append([]chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.UserDataDir(profile)}, chromeFlags...)
		alloc, cancelAlloc = chromedp.NewExecAllocator(context.Background(), opts...)
	} else {
		if os.Getenv("SWITCHBOARD_REQUIRE_IT") == "1" {
			t.Fatal("no Chromium: run .ci/servers/chromium.sh or install the chromium package")
		}
		t.Skip("no Chromium (install the chromium package or run .ci/servers/chromium.sh)")
	}
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		_ = chromedp.Cancel(ctx) // closes the tab, and a browser it started, and waits
		cancel()
		cancelAlloc()
	})
	b := &browser{t: t, ctx: ctx, base: base, shots: screenshotDir(t)}
	chromedp.ListenTarget(ctx, b.listen)
	// The first run opens the tab and must use the tab's own context:
	// ending the context of the first run closes the tab.
	if err := chromedp.Run(ctx, runtime.Enable(), log.Enable()); err != nil {
		t.Fatalf("starting the browser: %v", err)
	}
	return b
}

// screenshotDir is where screenshots go: a folder CI keeps.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("SWITCHBOARD_ARTIFACTS")
	if dir == "" {
		return t.ArtifactDir()
	}
	dir = filepath.Join(dir, "ui")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// listen records console errors, uncaught exceptions and what the
// browser logs as errors, CSP violations among them.
func (b *browser) listen(ev any) {
	var problem string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.APITypeError || ev.Type == runtime.APITypeWarning {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			problem = "console " + string(ev.Type) + ": " + strings.Join(parts, " ")
		}
	case *runtime.EventExceptionThrown:
		problem = "exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			problem += " " + ev.ExceptionDetails.Exception.Description
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.LevelError || ev.Entry.Source == log.SourceSecurity || ev.Entry.Source == log.SourceViolation {
			problem = fmt.Sprintf("%s %s: %s (%s)", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL)
		}
	}
	if problem != "" {
		b.mu.Lock()
		b.problems = append(b.problems, problem)
		b.mu.Unlock()
	}
}

// run performs actions with a generous deadline; a page's reported
// problems fail the test.
func (b *browser) run(what string, actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	err := chromedp.Run(ctx, actions...)
	for tries := 1; err != nil && staleNode(err) && tries < 5; tries++ {
		// The page was replaced between finding a node and acting on it
		// (a document that is still loading): nothing was done; again.
		err = chromedp.Run(ctx, actions...)
	}
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	b.checkProblems(what)
}

func (b *browser) checkProblems(what string) {
	b.t.Helper()
	b.mu.Lock()
	problems, allowed := b.problems, b.allowed
	b.problems, b.allowed = nil, nil
	b.mu.Unlock()
	for _, p := range problems {
		if !expected(p, allowed) {
			b.t.Errorf("%s: the page reported %s", what, p)
		}
	}
}

// staleNode tells whether an action failed on a document that was being
// replaced meanwhile. Chromium words it three ways: resolving a node
// ("Could not find node with given id"), reading one ("No node with given
// id found"), and photographing a page not laid out yet ("Cannot take
// screenshot with 0 width").
func staleNode(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Could not find node with given id") ||
		strings.Contains(msg, "No node with given id found") ||
		strings.Contains(msg, "Cannot take screenshot with 0 width")
}

func expected(problem string, allowed []string) bool {
	for _, a := range allowed {
		if strings.Contains(problem, a) {
			return true
		}
	}
	return false
}

// open loads a page and waits for it to be shown.
func (b *browser) open(path string) {
	b.t.Helper()
	b.run("opening "+path, chromedp.Navigate(b.base+path), chromedp.WaitReady("footer", chromedp.ByQuery))
}

// text is the visible text of the page.
func (b *browser) text() string {
	b.t.Helper()
	var s string
	b.run("reading the page", chromedp.Text("body", &s, chromedp.ByQuery))
	return s
}

// submit fills fields (CSS selector to value), presses the button and
// waits for the next page: the current one is marked first, so that its
// own footer is not taken for the next page's.
func (b *browser) submit(what string, fields map[string]string, button string) {
	b.t.Helper()
	actions := []chromedp.Action{chromedp.Evaluate(`document.body.dataset.left = "yes"`, nil)}
	for sel, v := range fields {
		actions = append(actions, chromedp.SetValue(sel, v, chromedp.ByQuery))
	}
	actions = append(actions, chromedp.Click(button, chromedp.ByQuery),
		chromedp.WaitReady(`body:not([data-left]) footer`, chromedp.ByQuery))
	b.run(what, actions...)
}

// waitForText reloads path until its text has want.
func (b *browser) waitForText(path, want string) {
	b.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		b.open(path)
		if strings.Contains(b.text(), want) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s never showed %q:\n%s", path, want, b.text())
		}
	}
}

// shoot saves a screenshot of the page at 1280 and 375 pixels wide.
func (b *browser) shoot(name string) {
	b.t.Helper()
	for _, width := range []int64{1280, 375} {
		var png []byte
		b.run("screenshot "+name, chromedp.EmulateViewport(width, 900), chromedp.FullScreenshot(&png, 100))
		file := filepath.Join(b.shots, fmt.Sprintf("%s-%d.png", name, width))
		if err := os.WriteFile(file, png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.run("back to the wide view", chromedp.EmulateViewport(1280, 900))
}

// TestBrowserNewcomerPath: first admin, demo installed, Activity shows its
// transactions, open the failed one, see the bad row and the error, fix
// the flow's mapping by the REST API, retry in the UI, succeeded; then a
// viewer who sees no edit buttons. Each page is photographed.
func TestBrowserNewcomerPath(t *testing.T) {
	e := newEnv(t, true, false)
	srv := httptest.NewServer(e.mux)
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv.URL)

	b.open("/")
	b.shoot("setup")
	b.submit("the first admin", map[string]string{"#email": "owner@example.com", "#password": password,
		"#password_confirm": password}, "button.primary")
	e.waitForDemo()
	b.waitForText("/activity", "spreadsheet-export-utf16.csv:6")
	if n := strings.Count(b.text(), ".csv:"); n != 15 {
		t.Fatalf("the Activity page lists %d transactions, want the demo's 15", n)
	}
	b.shoot("activity")
	b.run("opening the failed one", chromedp.Evaluate(`document.body.dataset.left = "yes"`, nil),
		chromedp.Click(`//a[text()="spreadsheet-export-utf16.csv:6"]`, chromedp.BySearch),
		chromedp.WaitVisible(`body:not([data-left]) .alert`, chromedp.ByQuery))
	page := b.text()
	for _, want := range []string{"What went wrong", "field prices.cost", `cannot parse "twelve" as decimal`, `"Prijs": "twelve"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the failed transaction's page lacks %q:\n%s", want, page)
		}
	}
	b.shoot("activity-detail")

	fixMappingByAPI(t, srv.URL, e.failedTx().GetString("flow"))
	var detail string
	b.run("reading the address", chromedp.Location(&detail))
	b.submit("retry", nil, `form[action$="/retry"] button`)
	b.waitForText(strings.TrimPrefix(detail, srv.URL), "succeeded")
	if strings.Contains(b.text(), "What went wrong") {
		t.Fatal("the retried transaction still shows its error")
	}

	b.tour(e)
	b.submit("adding a viewer", map[string]string{"#new-email": "vera@example.com", "#new-password": password}, "form[action='/users'] button")
	b.submit("signing out", nil, "form[action='/logout'] button")
	b.submit("signing in as the viewer", map[string]string{"#email": "vera@example.com", "#password": password}, "button.primary")
	b.viewerSeesNoEditButtons(e)
}

// tour opens every page as the admin and photographs it.
func (b *browser) tour(e *env) {
	b.t.Helper()
	flow := e.failedTx().GetString("flow")
	integ, _ := e.app.FindFirstRecordByData("integrations", "name", "Demo: supplier -> shop")
	conn, _ := e.app.FindRecordById("connections", integ.GetString("a"))
	for _, p := range []struct{ name, path string }{
		{"dashboard", "/"}, {"integrations", "/integrations"}, {"flow", "/flows/" + flow},
		{"connections", "/connections"}, {"connection", "/connections/" + conn.Id},
		{"connection-new", "/connections/new"}, {"connection-form", "/connections/new?connector=http"},
		{"usage", "/usage"}, {"settings", "/settings"}, {"account", "/account"}, {"users", "/users"},
	} {
		b.open(p.path)
		b.shoot(p.name)
	}
}

// viewerSeesNoEditButtons: a viewer reads every page without a button
// that changes anything but their own settings and session.
func (b *browser) viewerSeesNoEditButtons(e *env) {
	b.t.Helper()
	tx := e.failedTx()
	for _, path := range []string{"/", "/activity", "/activity/" + tx.Id, "/integrations", "/flows/" + tx.GetString("flow"),
		"/connections", "/usage"} {
		b.open(path)
		var buttons []string
		b.run("listing the buttons of "+path, chromedp.Evaluate(
			`Array.from(document.querySelectorAll("main form[method=post] button, main a.button.primary")).map(b => b.textContent.trim())`, &buttons))
		if len(buttons) > 0 {
			b.t.Errorf("the viewer sees buttons on %s: %v", path, buttons)
		}
		if strings.Contains(b.text(), "Settings") {
			b.t.Errorf("the viewer is offered the settings on %s", path)
		}
	}
	b.open("/activity/" + tx.Id)
	b.shoot("viewer-activity-detail")
}

// fixMappingByAPI makes the demo flow read "twelve" as 12.00, through the
// REST API as the admin, as a user fixing a mapping would.
func fixMappingByAPI(t *testing.T, base, flowID string) {
	t.Helper()
	var auth struct {
		Token string `json:"token"`
	}
	call(t, http.MethodPost, base+"/api/collections/users/auth-with-password", "",
		map[string]any{"identity": "owner@example.com", "password": password}, &auth)
	var flow struct {
		Mapping map[string][]map[string]any `json:"mapping"`
	}
	call(t, http.MethodGet, base+"/api/collections/flows/records/"+flowID, auth.Token, nil, &flow)
	for _, f := range flow.Mapping["in"] {
		if f["target"] == "prices.cost" {
			f["expr"] = `Prijs == "twelve" ? "12.00" : Prijs`
		}
	}
	call(t, http.MethodPatch, base+"/api/collections/flows/records/"+flowID, auth.Token,
		map[string]any{"mapping": flow.Mapping}, nil)
}

func call(t *testing.T, method, url, token string, in, out any) {
	t.Helper()
	var body *strings.Reader
	if in != nil {
		data, _ := json.Marshal(in)
		body = strings.NewReader(string(data))
	} else {
		body = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, url, body)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s = %d", method, url, resp.StatusCode)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBrowserReportsCSPViolations: the browser tests catch a page whose
// inline script the policy blocks, and one that logs a console error; so
// a page of the UI that did either would fail them.
func TestBrowserReportsCSPViolations(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", ContentSecurityPolicy)
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path == "/console.js" {
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = w.Write([]byte(`console.error("broken on purpose")`))
			return
		}
		_, _ = w.Write([]byte(`<!doctype html><title>x</title><script>document.title = "inline ran"</script>` +
			`<script src="/console.js"></script><footer>end</footer>`))
	}))
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv.URL)
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	var title string
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitReady("footer", chromedp.ByQuery),
		chromedp.Title(&title)); err != nil {
		t.Fatal(err)
	}
	if title == "inline ran" {
		t.Fatal("the policy let an inline script run")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		b.mu.Lock()
		joined := strings.Join(b.problems, "\n")
		b.mu.Unlock()
		if strings.Contains(joined, "Content Security Policy") && strings.Contains(joined, "broken on purpose") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the listener did not catch both problems; it has:\n%s", joined)
		}
		if err := chromedp.Run(ctx, chromedp.Evaluate(`1`, nil)); err != nil {
			t.Fatal(err)
		}
	}
}
