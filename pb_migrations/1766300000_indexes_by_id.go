package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(indexesByIDUp, indexesByIDDown)
}

// idIndexes are the transactions' indexes in the order of their ids after
// this migration: their columns before the id, and whether they hold only
// the statuses that need attention (attentionStatuses).
var idIndexes = []txIndex{
	{"idx_tx_flow_id", "flow, ", false},
	{"idx_tx_key_id", "key, ", false},
	{"idx_tx_flow_status_id", "flow, status, ", true},
	{"idx_tx_status_id", "status, ", true},
}

// indexesByIDUp orders the transactions' indexes by id instead of by
// creation time. The engine makes a transaction's id from the millisecond
// it stores it at, the same as its created time (app/ids.go), so the ids
// sort as (created, id) did, and a time bound is a bound on the ids. The
// time index itself goes: the primary key reads every transaction in that
// order. Each transaction's entries lose their 24 characters of time, and
// one index entry fewer is written for each.
func indexesByIDUp(app core.App) error {
	return swapTransactionIndexes(app, timeIndexes, idIndexes, "id", attentionStatuses)
}

// indexesByIDDown makes the time indexes again.
func indexesByIDDown(app core.App) error {
	return swapTransactionIndexes(app, idIndexes, timeIndexes, "created, id", attentionStatuses)
}
