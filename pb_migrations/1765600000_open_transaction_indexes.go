package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(openTransactionIndexesUp, openTransactionIndexesDown)
}

// openStatuses is the condition of the partial indexes of unfinished
// transactions. A query uses such an index only when its WHERE clause has
// this very term, so the engine's claim carries it as it is written here
// (openStatuses in app/inbox.go).
// It has no parentheses: PocketBase's reading of an index definition takes
// the columns up to the last closing parenthesis.
const openStatuses = "status = 'pending' OR status = 'retrying' OR status = 'running'"

// openTransactionIndexesUp narrows the indexes that only the engine's
// claims read, due transactions and open lanes, to unfinished
// transactions: a finished one leaves them instead of being moved inside
// them, so they hold the backlog, not the history, and each outcome
// costs two index entries fewer.
func openTransactionIndexesUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId("transactions")
	if err != nil {
		return err
	}
	c.RemoveIndex("idx_tx_due")
	c.RemoveIndex("idx_tx_flow_lane")
	c.AddIndex("idx_tx_due_open", false, "flow, status, next_attempt", openStatuses)
	c.AddIndex("idx_tx_lane_open", false, "flow, lane", openStatuses)
	return save(app, c)
}

func openTransactionIndexesDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId("transactions")
	if err != nil {
		return err
	}
	c.RemoveIndex("idx_tx_due_open")
	c.RemoveIndex("idx_tx_lane_open")
	c.AddIndex("idx_tx_due", false, "flow, status, next_attempt", "")
	c.AddIndex("idx_tx_flow_lane", false, "flow, lane, status", "")
	return save(app, c)
}
