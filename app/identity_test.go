package app

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/memory"
)

// plainTarget is a memory store that cannot look records up by key, as
// most file targets cannot: only xrefs keep it from duplicating records.
type plainTarget struct {
	connectors.Connector
	connectors.Writer
}

var plainSpec = func() connectors.Spec {
	s := memory.Spec
	s.Name, s.Title, s.Webhooks, s.Reads = "plainstore", "Plain store", false, nil
	return s
}()

func newPlainTarget(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	conn, err := memory.New(cfg, env)
	if err != nil {
		return nil, err
	}
	return plainTarget{Connector: conn, Writer: conn.(connectors.Writer)}, nil
}

// recreateFlow deletes the flow and saves a new one with the same fields.
func (fe *flowEnv) recreateFlow(t *testing.T) {
	t.Helper()
	fields := map[string]any{}
	for _, name := range []string{"integration", "name", "entity", "source", "target", "enabled", "schedule"} {
		fields[name] = fe.flow.Get(name)
	}
	if err := fe.app.Delete(fe.flow); err != nil {
		t.Fatal(err)
	}
	fe.flow = newRecord(t, fe.app, "flows", fields)
}

// TestRecreatedFlowUpdatesInsteadOfDuplicating: the target ids a flow
// learnt outlive it, so its successor updates the same records.
func TestRecreatedFlowUpdatesInsteadOfDuplicating(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.retarget(t, plainSpec, newPlainTarget, "plain-recreate")
	target := memory.Open("plain-recreate")
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.source.Add(connectors.Product, "p2", product("SKU-2", "Table"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 2})

	fe.recreateFlow(t)
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Armchair"))
	fe.run(t)
	// The new flow reads everything again: what its predecessor wrote is
	// unchanged, and the changed record updates the same target record.
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1, StatusSkipped: 2})
	if target.Len() != 2 {
		t.Fatalf("the target holds %d records after the flow was recreated, want 2", target.Len())
	}
}

// TestFailedTransactionsOutliveTheirFlow: deleting a flow takes its
// finished transactions with it and keeps the failed ones, named, until
// they are resolved; they cannot run again.
func TestFailedTransactionsOutliveTheirFlow(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.target.FailNext(connectors.Permanent(errString("the shop refused it")))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusFailed: 1})
	fe.source.Add(connectors.Product, "p2", product("SKU-2", "Table"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusFailed: 1, StatusSucceeded: 1})
	name := fe.flow.GetString("name")
	if err := fe.app.Delete(fe.flow); err != nil {
		t.Fatal(err)
	}
	left, err := fe.app.FindAllRecords("transactions")
	if err != nil || len(left) != 1 {
		t.Fatalf("%d transactions left (%v), want the failed one", len(left), err)
	}
	tx := left[0]
	if tx.GetString("status") != StatusFailed || tx.GetString("flow") != "" || tx.GetString("flow_name") != name {
		t.Fatalf("left %s with flow %q, flow name %q", tx.GetString("status"), tx.GetString("flow"), tx.GetString("flow_name"))
	}
	if n, _ := fe.sb.engine.Retry(dbx.HashExp{"id": tx.Id}); n != 0 {
		t.Fatal("a transaction of a deleted flow went back to the inbox")
	}
	xrefs, _ := fe.app.CountRecords("xrefs")
	if xrefs != 1 {
		t.Fatalf("%d xrefs left, want the succeeded record's", xrefs)
	}
}

func TestRetryOfATransactionWithoutItsFlowSaysWhy(t *testing.T) {
	scenario{name: "retrying a transaction of a deleted flow is refused with the reason", as: "operator",
		method: http.MethodPost, url: txPath("/retry"), status: 409, want: []string{`was deleted`, `resolve it instead`},
		seed: func(t testing.TB, env *testEnv) {
			seedFailed(t, env)
			flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
			if err := env.app.Delete(flow); err != nil {
				t.Fatal(err)
			}
		}}.run(t)
}

// TestAStockFlowFindsTheProductIDs: xrefs belong to the two connections,
// so a writer of one entity finds the target ids another flow gave
// records of another entity.
func TestAStockFlowFindsTheProductIDs(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
	productID := lastWrite(fe.target).ID

	stock := newRecord(t, fe.app, "flows", map[string]any{"integration": fe.flow.GetString("integration"), "name": "stock",
		"entity": "stock", "source": fe.flow.GetString("source"), "target": fe.flow.GetString("target"), "enabled": true, "schedule": ""})
	rt, err := fe.sb.engine.runtime(stock.Id)
	if err != nil {
		t.Fatal(err)
	}
	got, found, err := rt.xrefs(fe.app).TargetIDByKey(context.Background(), connectors.Product, "SKU-1")
	if err != nil || !found || got != productID {
		t.Fatalf("stock flow finds product SKU-1 as %q, %v, %v; want %q", got, found, err, productID)
	}
	got, found, _ = rt.xrefs(fe.app).TargetID(context.Background(), connectors.Product, "p1")
	if !found || got != productID {
		t.Fatalf("by source id: %q, %v", got, found)
	}
	if _, found, _ := rt.xrefs(fe.app).TargetIDByKey(context.Background(), connectors.Product, "SKU-404"); found {
		t.Fatal("an unknown SKU was found")
	}
}

// TestARecordTheTargetHasIsUpdatedNotDuplicated: with no xref, a target
// that finds records by key is asked first.
func TestARecordTheTargetHasIsUpdatedNotDuplicated(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.target.Add(connectors.Product, "made-by-hand", product("SKU-1", "Chair"))
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Armchair"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
	if fe.target.Len() != 1 || lastWrite(fe.target).ID != "made-by-hand" {
		t.Fatalf("target holds %d records, last written %q; want the one made by hand, updated", fe.target.Len(), lastWrite(fe.target).ID)
	}
}

// TestLongKeysStayApart: two records whose ids and keys are 600 bytes
// long and differ only at their end are two records of the target, each
// updated in its own place, not one link that the later write takes over.
func TestLongKeysStayApart(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.retarget(t, plainSpec, newPlainTarget, "plain-long-keys")
	target := memory.Open("plain-long-keys")
	long := strings.Repeat("x", 599)
	for i, name := range []string{"Chair", "Armchair"} {
		fe.source.Add(connectors.Product, long+"1", product("SKU"+long[3:]+"1", name+" 1"))
		fe.source.Add(connectors.Product, long+"2", product("SKU"+long[3:]+"2", name+" 2"))
		fe.run(t)
		fe.waitStatuses(t, map[string]int{StatusSucceeded: 2 * (i + 1)})
	}
	if target.Len() != 2 {
		t.Fatalf("the target holds %d records, want 2", target.Len())
	}
	for _, w := range target.Log()[2:] {
		rec, _ := target.Get(connectors.Product, w.ID)
		sku, _ := rec["sku"].(string)
		if want := "Armchair " + sku[len(sku)-1:]; rec["name"] != want {
			t.Fatalf("target record %s (SKU ending %q) is named %q, want %q", w.ID, sku[len(sku)-4:], rec["name"], want)
		}
	}
	stored := map[string]bool{}
	for _, w := range target.Log() {
		stored[w.ID] = true
	}
	if len(stored) != 2 {
		t.Fatalf("the writes went to %d target records, want 2", len(stored))
	}
}
