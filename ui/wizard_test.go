package ui

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
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
// rounded to 5 cents, reviews and activates: the flow runs at once and
// the shop's XML has the new prices. A draft left half way is found
// again.
func TestWizardFromNothingToARunningFlow(t *testing.T) {
	e := newEnv(t, false, false)
	files := filepath.Join(e.app.DataDir(), "files")
	for _, dir := range []string{"supplier", "shop"} {
		if err := os.MkdirAll(filepath.Join(files, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(files, "supplier", "feed.csv"), []byte(supplierFeed), 0o644); err != nil {
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
	page = wizardStep(t, c, setup)
	mustContain(t, "the review", page, "Products to the shop", "Supplier → Shop", "10%", `value="activate"`)

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
		matches, _ := filepath.Glob(filepath.Join(files, "shop", "*.xml"))
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
	mustNotContain(t, "the integrations after activating", c.get("/integrations"), "Continue the wizard")
}
