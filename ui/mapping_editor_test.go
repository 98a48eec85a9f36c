package ui

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/mappings"
)

// demoMappingForm is the demo flow's read mapping as its editor submits
// it, with changes.
func demoMappingForm(changes map[string]string) url.Values {
	form := url.Values{"dir": {"in"}, "e.sku": {"trim(Artikelnummer)"}, "e.name": {"trim(Omschrijving)"},
		"e.gtin": {"trim(EAN)"}, "e.prices.cost": {"Prijs"}, "e.prices.currency": {`"EUR"`}, "e.stock_quantity": {"Voorraad"}}
	for k, v := range changes {
		form.Set(k, v)
	}
	return form
}

// TestMappingEditorShowsFieldsDefaultsAndSample: the editor lists every
// canonical field with its type and documentation and the flow's own
// expression, and offers the sample's native fields and the functions.
func TestMappingEditorShowsFieldsDefaultsAndSample(t *testing.T) {
	e := newEnv(t, false, true)
	page := e.as("editor").get("/flows/" + e.demo.FlowID + "/mapping")
	mustContain(t, "the mapping editor", page, `name="e.sku" value="trim(Artikelnummer)"`, `name="e.prices.list"`,
		`data-insert="Artikelnummer"`, `data-insert="round_to("`, "round_to(1.03, 0.05)", "Stock keeping unit",
		"As it would be written", `data-live-preview=`)
	out := e.as("editor").get("/flows/" + e.demo.FlowID + "/mapping?dir=out")
	mustContain(t, "the write side", out, `name="at.0" value="SKU"`, `name="ae.0" value="sku"`, `data-insert="prices.list"`)
	// The picker's buttons insert with the page's script only: without it
	// they are shown as names, off, and the functions' Insert is hidden.
	mustContain(t, "the picker without the script", page, `data-insert="Artikelnummer" disabled>`,
		`data-insert="round_to(" hidden>`)
}

// TestMappingPreviewShowsTheUnsavedMapping: the preview runs the mapping
// as the form has it, before it is saved, and puts an expression's error
// at its field; nothing is saved.
func TestMappingPreviewShowsTheUnsavedMapping(t *testing.T) {
	e := newEnv(t, false, true)
	c := e.as("editor")
	c.header.Set("Accept", "application/json")
	before := e.fingerprint()
	preview := func(changes map[string]string) livePreview {
		t.Helper()
		rec := c.post("/flows/"+e.demo.FlowID+"/mapping/preview", demoMappingForm(changes))
		var ans livePreview
		if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("preview = %d %v: %s", rec.Code, err, truncated(body(rec)))
		}
		return ans
	}
	ans := preview(map[string]string{"e.name": "upper(trim(Omschrijving))", "sample": "paste",
		"sample_json": `{"Artikelnummer": "GT-1", "Omschrijving": "Tuinstoel Eik", "Prijs": "10.00", "EAN": "", "Voorraad": "3"}`})
	if !strings.Contains(ans.HTML, "TUINSTOEL EIK") || !strings.Contains(ans.HTML, "12.00") || len(ans.Errors) != 0 {
		t.Fatalf("the preview of the unsaved mapping:\n%s\nerrors %v", ans.HTML, ans.Errors)
	}
	ans = preview(map[string]string{"e.name": "trim(Omschrijving"})
	if msg := ans.Errors["e.name"]; !strings.Contains(msg, "unexpected token") {
		t.Fatalf("the broken expression's error at its field: %v", ans.Errors)
	}
	if e.fingerprint() != before {
		t.Fatal("a preview changed the data")
	}
}

// TestMappingSave: a mapping that compiles is saved, only on its side;
// one that does not is refused with the error at the field, and nothing
// is saved.
func TestMappingSave(t *testing.T) {
	e := newEnv(t, false, true)
	c := e.as("editor")
	before := e.fingerprint()
	rec := c.post("/flows/"+e.demo.FlowID+"/mapping", demoMappingForm(map[string]string{"e.name": "trim(Omschrijving"}))
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a broken expression = %d, want 422", rec.Code)
	}
	mustContain(t, "the refused mapping", rec, "Not saved", `value="trim(Omschrijving"`, "unexpected token")
	if e.fingerprint() != before {
		t.Fatal("a refused mapping was saved")
	}
	rec = c.post("/flows/"+e.demo.FlowID+"/mapping", demoMappingForm(map[string]string{"e.name": "upper(trim(Omschrijving))",
		"at.0": "attributes.supplier", "ae.0": `"Groothandel"`}))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("saving = %d: %s", rec.Code, truncated(body(rec)))
	}
	flow, _ := e.app.FindRecordById("flows", e.demo.FlowID)
	var m struct {
		In  []map[string]any `json:"in"`
		Out []map[string]any `json:"out"`
	}
	if err := flow.UnmarshalJSONField("mapping", &m); err != nil {
		t.Fatal(err)
	}
	got, docs := map[string]any{}, map[string]any{}
	for _, f := range m.In {
		got[f["target"].(string)], docs[f["target"].(string)] = f["expr"], f["doc"]
	}
	if got["name"] != "upper(trim(Omschrijving))" || got["attributes.supplier"] != `"Groothandel"` || len(m.In) != 7 {
		t.Fatalf("saved read mapping %v", m.In)
	}
	if len(m.Out) != 6 || docs["prices.cost"] == nil {
		t.Fatalf("the write side or a field's note was lost: %v / %v", m.Out, m.In)
	}
}

