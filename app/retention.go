package app

import (
	"log/slog"
	"time"

	"github.com/pocketbase/dbx"
)

// replayWindow is how long webhook deliveries are remembered: a call whose
// delivery id or content was seen within it is not stored again. It is as
// long as apps retry a delivery (and as transient failures are retried);
// deliveries older than it are pruned.
const replayWindow = 72 * time.Hour

// retentionChunk bounds each delete, so writers are not stalled.
const retentionChunk = 1000

// retentionLoop removes finished activity older than the retention, every
// hour and once at start. Failed transactions stay until resolved.
func (e *Engine) retentionLoop() {
	e.prune(time.Now())
	ticker := time.NewTicker(time.Hour)
	defer ticker.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case now := <-ticker.C:
			e.prune(now)
		}
	}
}

// pruneTransactionsSQL deletes finished transactions last updated before
// the cutoff. A transaction is created before it is updated, so they are
// read from the time index's range before the cutoff, not from the whole
// table, which a delete would read while it holds the writer.
const pruneTransactionsSQL = `DELETE FROM transactions WHERE id IN (SELECT id FROM transactions
	WHERE created < {:cutoff} AND updated < {:cutoff} AND status IN ('succeeded', 'skipped', 'resolved') LIMIT {:n})`

// pruneRunsSQL deletes runs finished before the cutoff that no transaction
// refers to any more. A run's transactions are created while it runs (a
// webhook run's until its end, give or take a commit), so they are looked
// for in the time index between its start and a day after its end (or
// everywhere after its start, if its end cannot be read), not in the whole
// table for each run.
const pruneRunsSQL = `DELETE FROM runs WHERE id IN (SELECT r.id FROM runs r WHERE r.finished != '' AND r.finished < {:cutoff}
	AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.created >= r.started
		AND t.created < COALESCE(strftime('%Y-%m-%d %H:%M:%fZ', r.finished, '+1 day'), '9') AND t.run = r.id) LIMIT {:n})`

func (e *Engine) prune(now time.Time) {
	kept := dbx.Params{"cutoff": sqlTime(now.Add(-e.retention())), "n": retentionChunk}
	seen := dbx.Params{"cutoff": sqlTime(now.Add(-replayWindow)), "before": idTime(now.Add(-replayWindow)),
		"future": idTime(now.Add(time.Hour)), "n": retentionChunk}
	steps := []struct {
		what, sql string
		params    dbx.Params
	}{
		{"transactions", pruneTransactionsSQL, kept},
		{"runs", pruneRunsSQL, kept},
		// A delivery's id begins with its time (ids.go): the primary key
		// finds those older than the window (migration 1765900180). One
		// stored through the API has a random id, nearly always past every
		// id made so far (the second step), or before the window (kept
		// until its time has passed too).
		{"deliveries", `DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries
			WHERE id < {:before} AND created < {:cutoff} LIMIT {:n})`, seen},
		{"deliveries with random ids", `DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries
			WHERE id > {:future} AND created < {:cutoff} LIMIT {:n})`, seen},
	}
	for _, s := range steps {
		for e.ctx.Err() == nil {
			res, err := e.app().DB().NewQuery(s.sql).Bind(s.params).Execute()
			if err != nil {
				e.logger().Error("pruning old activity", slog.String("what", s.what), slog.String("error", err.Error()))
				break
			}
			if n, _ := res.RowsAffected(); n < retentionChunk {
				break
			}
		}
	}
}
