package app

import (
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestHeldTransactionsAreNotClaimedAgain: the lease of a transaction this
// process holds (in flight, or waiting for a flush) is extended before it
// ends, so no claim takes it up however long it is held; once its outcome
// is recorded its lease is left to run out.
func TestHeldTransactionsAreNotClaimedAgain(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	e := fe.sb.engine
	e.Stop() // the test claims and extends itself, with its own clock
	rt, err := e.runtime(fe.flow.Id)
	if err != nil {
		t.Fatal(err)
	}
	items, _ := e.inboxItems(rt, "", []connectors.Record{
		{ID: "p1", Key: "SKU-1", Data: product("SKU-1", "Chair")}, {ID: "p2", Key: "SKU-2", Data: product("SKU-2", "Table")}})
	t0 := time.Now()
	if _, _, err := insertTransactions(fe.app, items, t0); err != nil {
		t.Fatal(err)
	}
	lease := e.cfg.Lease
	got, err := claimTransactions(fe.app, 10, lease, []string{fe.flow.Id}, t0)
	if err != nil || len(got) != 2 {
		t.Fatalf("claim = %v, %v", got, err)
	}
	e.leases.hold(t0.Add(lease), got)
	e.leases.drop([]outcome{{tx: got[1]}}) // the second one's outcome was recorded, the first is held
	droppedClaimed := false
	for step := 1; step <= 8; step++ { // four leases long
		now := t0.Add(time.Duration(step) * lease / 2)
		if err := e.extendLeases(now); err != nil {
			t.Fatal(err)
		}
		again, err := claimTransactions(fe.app, 10, lease, []string{fe.flow.Id}, now.Add(time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range again {
			if c.ID == got[0].ID {
				t.Fatalf("a held transaction was claimed again after %s", now.Sub(t0))
			}
			droppedClaimed = droppedClaimed || c.ID == got[1].ID
		}
	}
	if !droppedClaimed {
		t.Fatal("the transaction no longer held was not claimed again when its lease ran out")
	}
}
