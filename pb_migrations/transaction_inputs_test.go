package pb_migrations

import (
	"fmt"
	"testing"

	"github.com/pocketbase/dbx"
)

// TestTransactionInputsLeaveWithTheirOutcome: after the migration an input
// kept beside its transaction goes when the transaction's payloads are
// written or the transaction is deleted; a transaction stored before keeps
// its input in its row; the downgrade puts kept inputs back in their rows.
func TestTransactionInputsLeaveWithTheirOutcome(t *testing.T) {
	app := appBefore(t, "1765900120_transaction_inputs.go")
	exec := func(sql string, params dbx.Params) {
		t.Helper()
		if _, err := app.DB().NewQuery(sql).Bind(params).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	insert := func(id, payloads string) {
		exec(`INSERT INTO transactions (id, flow, status, payloads, created, updated)
			VALUES ({:id}, 'f1', 'pending', {:payloads}, '', '')`, dbx.Params{"id": id, "payloads": payloads})
	}
	insert("tx0000000000old", `{"input":{"n":0}}`)
	migrateUp(t, app)
	for _, id := range []string{"tx00000000000a1", "tx00000000000a2", "tx00000000000a3"} {
		insert(id, "")
		exec(`INSERT INTO _tx_inputs (tx, payloads) VALUES ({:id}, '{"input":{}}')`, dbx.Params{"id": id})
	}
	exec(`UPDATE transactions SET status = 'running' WHERE id = 'tx00000000000a1'`, nil)
	exec(`UPDATE transactions SET payloads = 'd1:x' WHERE id = 'tx00000000000a2'`, nil)
	exec(`DELETE FROM transactions WHERE id = 'tx00000000000a3'`, nil)
	var kept []string
	if err := app.DB().NewQuery(`SELECT tx FROM _tx_inputs ORDER BY tx`).Column(&kept); err != nil {
		t.Fatal(err)
	}
	if len(kept) != 1 || kept[0] != "tx00000000000a1" {
		t.Fatalf("inputs kept for %v; want only the unfinished tx00000000000a1", kept)
	}

	if err := transactionInputsDown(app); err != nil {
		t.Fatalf("downgrading: %v", err)
	}
	var payloads []string
	if err := app.DB().NewQuery(`SELECT payloads FROM transactions ORDER BY id`).Column(&payloads); err != nil {
		t.Fatal(err)
	}
	if want := `[{"input":{}} d1:x {"input":{"n":0}}]`; fmt.Sprint(payloads) != want {
		t.Fatalf("after the downgrade the payloads are %v; want %s", payloads, want)
	}
}
