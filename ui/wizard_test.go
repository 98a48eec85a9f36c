package ui

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files"
)

// supplierFeed is a supplier's CSV feed whose columns the wizard matches
// by their names.
const supplierFeed = "sku;name;price;stock;ean;brand\n" +
	"TS-100;Garden chair;12.34;5;8712345678906;acme\n" +
	"TS-200;Garden table;99.99;2;;acme\n"

// wizardStep posts one step of the wizard and follows its redirect.
func wizardStep(t *testing.T, c *client, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	rec := c.post("/wizard", form)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("%s = %d: %s", form.Get("do"), rec.Code, truncated(body(rec)))
	}
	return c.get("/wizard")
}

// TestWizardFromNothingToARunningFlow: an editor picks the supplier's
// folder and the shop's folder from the catalogue, connects both, ticks
// products, sees the feed's columns matched, asks for XML and +10%
// rounded to 5 cents, reviews (warned while no column fills sku) and
// activates: the flow runs at once and the shop's XML has the new prices.
// The records are keyed by their SKU, and a second feed updates the
// product it repeats instead of creating it again. A draft left half way
// is found again.
func TestWizardFromNothingToARunningFlow(t *testing.T) {
	e := newEnv(t, false, false)
	root := filepath.Join(e.app.DataDir(), "files")
	for _, dir := range []string{"supplier", "shop"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "supplier", "feed.csv"), []byte(supplierFeed), 0o644); err != nil {
		t.Fatal(err)
	}
	c := e.as("editor")
	mustContain(t, "the catalogue", c.get("/wizard"), `value="sftp"`, `value="folder"`, ">SF<", "Files")
	mustNotContain(t, "the catalogue searched", c.get("/wizard?q=sftp"), `value="folder"`)

	page := wizardStep(t, c, url.Values{"do": {"pick"}, "connector": {"folder"}})
	mustContain(t, "connecting the first app", page, `name="f.folder"`, `value="Local folder"`)
	wizardStep(t, c, url.Values{"do": {"connect"}, "name": {"Supplier"}, "f.folder": {"supplier"}})
	mustContain(t, "a draft to come back to", c.get("/integrations"), "Continue the wizard")

	wizardStep(t, c, url.Values{"do": {"pick"}, "connector": {"folder"}})
	page = wizardStep(t, c, url.Values{"do": {"connect"}, "name": {"Shop"}, "f.folder": {"shop"}})
	mustContain(t, "the flows of the pair", page, `value="product:ab"`, `value="order:ba"`, "Supplier → Shop")

	page = wizardStep(t, c, url.Values{"do": {"flows"}, "flow": {"product:ab"}})
	mustContain(t, "the feed's columns, matched", page, "<code>price</code>", "<option selected>prices.list</option>",
		"<option selected>stock_quantity</option>", "<option selected>gtin</option>", `name="w.0.o.target.format"`)

	setup := url.Values{"do": {"setup"}, "name": {"Supplier ⇄ Shop"}, "w.0.name": {"Products to the shop"}, "w.0.schedule": {"@every 5m"},
		"w.0.o.source.pattern": {"*.csv"}, "w.0.o.target.format": {"xml"}, "w.0.percent": {"10"}, "w.0.round": {"0.05"},
		"w.0.o.target.neutralise_formulas": {"on"}, "w.0.o.source.header": {"on"}, "w.0.o.target.header": {"on"}}
	for j, target := range []string{"brand", "gtin", "name", "prices.list", "sku", "stock_quantity"} {
		setup.Set("w.0.m."+itoa(j), target)
	}
	setup.Set("w.0.m.4", "")
	page = wizardStep(t, c, setup)
	mustContain(t, "the review without a key", page, "No field is matched to sku", "keyed by their file and row")
	wizardStep(t, c, url.Values{"do": {"back"}})
	setup.Set("w.0.m.4", "sku")
	page = wizardStep(t, c, setup)
	mustContain(t, "the review", page, "Products to the shop", "Supplier → Shop", "10%", `value="activate"`,
		"<dt>Key</dt><dd><code>sku</code></dd>")
	mustNotContain(t, "the review", page, "keyed by their file and row")

	rec := c.post("/wizard", url.Values{"do": {"activate"}})
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/activity?integration=") {
		t.Fatalf("activate = %d %s: %s", rec.Code, rec.Header().Get("Location"), truncated(body(rec)))
	}
	e.waitFor("the first run's two products", func() bool {
		n, _ := e.app.CountRecords("transactions", dbx.HashExp{"status": "succeeded"})
		return n == 2
	})
	var xml string
	e.waitFor("the shop's XML file", func() bool {
		matches, _ := filepath.Glob(filepath.Join(root, "shop", "*.xml"))
		if len(matches) == 0 {
			return false
		}
		data, _ := os.ReadFile(matches[0])
		xml = string(data)
		return strings.Contains(xml, "TS-200")
	})
	for _, want := range []string{"<list>13.55</list>", "<list>110.00</list>", "<brand>acme</brand>"} {
		if !strings.Contains(xml, want) {
			t.Errorf("the shop's XML lacks %s:\n%s", want, xml)
		}
	}

	// The records are keyed by their SKU, so that Activity finds them by
	// it and a second feed updates them instead of creating them again.
	for _, sku := range []string{"TS-100", "TS-200"} {
		if n, _ := e.app.CountRecords("transactions", dbx.HashExp{"key": sku}); n != 1 {
			t.Errorf("%d transactions with the key %s, want 1", n, sku)
		}
	}
	mustContain(t, "Activity searched by SKU", c.get("/activity?key=TS-100"), "TS-100")
	mustNotContain(t, "Activity searched by SKU", c.get("/activity?key=TS-100"), "TS-200")
	flow, err := e.app.FindFirstRecordByData("flows", "name", "Products to the shop")
	if err != nil {
		t.Fatal(err)
	}
	feed2 := filepath.Join(root, "supplier", "feed2.csv")
	if err := os.WriteFile(feed2, []byte("sku;name;price;stock;ean;brand\nTS-100;Garden chair;20.00;4;8712345678906;acme\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	settled := time.Now().Add(-time.Hour)
	if err := os.Chtimes(feed2, settled, settled); err != nil {
		t.Fatal(err)
	}
	if rec := e.as("operator").post("/flows/"+flow.Id+"/run", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("run now = %d: %s", rec.Code, truncated(body(rec)))
	}
	e.waitFor("the second feed's product", func() bool {
		n, _ := e.app.CountRecords("transactions", dbx.HashExp{"status": "succeeded"})
		return n == 3
	})
	if n, _ := e.app.CountRecords("transactions", dbx.HashExp{"key": "TS-100"}); n != 2 {
		t.Errorf("%d transactions with the key TS-100 after the second feed, want 2", n)
	}
	xrefs, err := e.app.FindAllRecords("xrefs")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, x := range xrefs {
		ids[x.GetString("source_id")] = true
	}
	if len(xrefs) != 2 || !ids["TS-100"] || !ids["TS-200"] {
		t.Errorf("the second feed made its own xref instead of updating TS-100's: %d xrefs, source ids %v", len(xrefs), ids)
	}
	mustNotContain(t, "the integrations after activating", c.get("/integrations"), "Continue the wizard")
}

// TestWizardSetupKeysFileFlows: a flow whose source takes a key field
// (the file connectors) is keyed by the field matched to its data's
// business key (a product's sku, an order's number, a customer's email),
// so that a second file updates instead of creating again; a key field
// the user chose is kept; with no field matched to the key the review
// warns, and a source without a key field gets none. The draft's own
// options are left as the user left them.
func TestWizardSetupKeysFileFlows(t *testing.T) {
	folder, rest := files.FolderSpec(), connectors.Spec{Name: "rest"}
	for _, tc := range []struct {
		name     string
		flow     draftFlow
		pair     wizardPair
		want     string // the key field set up; "" for none
		warn     bool   // the review warns that records are keyed by file and row
		reviewed string // the key the review shows
	}{
		{"sku matched", draftFlow{Entity: "product", Forward: true, Options: map[string]any{},
			Matches: []fieldMatch{{Native: "sku", Target: "sku"}, {Native: "name", Target: "name"}}},
			wizardPair{aSpec: folder, bSpec: rest}, "sku", false, "sku"},
		{"a native column matched to sku", draftFlow{Entity: "product", Forward: true,
			Options: map[string]any{app.OptionsSource: map[string]any{"pattern": "*.csv"}, app.OptionsTarget: map[string]any{"format": "xml"}},
			Matches: []fieldMatch{{Native: "Artikelnummer", Target: "sku"}}},
			wizardPair{aSpec: folder, bSpec: folder}, "Artikelnummer", false, "Artikelnummer"},
		{"the user's own key field", draftFlow{Entity: "product", Forward: true,
			Options: map[string]any{app.OptionsSource: map[string]any{keyFieldOption: "ean"}},
			Matches: []fieldMatch{{Native: "sku", Target: "sku"}, {Native: "ean", Target: "gtin"}}},
			wizardPair{aSpec: folder, bSpec: rest}, "ean", false, "ean"},
		{"an order's number, from the second app", draftFlow{Entity: "order", Forward: false,
			Matches: []fieldMatch{{Native: "Ordernummer", Target: "number"}}},
			wizardPair{aSpec: rest, bSpec: folder}, "Ordernummer", false, "Ordernummer"},
		{"a customer's email", draftFlow{Entity: "customer", Forward: true,
			Matches: []fieldMatch{{Native: "mail", Target: "email"}}},
			wizardPair{aSpec: folder, bSpec: rest}, "mail", false, "mail"},
		{"no field matched to the key", draftFlow{Entity: "product", Forward: true,
			Matches: []fieldMatch{{Native: "sku", Target: ""}, {Native: "name", Target: "name"}}},
			wizardPair{aSpec: folder, bSpec: rest}, "", true, ""},
		{"a source without a key field", draftFlow{Entity: "product", Forward: false,
			Matches: []fieldMatch{{Native: "sku", Target: "sku"}}},
			wizardPair{aSpec: folder, bSpec: rest}, "", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := prettyJSON(tc.flow.Options)
			setup := setupOf(wizardDraft{Name: "x", Flows: []draftFlow{tc.flow}}, tc.pair)
			source, _ := setup.Flows[0].Options[app.OptionsSource].(map[string]any)
			if got, _ := source[keyFieldOption].(string); got != tc.want {
				t.Errorf("key_field %q, want %q (options %v)", got, tc.want, setup.Flows[0].Options)
			}
			for k, v := range tc.flow.Options {
				if k != app.OptionsSource && !reflect.DeepEqual(setup.Flows[0].Options[k], v) {
					t.Errorf("option %s became %v, was %v", k, setup.Flows[0].Options[k], v)
				}
			}
			if after := prettyJSON(tc.flow.Options); after != before {
				t.Errorf("the draft's options changed: %s, were %s", after, before)
			}
			if tc.want != "" {
				if _, err := tc.pair.sourceSpec(tc.flow).ResolveFlow(connectors.UseRead, source); err != nil {
					t.Errorf("the source's options do not resolve: %v", err)
				}
			}
			key, _, offered := sourceKey(tc.flow, tc.pair.sourceSpec(tc.flow))
			if key != tc.reviewed || (offered && key == "") != tc.warn {
				t.Errorf("the review shows key %q (offered %v), want %q, warning %v", key, offered, tc.reviewed, tc.warn)
			}
		})
	}
}

