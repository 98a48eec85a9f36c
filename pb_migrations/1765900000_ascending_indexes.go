package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(ascendingIndexesUp, ascendingIndexesDown)
}

// attentionStatuses is the condition of Activity's status indexes after
// this migration: the statuses a transaction stays in for a while or ends
// in when it needs someone's attention. Succeeded ones, nearly all of the
// history, are found newest first through the time indexes, where they
// are nearly every row; running ones through the indexes of unfinished
// ones. Kept as app/inbox.go's indexedStatuses. No parentheses: see
// openStatuses.
const attentionStatuses = "status = 'pending' OR status = 'failed' OR status = 'skipped' OR " +
	"status = 'retrying' OR status = 'resolved'"

// timeIndexes are the transactions' indexes in creation order, with their
// columns before the time; the status indexes are partial, on the
// statuses each version of the migration gives.
var timeIndexes = []txIndex{
	{"idx_tx_created", "", false},
	{"idx_tx_flow_created", "flow, ", false},
	{"idx_tx_key", "key, ", false},
	{"idx_tx_flow_status_created", "flow, status, ", true},
	{"idx_tx_status_created", "status, ", true},
}

// ascendingIndexesUp stores the transactions' time indexes in ascending
// order and keeps succeeded transactions out of the status indexes.
//
// An index whose time was declared descending took each new transaction
// at its left end, where SQLite splits a full page in two half-full ones
// and never fills them again: each of the five indexes took about twice
// its bytes. Ascending, a new entry is appended at the right end, which
// SQLite packs full; queries read the index backwards for newest first, as
// cheaply. And a succeeded transaction, which nobody filters Activity for
// among the others, is no longer written into two more indexes with its
// outcome.
func ascendingIndexesUp(app core.App) error {
	return redefineTimeIndexes(app, "", attentionStatuses)
}

func ascendingIndexesDown(app core.App) error {
	return redefineTimeIndexes(app, " DESC", indexedStatuses)
}

// redefineTimeIndexes makes the time indexes again with the time and id
// in the order given, the status indexes with the condition given.
func redefineTimeIndexes(app core.App, order, statuses string) error {
	return swapTransactionIndexes(app, timeIndexes, timeIndexes, "created"+order+", id"+order, statuses)
}
