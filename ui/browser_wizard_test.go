package ui

// The browser test of the no-code part: a newcomer connects a supplier's
// CSV feed on SFTP to a shop's XML folder with the wizard, changes a
// mapping and sees the preview before saving, adds rules, has a broken
// expression refused, and moves the integration to another appliance.
// The supplier's feed is on SFTP when .ci/servers/sshd.sh runs (as in
// CI); without it, on a local folder, unless SWITCHBOARD_REQUIRE_IT=1.

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/connectors/files/transport/sftp"
)

// supplierSource is where the supplier's feed lies: an SFTP folder, or a
// local one when no SFTP server is at hand.
type supplierSource struct {
	connector string
	fields    map[string]string // the connection form's fields
	secret    string            // the private key, for the import
	put       func(t *testing.T, name, body string)
}

// newSupplierSource makes a fresh folder for the feed on the test's SFTP
// server, or in the files root of e.
func newSupplierSource(t *testing.T, e *env) supplierSource {
	addr, user, keyFile, dir := os.Getenv("SWITCHBOARD_IT_SFTP_ADDR"), os.Getenv("SWITCHBOARD_IT_SFTP_USER"),
		os.Getenv("SWITCHBOARD_IT_SFTP_KEY"), os.Getenv("SWITCHBOARD_IT_SFTP_DIR")
	if addr == "" || keyFile == "" {
		if os.Getenv("SWITCHBOARD_REQUIRE_IT") == "1" {
			t.Fatal("no SFTP server: run .ci/servers/sshd.sh")
		}
		local := filepath.Join(e.app.DataDir(), "files", "supplier")
		if err := os.MkdirAll(local, 0o755); err != nil {
			t.Fatal(err)
		}
		return supplierSource{connector: "folder", fields: map[string]string{"#f-folder": "supplier"},
			put: func(t *testing.T, name, body string) {
				if err := os.WriteFile(filepath.Join(local, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}}
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(addr, ":")
	folder := fmt.Sprintf("%s/wizard-%d", dir, time.Now().UnixNano())
	cfg := sftp.Config{Addr: addr, User: user, PrivateKey: string(key), Folder: dir, Timeout: 10 * time.Second}
	put := func(t *testing.T, name, body string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		tr, err := sftp.Dial(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tr.Close() }()
		rel := strings.TrimPrefix(folder, dir+"/")
		if err := tr.Mkdir(ctx, rel); err != nil {
			t.Fatal(err)
		}
		w, err := tr.Create(ctx, rel+"/"+name)
		if err == nil {
			_, err = w.Write([]byte(body))
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return supplierSource{connector: "sftp", secret: string(key), put: put, fields: map[string]string{
		"#f-host": host, "#f-port": port, "#f-username": user, "#f-private_key": string(key), "#f-folder": folder}}
}

// clicks counts what a person clicks, a choice in a list included.
type clicks struct {
	b *browser
	n int
}

// next clicks something that loads the next page, after setting fields
// (typing, not clicks).
func (c *clicks) next(what string, fields map[string]string, sel string) {
	c.b.t.Helper()
	c.n++
	c.b.submit(what, fields, sel)
}

// click clicks something on the page.
func (c *clicks) click(what, sel string, by chromedp.QueryOption) {
	c.b.t.Helper()
	c.n++
	c.b.run(what, chromedp.WaitVisible(sel, by), chromedp.Click(sel, by))
}

// choose picks a value in a list.
func (c *clicks) choose(what, sel, value string) {
	c.b.t.Helper()
	c.n++
	c.b.run(what, chromedp.WaitReady(sel, chromedp.ByQuery), chromedp.SetValue(sel, value, chromedp.ByQuery))
}

// typeInto replaces an input's text by typing, so the page sees every key.
func (b *browser) typeInto(sel, text string) {
	b.t.Helper()
	b.run("typing into "+sel, chromedp.Click(sel, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector(`+quote(sel)+`).select()`, nil),
		chromedp.SendKeys(sel, text, chromedp.ByQuery))
}

// waitForSel waits until an element matching sel is there and shown.
func (b *browser) waitForSel(what, sel string) {
	b.t.Helper()
	b.run(what, chromedp.WaitVisible(sel, chromedp.ByQuery))
}

// textOf is the text of the first element matching sel.
func (b *browser) textOf(sel string) string {
	b.t.Helper()
	var s string
	b.run("reading "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
	return s
}

// waitForTextIn waits until the element has want in its text.
func (b *browser) waitForTextIn(sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(b.textOf(sel), want) {
		if time.Now().After(deadline) {
			b.t.Fatalf("%s never showed %q; it has:\n%s", sel, want, b.textOf(sel))
		}
		b.run("waiting", chromedp.Sleep(100*time.Millisecond))
	}
}

const wizardFeed = "sku;name;price;stock;ean;brand\n" +
	"TS-100;Garden chair;12.50;5;8712345678906;acme\n" +
	"TS-200;Garden table;100.00;2;;acme\n"

// TestBrowserNoCode: the checks, in a real browser.
func TestBrowserNoCode(t *testing.T) {
	e := newEnv(t, true, false)
	srv := httptest.NewServer(e.mux)
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv.URL)
	source := newSupplierSource(t, e)
	source.put(t, "feed.csv", wizardFeed)
	if err := os.MkdirAll(filepath.Join(e.app.DataDir(), "files", "shop"), 0o755); err != nil {
		t.Fatal(err)
	}

	b.open("/")
	b.run("no demo this time", chromedp.Click(`input[name=demo]`, chromedp.ByQuery))
	b.submit("the first admin", map[string]string{"#email": "owner@example.com", "#password": password,
		"#password_confirm": password}, "button.primary")
	b.open("/")
	flowID := b.wizard(t, e, source)
	b.mappingChange(t, e, source, flowID)
	b.rules(t, e, flowID)
	b.brokenExpression(t, e, flowID)
	b.exportImport(t, e, source, flowID)
}

// wizard goes from the overview to a running flow and answers its id.
func (b *browser) wizard(t *testing.T, e *env, source supplierSource) string {
	c := &clicks{b: b}
	c.next("the integrations", nil, `header nav a[href="/integrations"]`)
	c.next("the wizard", nil, `a.button.primary[href="/wizard"]`)
	b.shoot("wizard-catalogue")
	c.next("the supplier's app", nil, `button.app-card[value="`+source.connector+`"]`)
	b.shoot("wizard-connect")
	c.next("connecting the supplier", source.fields, `button[value="connect"]`)
	c.next("the shop's app", nil, `button.app-card[value="folder"]`)
	c.next("connecting the shop", map[string]string{"#f-folder": "shop"}, `button[value="connect"]`)
	c.click("ticking products", `input[value="product:ab"]`, chromedp.ByQuery)
	b.shoot("wizard-flows")
	c.next("the flows", nil, `button[value="flows"]`)
	page := b.text()
	for _, want := range []string{"price", "12.50", "prices.list"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the set-up step lacks %q:\n%s", want, page)
		}
	}
	c.click("the writing options", `//summary[contains(., "Writing to")]`, chromedp.BySearch)
	c.choose("XML files for the shop", "#w-0-o-target-format", "xml")
	b.run("+10%", chromedp.SendKeys(`[id="w.0.percent"]`, "10", chromedp.ByQuery))
	b.shoot("wizard-setup")
	c.next("check and review", nil, `button[value="setup"]`)
	b.shoot("wizard-review")
	c.next("activate", nil, `button[value="activate"]`)
	if c.n >= 15 {
		t.Fatalf("the wizard took %d clicks, want fewer than 15", c.n)
	}
	t.Logf("from the overview to a running flow: %d clicks, no expression typed", c.n)
	e.waitFor("the first run's two products", func() bool {
		n, _ := e.app.CountRecords("transactions", dbxStatus("succeeded"))
		return n == 2
	})
	b.waitForText(strings.TrimPrefix(b.location(), b.base), "TS-200")
	b.shoot("wizard-activity")
	xml := waitForXML(t, e, "TS-200")
	for _, want := range []string{"13.75", "110.00", "<brand>acme</brand>"} {
		if !strings.Contains(xml, want) {
			t.Fatalf("the shop's XML lacks %q:\n%s", want, xml)
		}
	}
	flow, err := e.app.FindFirstRecordByFilter("flows", "entity = 'product'")
	if err != nil {
		t.Fatal(err)
	}
	return flow.Id
}

// allow lets the next action's pages report a problem that has text:
// one the test expects.
func (b *browser) allow(text string) {
	b.mu.Lock()
	b.allowed = append(b.allowed, text)
	b.mu.Unlock()
}

// location is the page's address.
func (b *browser) location() string {
	b.t.Helper()
	var loc string
	b.run("reading the address", chromedp.Location(&loc))
	return loc
}

// waitForXML waits for a shop XML file that has want, and answers all
// the shop's XML.
func waitForXML(t *testing.T, e *env, want string) string {
	t.Helper()
	var all string
	e.waitFor("the shop's XML with "+want, func() bool {
		matches, _ := filepath.Glob(filepath.Join(e.app.DataDir(), "files", "shop", "*.xml"))
		all = ""
		for _, m := range matches {
			data, _ := os.ReadFile(m)
			all += string(data)
		}
		return strings.Contains(all, want)
	})
	return all
}

func (e *env) flowField(t *testing.T, flowID, field string) string {
	t.Helper()
	flow, err := e.app.FindRecordById("flows", flowID)
	if err != nil {
		t.Fatal(err)
	}
	return flow.GetString(field)
}

// mappingChange changes the name's mapping, sees the preview change
// before saving, saves, and sees the next run use it.
func (b *browser) mappingChange(t *testing.T, e *env, source supplierSource, flowID string) {
	b.open("/flows/" + flowID + "/mapping")
	before := e.flowField(t, flowID, "mapping")
	b.typeInto("#e-name", "upper(name)")
	b.waitForTextIn("#preview", "GARDEN")
	if e.flowField(t, flowID, "mapping") != before {
		t.Fatal("the preview saved the mapping")
	}
	b.shoot("mapping")
	b.submit("saving the mapping", nil, `form.editor button.primary`)
	if !strings.Contains(e.flowField(t, flowID, "mapping"), "upper(name)") {
		t.Fatalf("the saved mapping: %s", e.flowField(t, flowID, "mapping"))
	}
	source.put(t, "feed-2.csv", "sku;name;price;stock;ean;brand\nTS-300;Garden bench;45.00;0;;acme\n")
	b.open("/flows/" + flowID)
	b.submit("run now", nil, `form[action$="/run"] button`)
	waitForXML(t, e, "GARDEN BENCH")
}

// rules adds a conditional rule and a value table, sees them in the
// preview, and saves them.
func (b *browser) rules(t *testing.T, e *env, flowID string) {
	b.open("/flows/" + flowID + "/rules")
	b.submit("a conditional rule", nil, `button[value="add:conditional"]`)
	b.run("sold out is archived", chromedp.SetValue(`[name="r.1.field"]`, "status", chromedp.ByQuery),
		chromedp.SetValue(`[name="r.1.c.0.field"]`, "stock_quantity", chromedp.ByQuery),
		chromedp.SetValue(`[name="r.1.c.0.op"]`, "<", chromedp.ByQuery),
		chromedp.SetValue(`[name="r.1.c.0.value"]`, "1", chromedp.ByQuery),
		chromedp.SetValue(`[name="r.1.c.0.then"]`, "archived", chromedp.ByQuery))
	b.submit("a value table", nil, `button[value="add:table"]`)
	b.run("brands", chromedp.SetValue(`[name="r.2.field"]`, "brand", chromedp.ByQuery),
		chromedp.SetValue(`[name="r.2.m.0.key"]`, "acme", chromedp.ByQuery))
	b.typeInto(`[name="r.2.m.0.value"]`, "ACME Garden")
	b.waitForTextIn("#preview", "ACME Garden")
	b.waitForTextIn("#preview", "archived")
	b.shoot("rules")
	b.submit("saving the rules", nil, `form.editor button.primary`)
	rules := e.flowField(t, flowID, "rules")
	for _, want := range []string{`"kind":"conditional"`, `"when":"stock_quantity \u003c 1"`, `"then":"\"archived\""`,
		`"kind":"table"`, `"acme":"ACME Garden"`} {
		if !strings.Contains(rules, want) {
			t.Fatalf("the saved rules lack %s: %s", want, rules)
		}
	}
}

// brokenExpression types an expression that does not parse: the error
// shows at the field as it is typed, and saving it is refused with
// nothing saved.
func (b *browser) brokenExpression(t *testing.T, e *env, flowID string) {
	b.open("/flows/" + flowID + "/mapping")
	before := e.flowField(t, flowID, "mapping")
	b.typeInto("#e-name", "upper(name")
	b.waitForSel("the error at the field", `[data-err-for="e.name"]:not([hidden])`)
	if msg := b.textOf(`[data-err-for="e.name"]`); !strings.Contains(msg, "unexpected token") {
		t.Fatalf("the error at the field: %q", msg)
	}
	b.allow("status of 422") // the refused save answers 422, which the browser logs
	b.submit("saving the broken mapping", nil, `form.editor button.primary`)
	if page := b.text(); !strings.Contains(page, "Not saved") || !strings.Contains(b.textOf(`[data-err-for="e.name"]`), "unexpected token") {
		t.Fatalf("the refused save:\n%s", page)
	}
	b.shoot("mapping-refused")
	if e.flowField(t, flowID, "mapping") != before {
		t.Fatal("a broken mapping was saved")
	}
}

// exportImport exports the integration and imports it into a fresh
// appliance, which then has the same flows.
func (b *browser) exportImport(t *testing.T, e *env, source supplierSource, flowID string) {
	integID := e.flowField(t, flowID, "integration")
	b.open("/integrations/" + integID + "/flows/new?dir=ba&entity=stock")
	b.shoot("flow-new")
	var yaml string
	b.run("exporting", chromedp.Evaluate(`fetch("/integrations/`+integID+`/export.yaml").then(r => r.text())`, &yaml,
		func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if !strings.Contains(yaml, "switchboard: 1") || (source.secret != "" && strings.Contains(yaml, "PRIVATE KEY")) {
		t.Fatalf("the export:\n%s", yaml)
	}
	fresh := newEnv(t, false, false)
	srv := httptest.NewServer(fresh.mux)
	t.Cleanup(srv.Close)
	b.base = srv.URL
	b.open("/login")
	b.submit("signing in to the fresh appliance", map[string]string{"#email": "admin@example.com", "#password": password}, "button.primary")
	b.open("/integrations/import")
	b.submit("reading the file", map[string]string{"#yaml": yaml}, `button.primary`)
	fields := map[string]string{}
	if source.secret != "" {
		fields[`[id="c.a.s.private_key"]`] = source.secret
	}
	b.shoot("import")
	b.submit("importing", fields, `button[value="import"]`)
	integ, err := e.app.FindRecordById("integrations", integID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := flowsOf(t, fresh, integ.GetString("name")), flowsOf(t, e, integ.GetString("name")); got != want {
		t.Fatalf("the imported flows\n%s\nwant\n%s", got, want)
	}
}

func dbxStatus(s string) dbx.HashExp { return dbx.HashExp{"status": s} }
