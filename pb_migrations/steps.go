package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
)

// sqlStep is one SQL statement of a migration, named by what it does.
type sqlStep struct{ what, sql string }

// runSteps runs steps in order and stops at the first that fails.
func runSteps(app core.App, steps []sqlStep) error {
	for _, s := range steps {
		if _, err := app.DB().NewQuery(s.sql).Execute(); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	return nil
}

// txIndex is one of the transactions' indexes: its name, its columns
// before the last ones that swapTransactionIndexes gives every index of a
// set, and whether it holds only the statuses given.
type txIndex struct {
	name, leading string
	byStatus      bool
}

// swapTransactionIndexes drops the transactions' indexes in drop and saves
// the collection, then makes those in add, each on its leading columns
// and columns (a status index partial on statuses), and saves it again.
func swapTransactionIndexes(app core.App, drop, add []txIndex, columns, statuses string) error {
	c, err := app.FindCollectionByNameOrId("transactions")
	if err != nil {
		return err
	}
	for _, ix := range drop {
		c.RemoveIndex(ix.name)
	}
	if err := save(app, c); err != nil {
		return err
	}
	for _, ix := range add {
		where := ""
		if ix.byStatus {
			where = statuses
		}
		c.AddIndex(ix.name, false, ix.leading+columns, where)
	}
	return save(app, c)
}
