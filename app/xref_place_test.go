package app

import (
	"path/filepath"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/memory"
)

// twinFlow saves a second flow like the env's, with its own options, and
// returns it.
func (fe *flowEnv) twinFlow(t *testing.T, name string, options map[string]any) *core.Record {
	t.Helper()
	fields := map[string]any{"name": name, "options": options}
	for _, f := range []string{"integration", "entity", "source", "target", "enabled", "schedule"} {
		fields[f] = fe.flow.Get(f)
	}
	return newRecord(t, fe.app, flowsCollection, fields)
}

// TestFlowsIntoTwoFoldersOfOneConnectionBothWrite: two flows of one entity
// from one source to one file connection, each into its own sub-folder,
// both write every record: a record the first wrote into its folder is not
// "unchanged" for the second, whose folder has never had it.
func TestFlowsIntoTwoFoldersOfOneConnectionBothWrite(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	shop := fe.writeFolder(t, "shop", map[string]any{"sub_folder": "a"})
	b := fe.twinFlow(t, "flow b", map[string]any{"target": map[string]any{"format": "ndjson", "sub_folder": "b"}})
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.source.Add(connectors.Product, "p2", product("SKU-2", "Table"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 2})
	publishedSKUs(t, filepath.Join(shop, "a"), 2)

	fe.flow = b
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 2})
	seen, _ := publishedSKUs(t, filepath.Join(shop, "b"), 2)
	if seen["SKU-1"] != 1 || seen["SKU-2"] != 1 {
		t.Fatalf("folder b holds %v, want SKU-1 and SKU-2 once each", seen)
	}
}

// TestTwoFlowsBetweenTheSameAppsShareIdentity: flows between the same two
// API connections (a webhook flow and a scheduled one, say) share the
// record links, so that a record one created is updated by the other, not
// created a second time.
func TestTwoFlowsBetweenTheSameAppsShareIdentity(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.retarget(t, plainSpec, newPlainTarget, "plain-twins")
	target := memory.Open("plain-twins")
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})

	fe.flow = fe.twinFlow(t, "flow b", map[string]any{})
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Armchair"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
	if target.Len() != 1 {
		t.Fatalf("the target holds %d records after a second flow wrote the record again, want 1", target.Len())
	}
}
