package ui

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// flowsOf describes an integration's flows by what makes them the same
// anywhere: name, data, schedule, switch, options, mapping and rules.
func flowsOf(t *testing.T, e *env, integration string) string {
	t.Helper()
	integ, err := e.app.FindFirstRecordByData("integrations", "name", integration)
	if err != nil {
		t.Fatal(err)
	}
	flows, _ := e.app.FindRecordsByFilter("flows", "integration = {:id}", "name", 0, 0, map[string]any{"id": integ.Id})
	var out []string
	for _, f := range flows {
		out = append(out, strings.Join([]string{f.GetString("name"), f.GetString("entity"), f.GetString("schedule"),
			f.GetString("options"), f.GetString("mapping"), f.GetString("rules")}, " | "))
	}
	return strings.Join(out, "\n")
}

// TestExportThenImportInAFreshAppliance: the demo integration, exported
// from the UI, imported into another appliance through the UI, gives
// the same flows; the import first shows what it will create.
func TestExportThenImportInAFreshAppliance(t *testing.T) {
	src := newEnv(t, false, true)
	rec := src.as("editor").get("/integrations/" + src.demo.IntegrationID + "/export.yaml")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Disposition"), "demo-supplier-shop.yaml") {
		t.Fatalf("export = %d %s", rec.Code, rec.Header().Get("Content-Disposition"))
	}
	file := body(rec)

	dst := newEnv(t, false, false)
	c := dst.as("editor")
	plan := c.post("/integrations/import", url.Values{"do": {"plan"}, "yaml": {file}})
	mustContain(t, "what the import creates", plan, "Demo supplier (CSV)", "Demo shop (XML)", "Demo: products to the shop",
		`name="c.a.name"`, `value="import"`)
	if n, _ := dst.app.CountRecords("connections"); n != 0 {
		t.Fatal("showing the plan created connections")
	}
	done := c.post("/integrations/import", url.Values{"do": {"import"}, "yaml": {file}, "name": {"Demo: supplier -> shop"},
		"c.a.name": {"Demo supplier (CSV)"}, "c.b.name": {"Demo shop (XML)"}})
	if done.Code != http.StatusSeeOther {
		t.Fatalf("import = %d: %s", done.Code, truncated(body(done)))
	}
	if got, want := flowsOf(t, dst, "Demo: supplier -> shop"), flowsOf(t, src, "Demo: supplier -> shop"); got != want {
		t.Fatalf("imported flows\n%s\nwant\n%s", got, want)
	}
	again := c.post("/integrations/import", url.Values{"do": {"import"}, "yaml": {file}, "name": {"Demo: supplier -> shop"}})
	if again.Code != http.StatusUnprocessableEntity {
		t.Fatalf("importing the same names again = %d", again.Code)
	}
	mustContain(t, "the refused import", again, "Nothing was imported", "Is in use already")
}

// TestImportRefusesAlertAddressesThatAreNone: a file whose alert
// addresses are none (one exported by a version that did not check them)
// is refused, and the page says which address, not only that the import
// was refused.
func TestImportRefusesAlertAddressesThatAreNone(t *testing.T) {
	src := newEnv(t, false, true)
	integ, err := src.app.FindRecordById("integrations", src.demo.IntegrationID)
	if err != nil {
		t.Fatal(err)
	}
	integ.Set("alert_emails", "ops at example.com")
	if err := src.app.SaveNoValidate(integ); err != nil {
		t.Fatal(err)
	}
	file := body(src.as("editor").get("/integrations/" + src.demo.IntegrationID + "/export.yaml"))
	dst := newEnv(t, false, false)
	rec := dst.as("editor").post("/integrations/import", url.Values{"do": {"import"}, "yaml": {file}, "name": {"Imported"},
		"c.a.name": {"Supplier"}, "c.b.name": {"Shop"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("import = %d: %s", rec.Code, truncated(body(rec)))
	}
	mustContain(t, "the refused import", rec, "Nothing was imported", "&#34;ops at example.com&#34; is not an e-mail address")
	if n, _ := dst.app.CountRecords("integrations"); n != 0 {
		t.Fatalf("a refused import left %d integrations", n)
	}
}

// TestRefusedImportAsksForTheSecretsAgain: a refused import cannot show
// the secrets typed (no secret goes into a page), so it says at each
// that what was typed was not saved.
func TestRefusedImportAsksForTheSecretsAgain(t *testing.T) {
	file := `switchboard: 1
integration: {name: Supplier to shop, enabled: false}
connections:
  - ref: a
    name: Supplier
    connector: sftp
    config: {host: sftp.supplier.example, port: 22, username: shop}
    secrets: [password]
  - ref: b
    name: Shop
    connector: folder
    config: {folder: ../outside}
flows:
  - name: Products
    entity: product
    source: a
    target: b
    schedule: '@every 5m'
`
	e := newEnv(t, false, false)
	rec := e.as("editor").post("/integrations/import", url.Values{"do": {"import"}, "yaml": {file}, "name": {"Supplier to shop"},
		"c.a.name": {""}, "c.a.s.password": {"typed-0123456789"}, "c.b.name": {"Shop"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("import = %d: %s", rec.Code, truncated(body(rec)))
	}
	mustContain(t, "the refused import", rec, "Nothing was imported", "was not saved: type it again")
	mustNotContain(t, "the refused import", rec, "typed-0123456789")
}

// TestImportSaysWhenTheFileIsTooLarge: an uploaded file over the import's
// limit is refused saying so and naming the limit, not as if no file were
// chosen; an empty upload still asks for a file.
func TestImportSaysWhenTheFileIsTooLarge(t *testing.T) {
	e := newEnv(t, false, false)
	ed := e.as("editor")
	for _, tc := range []struct {
		name, content, want string
	}{
		{"too large", "switchboard: 1\n# " + strings.Repeat("x", maxImportFile), "larger than 4 MB"},
		{"empty", "", "Choose a file, or paste one."},
	} {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField(csrfField, testCSRF)
		part, _ := w.CreateFormFile("file", "integration.yaml")
		_, _ = part.Write([]byte(tc.content))
		_ = w.Close()
		req := httptest.NewRequest(http.MethodPost, "/integrations/import", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		rec := ed.do(req)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", tc.name, rec.Code)
		}
		mustContain(t, tc.name, rec, tc.want)
	}
}
