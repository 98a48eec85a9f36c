package app

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/pocketbase/dbx"
)

// walCheckpointEvery is how often the checkpointer copies the databases'
// write-ahead logs into their files while they are written. A copy ends
// with an fsync of the log and one of the database, which take under a
// millisecond on a quiet disk and from 10 to hundreds of milliseconds on a
// virtual disk that busy neighbours share: made by the writer at the end
// of a commit (as SQLite does by itself), every webhook call waits for
// them. Made here, on a connection of its own, they hold up no commit, and
// at this pace the writer's own copy (walCheckpointPages) has little left
// to do. When a pass finds nothing to copy the next waits twice as long,
// up to walCheckpointIdle: an idle appliance looks once a second, and a
// second of the webhook benchmark's load (about 14,000 pages) fills less
// of the log than walCheckpointPages.
const (
	walCheckpointEvery = 200 * time.Millisecond
	walCheckpointIdle  = time.Second
)

// walDatabase is one of the databases whose log the checkpointer copies.
type walDatabase struct {
	name    string // the metrics' label: "data" or "auxiliary"
	db      dbx.Builder
	copied  int    // frames of the log already copied, at the last pass
	lastErr string // the last error logged, so that one that lasts is logged once
}

// checkpointLoop copies the write-ahead logs of the data and auxiliary
// databases until the engine stops, on a reading connection: a PASSIVE
// checkpoint copies what it can without waiting for the writer, and never
// makes the writer wait.
func (e *Engine) checkpointLoop() {
	dbs := []*walDatabase{
		{name: "data", db: e.app().ConcurrentDB()},
		{name: "auxiliary", db: e.app().AuxConcurrentDB()},
	}
	wait := walCheckpointEvery
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-timer.C:
		}
		copied := 0
		for _, d := range dbs {
			copied += e.checkpointLogged(d)
		}
		wait = nextCheckpointWait(wait, copied)
		timer.Reset(wait)
	}
}

// nextCheckpointWait is the wait before the next pass, after one that
// waited wait and copied copied frames.
func nextCheckpointWait(wait time.Duration, copied int) time.Duration {
	if copied > 0 {
		return walCheckpointEvery
	}
	return min(2*wait, walCheckpointIdle)
}

// checkpointLogged checkpoints d, logs an error unless it is the one
// logged at d's last pass, and returns the frames it copied.
func (e *Engine) checkpointLogged(d *walDatabase) int {
	n, err := e.checkpoint(d)
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if msg != "" && msg != d.lastErr {
		e.logger().Warn("copying the write-ahead log into the database", slog.String("database", d.name),
			slog.String("error", msg))
	}
	d.lastErr = msg
	return n
}

// checkpoint copies d's log into its file as far as no reader still
// needs it, counts the frames it copied and the time it took, and returns
// the frames.
func (e *Engine) checkpoint(d *walDatabase) (int, error) {
	start := time.Now()
	var busy, frames, copied int
	if err := d.db.NewQuery("PRAGMA wal_checkpoint(PASSIVE)").Row(&busy, &frames, &copied); err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	n := framesCopied(d.copied, frames, copied)
	if copied >= 0 { // -1: not checkpointed this time (another checkpoint was under way)
		d.copied = copied
	}
	if n > 0 {
		e.sb.metrics.checkpointed(d.name, n, time.Since(start))
	}
	return n, nil
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
