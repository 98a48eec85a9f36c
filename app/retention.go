package app

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// replayWindow is how long webhook deliveries are remembered: a call whose
// delivery id or content was seen within it is not stored again. It is as
// long as apps retry a delivery (and as transient failures are retried);
// deliveries older than it are pruned.
const replayWindow = 72 * time.Hour

// retentionChunk bounds each delete, so writers are not stalled.
const retentionChunk = 1000

// retentionLoop removes finished activity older than the retention, every
// hour, once at start and when a shorter retention is saved. Failed
// transactions stay until resolved.
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
		case <-e.pruneNow:
			e.prune(time.Now())
		}
	}
}

// pruneSoon asks retentionLoop for a pass now: a retention shortened on
// the Settings page takes effect at once, not at the next hourly pass.
func (e *Engine) pruneSoon() {
	select {
	case e.pruneNow <- struct{}{}:
	default: // a pass is asked for already
	}
}

// pruneTransactionsSQL deletes finished transactions last updated before
// the cutoff. A transaction is created before it is updated, and its id
// begins with its creation time (ids.go): they are read from the primary
// key's range before the cutoff, not from the whole table, which a delete
// would read while it holds the writer.
const pruneTransactionsSQL = `DELETE FROM transactions WHERE id IN (SELECT id FROM transactions
	WHERE id < {:before} AND created < {:cutoff} AND updated < {:cutoff} AND status IN ('succeeded', 'skipped', 'resolved') LIMIT {:n})`

// pruneRandomTransactionsSQL deletes, as pruneTransactionsSQL does, those
// stored through the API with a random id, which nearly always sorts past
// every id made from a time so far.
const pruneRandomTransactionsSQL = `DELETE FROM transactions WHERE id IN (SELECT id FROM transactions
	WHERE id > {:future} AND created < {:cutoff} AND updated < {:cutoff} AND status IN ('succeeded', 'skipped', 'resolved') LIMIT {:n})`

// pruneDeliveriesSQL forgets the webhook deliveries seen before the
// cutoff (Unix milliseconds), through the index of their times.
const pruneDeliveriesSQL = `DELETE FROM seen_deliveries WHERE key IN (SELECT key FROM seen_deliveries
	WHERE seen < {:cutoff} LIMIT {:n})`

func (e *Engine) prune(now time.Time) {
	future := idTime(now.Add(time.Hour)) // random ids sort past it
	kept := dbx.Params{"cutoff": sqlTime(now.Add(-e.retention())), "before": idTime(now.Add(-e.retention())),
		"future": future, "n": retentionChunk}
	seen := dbx.Params{"cutoff": now.Add(-replayWindow).UnixMilli(), "n": retentionChunk}
	steps := []struct {
		what, sql string
		params    dbx.Params
	}{
		{"transactions", pruneTransactionsSQL, kept},
		{"transactions with random ids", pruneRandomTransactionsSQL, kept},
		{"deliveries", pruneDeliveriesSQL, seen},
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
	if err := e.pruneRuns(now.Add(-e.retention()), future); err != nil {
		e.logger().Error("pruning old activity", slog.String("what", "runs"), slog.String("error", err.Error()))
	}
}

// deleteRunSQL deletes a run unless a transaction refers to it, looking
// for one in the range of ids its transactions were made in (runIDRange)
// and among the random ids.
const deleteRunSQL = `DELETE FROM runs WHERE id = {:run} AND NOT EXISTS (SELECT 1 FROM transactions
	WHERE (id >= {:from} AND id < {:until} OR id > {:future}) AND run = {:run})`

// finishedRun is a run that pruneRuns may delete.
type finishedRun struct {
	ID       string `db:"id"`
	Started  string `db:"started"`
	Finished string `db:"finished"`
}

// pruneRuns deletes runs finished before the cutoff that no transaction
// refers to any more, a chunk of runs at a time. A run's transactions are
// created while it runs (a webhook run's until its end, give or take a
// commit), so they are looked for in the primary key's range from its
// start to a day after its end (or everywhere after its start, if its end
// cannot be read), and among the random ids, not in the whole table.
func (e *Engine) pruneRuns(cutoff time.Time, future string) error {
	after := ""
	for e.ctx.Err() == nil {
		var runs []finishedRun
		err := e.app().DB().NewQuery(`SELECT id, started, finished FROM runs WHERE id > {:after}
			AND finished != '' AND finished < {:cutoff} ORDER BY id LIMIT {:n}`).
			Bind(dbx.Params{"after": after, "cutoff": sqlTime(cutoff), "n": retentionChunk}).All(&runs)
		if err != nil || len(runs) == 0 {
			return err
		}
		if err := e.deleteUnreferencedRuns(runs, future); err != nil {
			return err
		}
		after = runs[len(runs)-1].ID
	}
	return nil
}

// deleteUnreferencedRuns deletes those of runs that no transaction refers
// to, in one write.
func (e *Engine) deleteUnreferencedRuns(runs []finishedRun, future string) error {
	return e.app().RunInTransaction(func(tx core.App) error {
		for _, r := range runs {
			from, until := runIDRange(r)
			_, err := tx.DB().NewQuery(deleteRunSQL).Bind(dbx.Params{"run": r.ID, "from": from, "until": until, "future": future}).Execute()
			if err != nil {
				return fmt.Errorf("deleting run %s: %w", r.ID, err)
			}
		}
		return nil
	})
}

// runIDRange is the range of ids that a run's transactions were made in:
// from its start to a day after its end.
func runIDRange(r finishedRun) (from, until string) {
	from, until = "", "~" // after every id
	if started, err := time.Parse(types.DefaultDateLayout, r.Started); err == nil {
		from = idTime(started)
	}
	if finished, err := time.Parse(types.DefaultDateLayout, r.Finished); err == nil {
		until = idTime(finished.Add(24 * time.Hour))
	}
	return from, until
}
