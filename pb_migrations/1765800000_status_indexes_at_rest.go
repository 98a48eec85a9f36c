package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(statusIndexesAtRestUp, statusIndexesAtRestDown)
}

// restStatuses is the condition of the status indexes of Activity: the
// statuses a transaction rests in (finished, or waiting for a retry), not
// those it passes through on its way (pending, running). A query for one
// of these statuses, `status = 'failed'` or `status = {:status}`, uses the
// indexes as it is; a query for several must ask for each (SQLite does not
// see that an IN list implies the condition). Kept as app/inbox.go's
// restStatuses. No parentheses: see openStatuses.
const restStatuses = "status = 'succeeded' OR status = 'failed' OR status = 'skipped' OR " +
	"status = 'retrying' OR status = 'resolved'"

// statusIndexesAtRestUp narrows Activity's two status indexes to the
// statuses a transaction rests in. A transaction entered the indexes as
// pending, moved inside them when claimed (running) and again with its
// outcome: five B-tree writes in each. It now enters them once, with its
// outcome.
func statusIndexesAtRestUp(app core.App) error {
	return redefineStatusIndexes(app, restStatuses)
}

func statusIndexesAtRestDown(app core.App) error {
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
