package app

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

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
	if _, _, err := insertTransactions(nil, fe.app, items, t0); err != nil {
		t.Fatal(err)
	}
	lease := e.cfg.Lease
	got, err := claimTransactions(fe.app, 10, lease, []string{fe.flow.Id}, t0)
	if err != nil || len(got) != 2 {
		t.Fatalf("claim = %v, %v", got, err)
	}
	e.leases.holdNew(t0.Add(lease), got)
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

// TestALeaseThatRanOutIsNotProcessedTwice: when a transaction's lease ran
// out in the database while this process still holds it (its write is
// slow, and the lease loop, on a machine too busy, did not extend it in
// time), the claim that takes it up again must not hand it to a second
// worker: the record would be written twice.
func TestALeaseThatRanOutIsNotProcessedTwice(t *testing.T) {
	cfg := fastEngine
	cfg.Lease = time.Hour // the lease loop extends nothing during the test
	fe := newFlowEnvWith(t, cfg, connectors.Product, nil)
	e := fe.sb.engine
	release := fe.target.Hold()
	t.Cleanup(release)
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.run(t)
	eventually(t, "the write of SKU-1 to wait", func() bool { return fe.target.Waiting() == 1 })

	// The lease runs out in the database; the dispatcher claims SKU-1 again.
	if _, err := fe.app.DB().NewQuery(`UPDATE transactions SET next_attempt = '2000-01-01 00:00:00.000Z'
		WHERE status = 'running'`).Execute(); err != nil {
		t.Fatal(err)
	}
	e.Wake()
	eventually(t, "SKU-1 to be claimed again", func() bool {
		var n int
		_ = fe.app.DB().NewQuery("SELECT MAX(attempts) FROM transactions").Row(&n)
		return n >= 2
	})

	// A later record is claimed after that claim's dispatch, and waits too.
	fe.source.Add(connectors.Product, "p2", product("SKU-2", "Table"))
	fe.run(t)
	eventually(t, "the write of SKU-2 to wait", func() bool { return fe.target.Waiting() >= 2 })
	release()
	eventually(t, "both records to be written", func() bool {
		return fe.statuses(t)[StatusSucceeded] == 2 && e.inflight.Load() == 0
	})
	if n := fe.target.Writes(); n != 2 {
		t.Fatalf("the target took %d writes of 2 records: a held transaction was processed twice", n)
	}
}

// TestARetryClaimedAsItsOutcomeIsRecordedIsHandedOut: a claim that runs
// while a failed attempt's outcome is being recorded takes its retry up
// only once this process no longer holds the transaction. Before, a claim
// that fell between the outcome's commit and the drop of its lease took
// the due retry for the attempt still held: it left it running, in no
// worker, until its lease ran out (a buffered target's failed flush showed
// it).
func TestARetryClaimedAsItsOutcomeIsRecordedIsHandedOut(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	e := fe.sb.engine
	e.Stop() // the test claims and records itself
	rt, err := e.runtime(fe.flow.Id)
	if err != nil {
		t.Fatal(err)
	}
	items, _ := e.inboxItems(rt, "", []connectors.Record{{ID: "p1", Key: "SKU-1", Data: product("SKU-1", "Chair")}})
	t0 := time.Now()
	if _, _, err := insertTransactions(nil, fe.app, items, t0); err != nil {
		t.Fatal(err)
	}
	claims := newClaimer(fe.app)
	defer claims.close()
	first, err := e.claimDue(claims, 10, t0)
	if err != nil || len(first) != 1 {
		t.Fatalf("claim = %v, %v", first, err)
	}
	retry := outcome{tx: first[0], status: StatusRetrying, err: "timeout", class: connectors.ClassTransient,
		next: t0, encoded: first[0].Payloads}

	again := make(chan []claimed, 1)
	e.leases.record([]outcome{retry}, func() {
		if err := fe.app.RunInTransaction(func(tx core.App) error { return writeOutcomes(nil, tx, []outcome{retry}, t0) }); err != nil {
			t.Error(err)
		}
		go func() {
			got, err := e.claimDue(claims, 10, time.Now())
			if err != nil {
				t.Error(err)
			}
			again <- got
		}()
		select { // give a claim that does not wait for the drop the time to run
		case got := <-again:
			again <- got
		case <-time.After(100 * time.Millisecond):
		}
	})
	if got := <-again; len(got) != 1 || got[0].ID != first[0].ID {
		t.Fatalf("the due retry's claim handed out %v; want %s", got, first[0].ID)
	}
}