// TestMappingPreviewFetchesFromTheSource: the preview's sample can come
// from the source now, which leaves the record to be read.
func TestMappingPreviewFetchesFromTheSource(t *testing.T) {
	e := newEnv(t, false, true)
	flow, _ := e.app.FindRecordById("flows", e.demo.FlowID)
	flow.Set("enabled", false) // no scheduled run takes the feed meanwhile
	if err := e.app.Save(flow); err != nil {
		t.Fatal(err)
	}
	inbox := filepath.Join(e.app.DataDir(), "files", "demo", "supplier", "inbox")
	if err := os.WriteFile(filepath.Join(inbox, "new.csv"), []byte("Artikelnummer;Omschrijving;Prijs;Voorraad;EAN\nNW-1;Nieuwe bank;100,00;2;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := e.as("editor")
	c.header.Set("Accept", "application/json")
	rec := c.post("/flows/"+e.demo.FlowID+"/mapping/preview", demoMappingForm(map[string]string{"sample": "source"}))
	var ans livePreview
	if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil || !strings.Contains(ans.HTML, "Nieuwe bank") {
		t.Fatalf("%d %v: %s", rec.Code, err, ans.HTML)
	}
	if _, err := os.Stat(filepath.Join(inbox, "new.csv")); err != nil {
		t.Fatalf("the sampled feed was moved: %v", err)
	}
}

// TestMappingPreviewOnARecordPickedInActivity: the failed transaction's
// page links to the editor with its record as the sample, which the
// preview runs on.
func TestMappingPreviewOnARecordPickedInActivity(t *testing.T) {
	e := newEnv(t, false, true)
	c := e.as("editor")
	tx := e.failedTx()
	link := "/flows/" + e.demo.FlowID + "/mapping?sample=tx:" + tx.Id
	mustContain(t, "the transaction's page", c.get("/activity/"+tx.Id), `href="`+link+`"`)
	page := c.get(link)
	mustContain(t, "the editor on that record", page, `value="tx:`+tx.Id+`" selected`, "twelve", `cannot parse &#34;twelve&#34; as decimal`)
}

// TestMappingRowsSaveWhatTheyShow: the mapping editor shows a flow's own
// fields as rows and, submitted unchanged, saves them as they were: a list
// the flow adds (an each no default has, as a target without a default
// write mapping needs for its lines) stays a list with its elements'
// fields and documentation, a list of its own in place of a default list
// shows the default's element fields it lacks as left out, and a list
// inside a list stays a list when the outer list's source is changed.
func TestMappingRowsSaveWhatTheyShow(t *testing.T) {
	defaults := []mappings.Field{
		{Target: "sku", Expr: "sku"},
		{Target: "variations", Each: "variants", Fields: []mappings.Field{
			{Target: "sku", Expr: "item.sku"},
			{Target: "attributes", Each: "keys(item.options)", Fields: []mappings.Field{{Target: "name", Expr: "item"}}},
		}},
	}
	for _, tc := range []struct {
		name     string
		dir      mappings.Direction
		defaults []mappings.Field
		own      string            // the flow's own fields, JSON
		changes  map[string]string // what the form changes
		want     string            // saved again, JSON; "" when the same as own
	}{
		{"a list the flow adds", mappings.Out, nil,
			`[{"target":"items","each":"lines","fields":[{"target":"sku","expr":"item.sku","doc":"the line's SKU"},` +
				`{"target":"tags","each":"item.tags","fields":[{"target":"name","expr":"item"}]}],"doc":"order lines"},` +
				`{"target":"number","expr":"number"}]`, nil, ""},
		{"an element's field of a default list", mappings.Out, defaults, `[{"target":"variations.sku","expr":"lower(item.sku)"}]`, nil, ""},
		{"a list of the flow's own in place of a default list", mappings.Out, defaults,
			`[{"target":"variations","each":"variants","fields":[{"target":"sku","expr":"item.code"}]}]`, nil, ""},
		{"a default list's source changed in the form", mappings.Out, defaults, `[]`, map[string]string{"e.variations": "variants ?? []"},
			`[{"target":"variations","each":"variants ?? []","fields":[{"target":"sku","expr":"item.sku"},` +
				`{"target":"attributes","each":"keys(item.options)","fields":[{"target":"name","expr":"item"}]}]}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var own []mappings.Field
			if err := json.Unmarshal([]byte(tc.own), &own); err != nil {
				t.Fatal(err)
			}
			side := mapSide{Dir: tc.dir, Defaults: tc.defaults, Own: own}
			rows := side.rows(app.ModelEntity{})
			form := url.Values{}
			for _, r := range rows { // the form as the page shows it
				if r.Added {
					form.Set(r.TargetInput, r.Path)
				}
				form.Set(r.Input, r.Own)
				if r.Drop {
					form.Set(r.DropInput, "on")
				}
			}
			for k, v := range tc.changes {
				form.Set(k, v)
			}
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			got, _ := json.Marshal(overrides(readRows(req, rows)))
			want := tc.want
			if want == "" {
				want = tc.own
			}
			if string(got) != want {
				t.Errorf("saved as\n%s\nwant\n%s", got, want)
			}
		})
	}
}
