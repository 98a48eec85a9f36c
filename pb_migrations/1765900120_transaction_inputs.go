package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(transactionInputsUp, transactionInputsDown)
}

// transactionInputsUp keeps the input of an unfinished transaction beside
// its row, in the engine's own table _tx_inputs, until its outcome writes
// the transaction's payloads (the input among them, compressed).
//
// SQLite fills a page with rows as they are inserted. A transaction was
// inserted with its input as plain JSON and shrank when its outcome
// compressed it: the space it left was never used again (four rows of
// about 800 bytes to a 4 KB page, each about 600 bytes once finished).
// Inserted without its input, a row grows to its finished size with its
// outcome and SQLite packs the grown rows.
//
// Two triggers keep the table to unfinished transactions whatever writes
// them: an input goes when its transaction's payloads are written, or when
// the transaction is deleted.
func transactionInputsUp(app core.App) error {
	steps := []sqlStep{
		{"creating _tx_inputs", `CREATE TABLE IF NOT EXISTS _tx_inputs
			(tx TEXT PRIMARY KEY NOT NULL, payloads TEXT NOT NULL) WITHOUT ROWID`},
		{"creating the trigger of outcomes", `CREATE TRIGGER IF NOT EXISTS tx_inputs_written
			AFTER UPDATE OF payloads ON transactions WHEN NEW.payloads != ''
			BEGIN DELETE FROM _tx_inputs WHERE tx = NEW.id; END`},
		{"creating the trigger of deletes", `CREATE TRIGGER IF NOT EXISTS tx_inputs_deleted
			AFTER DELETE ON transactions
			BEGIN DELETE FROM _tx_inputs WHERE tx = OLD.id; END`},
	}
	return execSteps(app, steps)
}

// transactionInputsDown puts the inputs back into their transactions.
func transactionInputsDown(app core.App) error {
	steps := []sqlStep{
		{"dropping the triggers", `DROP TRIGGER IF EXISTS tx_inputs_written`},
		{"dropping the triggers", `DROP TRIGGER IF EXISTS tx_inputs_deleted`},
		{"putting inputs back", `UPDATE transactions SET payloads = (SELECT i.payloads FROM _tx_inputs i WHERE i.tx = transactions.id)
			WHERE id IN (SELECT tx FROM _tx_inputs)`},
		{"dropping _tx_inputs", `DROP TABLE IF EXISTS _tx_inputs`},
	}
	return execSteps(app, steps)
}

// sqlStep is one statement of a migration and what it does, for its error.
type sqlStep struct{ what, sql string }

// execSteps executes steps in order, naming the one that fails.
func execSteps(app core.App, steps []sqlStep) error {
	for _, s := range steps {
		if _, err := app.DB().NewQuery(s.sql).Execute(); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	return nil
}
