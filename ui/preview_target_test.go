package ui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/memory"
)

// TestRulesPreviewShowsTheTargetsCurrentRecord: for a record the target
// has, the preview shows the fields the write would change in it.
func TestRulesPreviewShowsTheTargetsCurrentRecord(t *testing.T) {
	e := newEnv(t, false, false)
	save := func(collection string, fields map[string]any) *core.Record {
		t.Helper()
		col, _ := e.app.FindCollectionByNameOrId(collection)
		rec := core.NewRecord(col)
		for k, v := range fields {
			rec.Set(k, v)
		}
		if err := e.app.Save(rec); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	memory.Open("ui-diff-src").Add(connectors.Product, "p1", map[string]any{"sku": "SKU-1", "name": "Chair", "status": "active"})
	src := save("connections", map[string]any{"name": "Catalogue", "connector": "memory", "config": map[string]any{"store": "ui-diff-src"}})
	dst := save("connections", map[string]any{"name": "Shop", "connector": "memory", "config": map[string]any{"store": "ui-diff-dst"}})
	integ := save("integrations", map[string]any{"name": "Catalogue <-> Shop", "a": src.Id, "b": dst.Id, "enabled": true})
	flow := save("flows", map[string]any{"integration": integ.Id, "name": "products", "entity": "product",
		"source": src.Id, "target": dst.Id, "enabled": true, "schedule": ""})
	if _, err := e.sb.Engine().RunFlow(flow.Id, "manual"); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the product in the shop", func() bool { return memory.Open("ui-diff-dst").Len() == 1 })
	e.waitFor("its xref", func() bool { n, _ := e.app.CountRecords("xrefs"); return n == 1 })

	c := e.as("editor")
	c.header.Set("Accept", "application/json")
	rec := c.post("/flows/"+flow.Id+"/rules/preview", url.Values{"sample": {"paste"},
		"sample_json": {`{"sku": "SKU-1", "name": "Armchair", "status": "active"}`}})
	var ans livePreview
	if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("preview = %d %v: %s", rec.Code, err, truncated(body(rec)))
	}
	for _, want := range []string{"data-preview-target", "<code>name</code>", "Chair", "Armchair"} {
		if !strings.Contains(ans.HTML, want) {
			t.Fatalf("the preview lacks %q:\n%s", want, ans.HTML)
		}
	}
}
