package app

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestARetryByHandDoesNotWriteOverANewerUpdate: a record's update that
// failed, retried by hand after a newer update of the same record was
// written, is not sent: it would put the older version back in the target.
// It ends skipped, naming the newer transaction.
func TestARetryByHandDoesNotWriteOverANewerUpdate(t *testing.T) {
	for _, ordered := range []bool{false, true} {
		t.Run(fmt.Sprintf("ordered=%v", ordered), func(t *testing.T) {
			fe := newFlowEnv(t, connectors.Product, map[string]any{"options": map[string]any{"ordered": ordered}})
			fe.source.Add(connectors.Product, "p1", product("SKU-1", "old name"))
			fe.target.FailNext(connectors.Permanent(errors.New("422 Unprocessable Entity: the name is refused")))
			fe.run(t)
			fe.waitStatuses(t, map[string]int{StatusFailed: 1})
			var old string
			if err := fe.app.DB().NewQuery("SELECT id FROM transactions WHERE flow = {:flow} AND status = 'failed'").
				Bind(dbx.Params{"flow": fe.flow.Id}).Row(&old); err != nil {
				t.Fatal(err)
			}
			fe.source.Add(connectors.Product, "p1", product("SKU-1", "new name"))
			fe.run(t)
			fe.waitStatuses(t, map[string]int{StatusFailed: 1, StatusSucceeded: 1})

			if _, err := fe.sb.engine.RetryTransaction(old); err != nil {
				t.Fatal(err)
			}
			fe.waitStatuses(t, map[string]int{StatusSkipped: 1, StatusSucceeded: 1})
			log := fe.target.Log()
			if last := log[len(log)-1].Data["name"]; len(log) != 1 || last != "new name" {
				t.Errorf("%d writes, the last with name %v; want the newer update's only", len(log), last)
			}
			rec, err := fe.app.FindRecordById("transactions", old)
			if err != nil {
				t.Fatal(err)
			}
			if note := rec.GetString("note"); note == "" {
				t.Error("the retried update is skipped without a note naming the newer one")
			}
		})
	}
}