// TestWizardKeepsShowingASavedSecret: a connection the wizard saved but
// whose test failed is shown again with its secret marked as set, so the
// user corrects the address without typing the password again (the field
// is not required then).
func TestWizardKeepsShowingASavedSecret(t *testing.T) {
	e := newEnv(t, false, false)
	c := e.as("editor")
	wizardStep(t, c, url.Values{"do": {"pick"}, "connector": {"sftp"}})
	rec := c.post("/wizard", url.Values{"do": {"connect"}, "name": {"Supplier SFTP"}, "f.host": {"127.0.0.1"}, "f.port": {"1"},
		"f.username": {"feeds"}, "f.password": {"pw-0123456789"}})
	page := body(rec)
	if rec.Code == http.StatusSeeOther {
		page = body(c.get("/wizard"))
	}
	label, _, _ := strings.Cut(page[strings.Index(page, `for="f-password"`)+1:], "</label>")
	if !strings.Contains(label, "(set)") {
		t.Fatalf("after a failed test the saved password reads %q; want it marked set:\n%s", label, truncated(page))
	}
	if n, _ := e.app.CountRecords("connections", dbx.HashExp{"name": "Supplier SFTP"}); n != 1 {
		t.Fatalf("%d connections saved, want 1", n)
	}
}

// TestWizardFlowsStepNeedsAFlow: pressing Next on the flows step with no
// flow ticked says to tick one, instead of showing the same step again
// without a word.
func TestWizardFlowsStepNeedsAFlow(t *testing.T) {
	e := newEnv(t, false, false)
	for _, dir := range []string{"supplier", "shop"} {
		if err := os.MkdirAll(filepath.Join(e.app.DataDir(), "files", dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	c := e.as("editor")
	wizardStep(t, c, url.Values{"do": {"pick"}, "connector": {"folder"}})
	wizardStep(t, c, url.Values{"do": {"connect"}, "name": {"Supplier"}, "f.folder": {"supplier"}})
	wizardStep(t, c, url.Values{"do": {"pick"}, "connector": {"folder"}})
	wizardStep(t, c, url.Values{"do": {"connect"}, "name": {"Shop"}, "f.folder": {"shop"}})
	rec := c.post("/wizard", url.Values{"do": {"flows"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("no flow ticked = %d, want 422", rec.Code)
	}
	mustContain(t, "the flows step without a flow", rec, "Tick at least one flow", `value="product:ab"`)
}
