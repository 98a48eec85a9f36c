package app

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/pocketbase/dbx"
)

// walCheckpointEvery is how often the checkpointer copies the databases'
// write-ahead logs into their files. A copy ends with an fsync of the log
// and one of the database, which take 10 ms on a quiet virtual disk and
// hundreds on a busy one: made by the writer at the end of a commit (as
// SQLite does by itself), every webhook call waits for them. Made here, on
// a connection of its own, they hold up no commit, and at this pace the
// writer's own copy (walCheckpointPages) has little left to do.
const walCheckpointEvery = 200 * time.Millisecond

// walDatabase is one of the databases whose log the checkpointer copies.
type walDatabase struct {
	name    string // the metrics' label: "data" or "auxiliary"
	db      dbx.Builder
	copied  int    // frames of the log already copied, at the last pass
	lastErr string // the last error logged, so that one that lasts is logged once
}

// checkpointLoop copies the write-ahead logs of the data and auxiliary
// databases every walCheckpointEvery until the engine stops, on a reading
// connection: a PASSIVE checkpoint copies what it can without waiting for
// the writer, and never makes the writer wait.
func (e *Engine) checkpointLoop() {
	dbs := []*walDatabase{
		{name: "data", db: e.app().ConcurrentDB()},
		{name: "auxiliary", db: e.app().AuxConcurrentDB()},
	}
	tick := time.NewTicker(walCheckpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-tick.C:
		}
		for _, d := range dbs {
			e.checkpointLogged(d)
		}
	}
}

// checkpointLogged checkpoints d and logs an error unless it is the one
// logged at d's last pass.
func (e *Engine) checkpointLogged(d *walDatabase) {
	err := e.checkpoint(d)
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if msg != "" && msg != d.lastErr {
		e.logger().Warn("copying the write-ahead log into the database", slog.String("database", d.name),
			slog.String("error", msg))
	}
	d.lastErr = msg
}

// checkpoint copies d's log into its file as far as no reader still
// needs it, and counts the frames it copied and the time it took.
func (e *Engine) checkpoint(d *walDatabase) error {
	start := time.Now()
	var busy, frames, copied int
	if err := d.db.NewQuery("PRAGMA wal_checkpoint(PASSIVE)").Row(&busy, &frames, &copied); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	n := framesCopied(d.copied, frames, copied)
	if copied >= 0 { // -1: not checkpointed this time (another checkpoint was under way)
		d.copied = copied
	}
	if n > 0 {
		e.sb.metrics.checkpointed(d.name, n, time.Since(start))
	}
	return nil
}

// framesCopied is how many frames a checkpoint copied, from the frames
// copied before it (before) and after it (copied) in a log of frames
// frames. A log that started again from its beginning in between holds
// only frames copied since.
func framesCopied(before, frames, copied int) int {
	switch {
	case frames <= 0 || copied <= 0:
		return 0
	case copied < before:
		return copied
	default:
		return copied - before
	}
}
