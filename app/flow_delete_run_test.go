package app

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestAFlowDeletedDuringItsRunStoresNothingMore: a run that reads a page
// after its flow was deleted stores none of it: no transaction that no
// flow would claim, Activity would show under no flow and nobody could
// retry or resolve, and no cursor of a flow that is gone.
func TestAFlowDeletedDuringItsRunStoresNothingMore(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	for i := range 3 {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%d", i), "Chair"))
	}
	release := fe.source.Hold()
	defer release()
	if _, err := fe.sb.engine.RunFlow(fe.flow.Id, TriggerManual); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the run to read its first page", func() bool { return fe.source.Waiting() == 1 })
	if err := fe.app.Delete(fe.flow); err != nil {
		t.Fatal(err)
	}
	release()
	eventually(t, "the run to end", func() bool {
		fe.sb.engine.runs.mu.Lock()
		defer fe.sb.engine.runs.mu.Unlock()
		_, running := fe.sb.engine.runs.running[fe.flow.Id]
		return !running
	})
	for _, table := range []string{"transactions", "flow_state"} {
		var n int
		if err := fe.app.DB().NewQuery("SELECT COUNT(*) FROM " + table + " WHERE flow = {:flow}").
			Bind(dbx.Params{"flow": fe.flow.Id}).Row(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows of %s belong to the deleted flow", n, table)
		}
	}
	if got := fe.target.Len(); got != 0 {
		t.Errorf("the target has %d records of the deleted flow", got)
	}
}

// TestAFlowSwitchedOffDuringItsRunReadsNoFurther: a run whose flow, or
// its integration, is switched off while it reads stores nothing more and
// ends saying so; switched on again, the next run goes on from where it
// was and every record arrives once.
func TestAFlowSwitchedOffDuringItsRunReadsNoFurther(t *testing.T) {
	for _, which := range []string{"flows", "integrations"} {
		t.Run(which, func(t *testing.T) {
			fe := newFlowEnv(t, connectors.Product, nil)
			for i := range 3 {
				fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%d", i), "Chair"))
			}
			rec := fe.flow
			if which == "integrations" {
				rec, _ = fe.app.FindRecordById("integrations", fe.flow.GetString("integration"))
			}
			release := fe.source.Hold()
			defer release()
			run, err := fe.sb.engine.RunFlow(fe.flow.Id, TriggerManual)
			if err != nil {
				t.Fatal(err)
			}
			eventually(t, "the run to read its first page", func() bool { return fe.source.Waiting() == 1 })
			rec.Set("enabled", false)
			if err := fe.app.Save(rec); err != nil {
				t.Fatal(err)
			}
			release()
			var closed *core.Record
			eventually(t, "the run to end", func() bool {
				closed, _ = fe.app.FindRecordById("runs", run)
				return closed != nil && !closed.GetDateTime("finished").IsZero()
			})
			if got := closed.GetString("error"); got != errFlowSwitchedOff.Error() {
				t.Errorf("run error %q, want %q", got, errFlowSwitchedOff)
			}
			if got := fe.statuses(t); len(got) != 0 {
				t.Errorf("the switched-off flow stored %v", got)
			}
			rec.Set("enabled", true)
			if err := fe.app.Save(rec); err != nil {
				t.Fatal(err)
			}
			fe.run(t)
			fe.waitStatuses(t, map[string]int{StatusSucceeded: 3})
		})
	}
}

// TestAWebhookForAFlowDeletedMeanwhileIsRefused: a delivery whose flow is
// deleted between its checks and the commit of its records (a connector
// fetching the records the app named takes a while) stores nothing and is
// answered as a call to no flow, not 200 with records that no flow would
// ever take.
func TestAWebhookForAFlowDeletedMeanwhileIsRefused(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, map[string]any{"webhook": true})
	e := fe.sb.engine
	rt, err := e.runtime(fe.flow.Id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.webhookRun(fe.flow.Id); err != nil { // the hour's run, as an earlier call made it
		t.Fatal(err)
	}
	if err := fe.app.Delete(fe.flow); err != nil {
		t.Fatal(err)
	}
	records := []connectors.Record{{ID: "p1", Key: "SKU-1", Data: product("SKU-1", "Chair")}}
	if err := e.intake(rt, "", "content-1", records, func() {}); !errors.Is(err, errFlowDeleted) {
		t.Errorf("intake = %v, want errFlowDeleted", err)
	}
	var n int
	if err := fe.app.DB().NewQuery("SELECT COUNT(*) FROM transactions WHERE flow = {:flow}").
		Bind(dbx.Params{"flow": fe.flow.Id}).Row(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d transactions stored for the deleted flow", n)
	}
}
