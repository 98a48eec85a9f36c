package pb_migrations

import (
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// TestTransactionInputsGoWithTheirTransactions: the input kept apart for
// an unfinished transaction is deleted with it, however it is deleted;
// going down puts the inputs back into the payloads of their
// transactions.
func TestTransactionInputsGoWithTheirTransactions(t *testing.T) {
	app := appBefore(t, "1766200060_transaction_inputs.go")
	migrateUp(t, app)
	for _, id := range []string{"tx0000000000001", "tx0000000000002"} {
		exec(t, app, `INSERT INTO transactions (id, flow, status, payloads, created, updated)
			VALUES ({:id}, 'f1', 'pending', '', '2026-12-01 10:00:00.000Z', '2026-12-01 10:00:00.000Z')`, dbx.Params{"id": id})
		exec(t, app, `INSERT INTO transaction_inputs (id, input) VALUES ({:id}, '{"input":{"id":"o1"}}')`, dbx.Params{"id": id})
	}
	exec(t, app, `DELETE FROM transactions WHERE id = 'tx0000000000001'`, nil)
	var left []string
	if err := app.DB().NewQuery(`SELECT id FROM transaction_inputs`).Column(&left); err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != "tx0000000000002" {
		t.Fatalf("inputs left %v; want the one of the transaction not deleted", left)
	}
	if err := transactionInputsDown(app); err != nil {
		t.Fatal(err)
	}
	var payloads string
	if err := app.DB().NewQuery(`SELECT payloads FROM transactions WHERE id = 'tx0000000000002'`).Row(&payloads); err != nil {
		t.Fatal(err)
	}
	if payloads != `{"input":{"id":"o1"}}` {
		t.Errorf("after going down the payloads are %q; want the input", payloads)
	}
}

func exec(t *testing.T, app core.App, sql string, params dbx.Params) {
	t.Helper()
	if _, err := app.DB().NewQuery(sql).Bind(params).Execute(); err != nil {
		t.Fatal(err)
	}
}
