package app

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors/memory"
)

// sharedFolderFlow is one of several flows reading one folder connection,
// each into a memory store of its own.
type sharedFolderFlow struct {
	flow   *core.Record
	target *memory.Store
}

// newSharedFolderFlows saves one folder connection on "in" and a flow
// from it per entry of options, each to its own memory store, and starts
// the engine.
func newSharedFolderFlows(t *testing.T, env *testEnv, options ...map[string]any) []sharedFolderFlow {
	t.Helper()
	env.sb.engine.cfg = fastEngine.withDefaults()
	src := env.saveConnection(t, "Drop", "folder", map[string]any{"folder": "in"}, nil)
	var out []sharedFolderFlow
	for i, opts := range options {
		store := fmt.Sprintf("shared-%d", storeSeq.Add(1))
		dst := env.saveConnection(t, fmt.Sprintf("Target %d", i), "memory", map[string]any{"store": store}, nil)
		integ := newRecord(t, env.app, "integrations", map[string]any{"name": fmt.Sprintf("Files %d", i),
			"a": src.Id, "b": dst.Id, "enabled": true})
		flow := newRecord(t, env.app, "flows", map[string]any{"integration": integ.Id, "name": fmt.Sprintf("files %d", i),
			"entity": "product", "source": src.Id, "target": dst.Id, "enabled": true, "schedule": "", "options": opts})
		out = append(out, sharedFolderFlow{flow: flow, target: memory.Open(store)})
	}
	if err := env.sb.engine.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.sb.engine.Stop)
	return out
}

// settled reports whether every transaction of a flow has finished.
func settled(t testing.TB, env *testEnv, flowID string) bool {
	t.Helper()
	n, err := env.app.CountRecords("transactions", dbx.HashExp{"flow": flowID, "status": []any{StatusPending, StatusRunning, StatusRetrying}})
	if err != nil {
		t.Fatal(err)
	}
	return n == 0
}

// skus lists the SKUs a memory store holds, sorted.
func skus(s *memory.Store) string {
	var out []string
	for _, w := range s.Log() {
		out = append(out, fmt.Sprint(w.Data["sku"]))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// TestTwoFlowsOnOneFolderReadOnlyTheirOwnFiles: the pattern and the
// sub-folder are the flow's, so two flows on one folder connection each
// read their own files and leave the other's alone.
func TestTwoFlowsOnOneFolderReadOnlyTheirOwnFiles(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string // path in the connection's folder -> CSV
		options []map[string]any
		want    []string
	}{
		{"by pattern",
			map[string]string{"orders-1.csv": "sku,name\nA1,Chair\nA2,Table\n", "stock-1.csv": "sku,name\nB1,Bench\n"},
			[]map[string]any{
				{"source": map[string]any{"pattern": "orders-*.csv", "key_field": "sku"}},
				{"source": map[string]any{"pattern": "stock-*.csv", "key_field": "sku"}},
			},
			[]string{"A1,A2", "B1"}},
		{"by sub-folder",
			map[string]string{"shop/1.csv": "sku,name\nS1,Stool\n", "erp/1.csv": "sku,name\nE1,Lamp\nE2,Rug\n",
				"top.csv": "sku,name\nT1,Sofa\n"},
			[]map[string]any{
				{"source": map[string]any{"sub_folder": "shop", "key_field": "sku"}},
				{"source": map[string]any{"sub_folder": "erp", "key_field": "sku"}},
			},
			[]string{"S1", "E1,E2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			root, err := CreateFilesDir(env.app.DataDir())
			if err != nil {
				t.Fatal(err)
			}
			for name, body := range tt.files {
				writeFile(t, filepath.Join(root, "in", name), body)
			}
			flows := newSharedFolderFlows(t, env, tt.options...)
			for i, f := range flows {
				run := (&fileFlow{env: env, flow: f.flow, target: f.target}).finishedRun(t)
				if msg := run.GetString("error"); msg != "" {
					t.Fatalf("flow %d: run error %q", i, msg)
				}
				if n := run.GetInt("read"); n != len(strings.Split(tt.want[i], ",")) {
					t.Errorf("flow %d read %d records, want %s", i, n, tt.want[i])
				}
				eventually(t, fmt.Sprintf("flow %d's records written", i), func() bool { return settled(t, env, f.flow.Id) })
			}
			for i, f := range flows {
				if got := skus(f.target); got != tt.want[i] {
					t.Errorf("flow %d wrote %q, want %q", i, got, tt.want[i])
				}
			}
		})
	}
}

// TestFileFlowOptionsAreCheckedWhenSaved: a flow's options under
// "source" and "target" must fit the file connectors' flow fields for
// reading and for writing, and pass their checks; what does not is refused
// with a 400 naming the option.
func TestFileFlowOptionsAreCheckedWhenSaved(t *testing.T) {
	const flowsURL = "/api/collections/flows/records"
	optionErr := func(path ...string) string {
		return `"options":{"` + strings.Join(path, `":{"`) + `":{"code":"validation_invalid_option"`
	}
	post := func(name, options string, status int, want ...string) scenario {
		return scenario{name: name, as: "editor", method: http.MethodPost, url: fixed(flowsURL), status: status, want: want,
			seed:   seedFolderIntegration(nil, [2]string{"in", "out"}),
			bodyOf: func(env *testEnv) string { return folderFlowBody(t, env, options) }}
	}
	scenarios := []scenario{
		post("good options are kept as given", `{"ordered":true,"source":{"pattern":"*.csv","sub_folder":"orders"},"target":{"format":"xml"}}`, 200,
			`"options":{"ordered":true,"source":{"pattern":"*.csv","sub_folder":"orders"},"target":{"format":"xml"}}`),
		post("an unknown option of the source", `{"source":{"colour":"red"}}`, 400, optionErr("source", "colour"), "Unknown field."),
		post("a writing option under the source", `{"source":{"file_name":"x.csv"}}`, 400, optionErr("source", "file_name"),
			"Is an option for writing, where the connection is the flow's target, not its source."),
		post("a reading option under the target", `{"target":{"pattern":"*.csv"}}`, 400, optionErr("target", "pattern"),
			"Is an option for reading"),
		post("a value not among the choices", `{"target":{"format":"pdf"}}`, 400, optionErr("target", "format"), "Must be one of csv, xml, json, ndjson"),
		post("the connector's own check", `{"source":{"pattern":"["}}`, 400, optionErr("source", "pattern"), "syntax error in pattern"),
		post("every bad option of both connections is named at once", `{"source":{"pattern":"[","claim_timeout":"0s"},"target":{"file_name":"../{key}"}}`, 400,
			optionErr("source", "claim_timeout"), `"pattern":{"code":"validation_invalid_option"`,
			`"target":{"file_name":{"code":"validation_invalid_option"`),
	}
	for _, sc := range scenarios {
		sc.run(t)
	}
}

// TestConnectorsListTheirFlowFields: GET /api/switchboard/connectors
// lists each spec's flow fields with their use.
func TestConnectorsListTheirFlowFields(t *testing.T) {
	sc := scenario{name: "flow fields in the specs", as: "viewer", method: http.MethodGet, url: fixed("/api/switchboard/connectors"),
		status: 200, want: []string{`"flow_fields":[{"name":"sub_folder","title":"Sub-folder","type":"string","default":".",`,
			`"use":["read","write"]`, `{"name":"pattern","title":"File pattern","type":"string","default":"*",`, `"use":["read"]`,
			`"name":"file_name"`, `"use":["write"]`}}
	sc.run(t)
}
