package ui

import (
	"net/http"
	"net/url"
	"testing"
)

// TestIntegrationForm: an editor creates an integration of two
// connections; a missing name or the same connection twice is refused at
// its field, and nothing is saved.
func TestIntegrationForm(t *testing.T) {
	e := newEnv(t, false, true)
	c := e.as("editor")
	mustContain(t, "the new integration form", c.get("/integrations/new"), `name="a"`, "Demo supplier (CSV)", "Start the wizard")
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"no name", url.Values{"a": {e.demo.SupplierID}, "b": {e.demo.ShopID}}, "Cannot be empty."},
		{"one connection twice", url.Values{"name": {"Twice"}, "a": {e.demo.SupplierID}, "b": {e.demo.SupplierID}}, "must differ from the first connection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.fingerprint()
			rec := c.post("/integrations", tc.form)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422", rec.Code)
			}
			mustContain(t, "the refused form", rec, tc.want, `class="field has-error"`)
			if e.fingerprint() != before {
				t.Fatal("a refused integration was saved")
			}
		})
	}
	rec := c.post("/integrations", url.Values{"name": {"Shop NL"}, "a": {e.demo.ShopID}, "b": {e.demo.SupplierID}, "enabled": {"on"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("creating = %d: %s", rec.Code, truncated(body(rec)))
	}
	saved, err := e.app.FindFirstRecordByData("integrations", "name", "Shop NL")
	if err != nil || saved.GetString("a") != e.demo.ShopID || !saved.GetBool("enabled") {
		t.Fatalf("the integration: %v %v", saved, err)
	}
	if rec := c.post("/integrations/"+saved.Id, url.Values{"name": {"Shop BE"}, "a": {e.demo.ShopID}, "b": {e.demo.SupplierID}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("renaming = %d", rec.Code)
	}
	if again, _ := e.app.FindRecordById("integrations", saved.Id); again.GetString("name") != "Shop BE" || again.GetBool("enabled") {
		t.Fatalf("after the change: %s, enabled %v", again.GetString("name"), again.GetBool("enabled"))
	}
}

// TestFlowForm: a new flow's form shows the options of its source for
// reading and of its target for writing, generated from their flow
// fields; the options are stored where the engine reads them, and a bad
// option or schedule is refused at its field with nothing saved.
func TestFlowForm(t *testing.T) {
	e := newEnv(t, false, true)
	c := e.as("editor")
	page := c.get("/integrations/" + e.demo.IntegrationID + "/flows/new?entity=stock")
	mustContain(t, "the new flow form", page, `name="o.source.pattern"`, `name="o.target.file_name"`, `name="o.full_feed"`,
		"Reading from Local folder", "Writing to Local folder", `value="stock"`)
	mustNotContain(t, "the new flow form", page, `name="o.source.file_name"`, `name="o.target.pattern"`)

	form := url.Values{"dir": {"ab"}, "entity": {"stock"}, "name": {"Stock"}, "schedule": {"@every 5m"}, "enabled": {"on"},
		"o.source.pattern": {"["}, "o.target.format": {"xml"}, "o.full_feed": {"on"}}
	before := e.fingerprint()
	rec := c.post("/integrations/"+e.demo.IntegrationID+"/flows", form)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a bad pattern = %d, want 422", rec.Code)
	}
	mustContain(t, "the refused flow", rec, `id="o-source-pattern"`, "syntax error in pattern", `selected>xml<`)
	if e.fingerprint() != before {
		t.Fatal("a refused flow was saved")
	}
	form.Set("o.source.pattern", "stock-*.csv")
	if rec := c.post("/integrations/"+e.demo.IntegrationID+"/flows", form); rec.Code != http.StatusSeeOther {
		t.Fatalf("creating = %d: %s", rec.Code, truncated(body(rec)))
	}
	flow, err := e.app.FindFirstRecordByData("flows", "name", "Stock")
	if err != nil {
		t.Fatal(err)
	}
	var opts struct {
		FullFeed bool           `json:"full_feed"`
		Source   map[string]any `json:"source"`
		Target   map[string]any `json:"target"`
	}
	if err := flow.UnmarshalJSONField("options", &opts); err != nil {
		t.Fatal(err)
	}
	if !opts.FullFeed || opts.Source["pattern"] != "stock-*.csv" || opts.Target["format"] != "xml" || flow.GetString("source") != e.demo.SupplierID {
		t.Fatalf("stored options %+v, source %s", opts, flow.GetString("source"))
	}

	edit := c.get("/flows/" + flow.Id + "/edit")
	mustContain(t, "the flow's settings", edit, `value="stock-*.csv"`, `name="o.full_feed" checked`)
	before = e.fingerprint()
	bad := url.Values{"name": {"Stock"}, "schedule": {"custom"}, "custom": {"every tuesday"}, "o.source.pattern": {"stock-*.csv"}}
	if rec := c.post("/flows/"+flow.Id, bad); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a bad schedule = %d", rec.Code)
	} else {
		mustContain(t, "the refused schedule", rec, "use a cron expression", `value="every tuesday"`)
	}
	if e.fingerprint() != before {
		t.Fatal("a refused schedule was saved")
	}
}

// TestMultiLineSecretsAreTextAreas: a secret of several lines (an SFTP
// private key) is typed into a text area: a one-line password field
// would take its line breaks out and break the key.
func TestMultiLineSecretsAreTextAreas(t *testing.T) {
	e := newEnv(t, false, false)
	page := e.as("editor").get("/connections/new?connector=sftp")
	mustContain(t, "the SFTP form", page, `<textarea id="f-private_key" name="f.private_key"`, `type="password" id="f-password"`)
	mustNotContain(t, "the SFTP form", page, `type="password" id="f-private_key"`)
}

// TestFlowFormSavedUnchangedKeepsItsOptions: a flow's settings form saved
// without a change stores the options it had, and no more: an option the
// form shows at its default is not stored, so the default still applies
// (and a later default with it).
func TestFlowFormSavedUnchangedKeepsItsOptions(t *testing.T) {
	e := newEnv(t, false, true)
	c := e.as("editor")
	before, _ := e.app.FindRecordById("flows", e.demo.FlowID)
	path := "/flows/" + e.demo.FlowID
	form := shownForm(t, body(c.get(path+"/edit")), path)
	if rec := c.post(path, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("saving = %d: %s", rec.Code, truncated(body(rec)))
	}
	after, _ := e.app.FindRecordById("flows", e.demo.FlowID)
	if got, want := after.GetString("options"), before.GetString("options"); got != want {
		t.Errorf("the options saved unchanged became\n%s\nwant\n%s", got, want)
	}
}
