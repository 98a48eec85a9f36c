package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(statusIndexesNotRunningUp, statusIndexesNotRunningDown)
}

// indexedStatuses is the condition of the status indexes of Activity:
// every status but running, which a transaction only passes through. A
// query for one of these statuses, `status = 'failed'` or
// `status = {:status}`, uses the indexes as it is; a query for several
// must ask for each (SQLite does not see that an IN list implies the
// condition). Kept as app/inbox.go's indexedStatuses. No parentheses: see
// openStatuses.
const indexedStatuses = "status = 'pending' OR status = 'succeeded' OR status = 'failed' OR " +
	"status = 'skipped' OR status = 'retrying' OR status = 'resolved'"

// statusIndexesNotRunningUp leaves running transactions out of Activity's
// two status indexes. A transaction entered them pending, moved inside
// them when claimed (running) and again with its outcome: five B-tree
// writes in each. It now leaves them when claimed and enters them again
// with its outcome; one claimed as it is stored (app/handoff.go) enters
// them once.
func statusIndexesNotRunningUp(app core.App) error {
	return redefineStatusIndexes(app, indexedStatuses)
}

func statusIndexesNotRunningDown(app core.App) error {
	return redefineStatusIndexes(app, "")
}

func redefineStatusIndexes(app core.App, where string) error {
	c, err := app.FindCollectionByNameOrId("transactions")
	if err != nil {
		return err
	}
	c.RemoveIndex("idx_tx_flow_status_created")
	c.RemoveIndex("idx_tx_status_created")
	c.AddIndex("idx_tx_flow_status_created", false, "flow, status, created DESC, id DESC", where)
	c.AddIndex("idx_tx_status_created", false, "status, created DESC, id DESC", where)
	return save(app, c)
}
