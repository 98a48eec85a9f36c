package ui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
