package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(transactionInputsUp, transactionInputsDown)
}

// transactionInputsUp keeps the input of an unfinished transaction (a
// large one: the engine decides) in a table of its own,
// transaction_inputs, until its outcome stores the payloads: a transaction's row was inserted with its input as plain
// JSON and shrank when the outcome stored the payloads compressed, and
// SQLite gives the room a row leaves to no later row (373 bytes a
// transaction of the benchmark's order, a third of the table). Rows now
// start small and grow, which SQLite packs as they grow. A trigger deletes
// an input with its transaction, whoever deletes it. Transactions stored
// before keep their input in payloads, where the engine still reads it.
func transactionInputsUp(app core.App) error {
	steps := []sqlStep{
		{"creating transaction_inputs", `CREATE TABLE IF NOT EXISTS transaction_inputs
			(id TEXT PRIMARY KEY NOT NULL, input BLOB NOT NULL) WITHOUT ROWID`},
		{"deleting inputs with their transactions", `CREATE TRIGGER IF NOT EXISTS transaction_inputs_deleted
			AFTER DELETE ON transactions BEGIN DELETE FROM transaction_inputs WHERE id = old.id; END`},
	}
	return runSteps(app, steps)
}

// transactionInputsDown puts the inputs of unfinished transactions back
// into their payloads.
func transactionInputsDown(app core.App) error {
	steps := []sqlStep{
		{"restoring inputs", `UPDATE transactions SET payloads = (SELECT i.input FROM transaction_inputs i WHERE i.id = transactions.id)
			WHERE payloads = '' AND id IN (SELECT id FROM transaction_inputs)`},
		{"dropping the trigger", `DROP TRIGGER IF EXISTS transaction_inputs_deleted`},
		{"dropping transaction_inputs", `DROP TABLE IF EXISTS transaction_inputs`},
	}
	return runSteps(app, steps)
}
