package app

import (
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// A run stores each page of records it reads and, when the flow is active,
// claims them in the same SQLite transaction: they are stored running,
// leased to this process, and handed straight to the dispatcher, instead
// of being stored pending and then claimed, which wrote every row twice
// and moved it in its indexes. The rules of a claim hold: a record whose
// lane has an unfinished transaction (or an earlier record of the page)
// is stored pending and waits its turn; a handed-over record is held by
// this process from the moment it is stored, and its lease is extended
// while it waits; a stopped or killed process's records are due again at
// the next start, as any claim's are.

// claimableFlows returns the flows whose records may be claimed as they
// are stored: none unless the engine is serving, and of the others those
// whose connections are neither down nor paused (the dispatcher would not
// claim their work).
func (e *Engine) claimableFlows() []string {
	if !e.running() || e.sb.Ready() != nil {
		return nil
	}
	return e.activeFlows()
}

// claimablePage reports whether a run of the flow may claim its pages as
// it stores them.
func (e *Engine) claimablePage(rt *flowRuntime) bool {
	return slices.Contains(e.claimableFlows(), rt.flow.Id)
}

// openLanesSQL returns which of a list of lanes (textList) hold an
// unfinished transaction of a flow, through the partial index of open lanes.
const openLanesSQL = `SELECT DISTINCT lane FROM transactions WHERE flow = {:flow}
	AND lane IN (SELECT CAST(unhex(value) AS TEXT) FROM json_each({:lanes})) AND ` + openStatuses

// leaseFreeLanes gives a lease until `until` to the readable items of the
// given flows whose lane holds no unfinished transaction of their flow and
// no earlier item, and none to their other items (a retried database
// transaction decides again), reading the open lanes inside tx.
func leaseFreeLanes(w *writerStatements, tx core.App, items []inboxItem, flows []string, until time.Time) error {
	lanes := map[string][]string{}
	for _, it := range items {
		if slices.Contains(flows, it.flow) {
			lanes[it.flow] = append(lanes[it.flow], it.lane)
		}
	}
	taken := map[string]bool{} // flow + "\x00" + lane
	for flow, list := range lanes {
		open, err := openLanes(w, tx, flow, list)
		if err != nil {
			return err
		}
		for _, lane := range open {
			taken[flow+"\x00"+lane] = true
		}
	}
	for i := range items {
		if _, ok := lanes[items[i].flow]; !ok {
			continue
		}
		lane := items[i].flow + "\x00" + items[i].lane
		items[i].lease = time.Time{}
		if items[i].err == "" && !taken[lane] {
			items[i].lease = until
		}
		taken[lane] = true
	}
	return nil
}

// openLanes returns the lanes of the list that hold an unfinished
// transaction of the flow.
func openLanes(w *writerStatements, tx core.App, flow string, lanes []string) ([]string, error) {
	q, err := w.in(tx, openLanesSQL)
	if err != nil {
		return nil, err
	}
	defer q.Close()
	rows, err := q.query(dbx.Params{"flow": flow, "lanes": textList(lanes)})
	if err != nil {
		return nil, fmt.Errorf("reading open lanes: %w", err)
	}
	defer rows.Close()
	var open []string
	for rows.Next() {
		var lane string
		if err := rows.Scan(&lane); err != nil {
			return nil, fmt.Errorf("reading open lanes: %w", err)
		}
		open = append(open, lane)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading open lanes: %w", err)
	}
	return open, nil
}

// leasedClaims returns the items stored with a lease as claims, as the
// claim statement would have returned them.
func leasedClaims(items []inboxItem, now time.Time) []claimed {
	var out []claimed
	created := sqlTime(now)
	for i := range items {
		it := &items[i]
		if it.lease.IsZero() {
			continue
		}
		out = append(out, claimed{ID: it.id, Flow: it.flow, Run: it.run, Key: it.storedKey(),
			SourceID: it.storedSourceID(), Attempts: 1, Payloads: it.input, Created: created, InputApart: it.inputApart()})
	}
	return out
}

// handOver holds a run's claimed records and hands them to the dispatcher,
// waiting while it is busy: a run reads no further ahead than the workers
// write. When the engine stops first, they stay running until their lease
// ends or the next start releases them.
func (e *Engine) handOver(claims []claimed, until time.Time) {
	if len(claims) == 0 {
		return
	}
	e.sendHandoff(e.leases.holdNew(until, claims))
}

// sendHandoff hands a run's records to the dispatcher, a part at a time,
// waiting while it is busy, until the engine stops.
func (e *Engine) sendHandoff(claims []claimed) {
	for part := range slices.Chunk(claims, handoffPart) {
		select {
		case e.handoff <- part:
		case <-e.ctx.Done():
			return
		}
	}
}

// handoffPart bounds the records of a run the dispatcher takes at once,
// so that a source's very large page and the claims of other flows take
// turns. It is a file's page (filePageSize): in smaller parts, the workers
// ran dry between them and flushed their file targets more often (10%
// fewer rows a second).
const handoffPart = filePageSize

// takeHandoffs dispatches one page a run handed over and one batch of
// webhook records, if there are, so that they and the claims of other
// flows take turns.
func (e *Engine) takeHandoffs() {
	select {
	case got := <-e.handoff:
		e.dispatch(got)
	default:
	}
	select {
	case got := <-e.intakeHandoff:
		e.tookIntake()
		e.dispatch(got)
	default:
	}
}

// tookIntake tells an intake waiting for room in the hand-over that the
// dispatcher took a batch.
func (e *Engine) tookIntake() {
	select {
	case e.intakeRoom <- struct{}{}:
	default:
	}
}

// intakeHandoffBatches is how many committed batches of webhook records
// may wait for the dispatcher, claimed. When they are all waiting (the
// workers are behind), the intake waits a little for room
// (intakeHandoffWait), then stores its records pending, and the
// dispatcher claims them from the inbox in turn.
const intakeHandoffBatches = 4

// intakeHandoffWait bounds how long the intake waits for the dispatcher
// to take a batch when the hand-over is full. Workers that keep a steady
// pace take one well within it, and the intake's records go straight to
// them at that pace instead of being stored pending and claimed again
// (each written once more and moved in the inbox's indexes); when the
// workers are stuck (a slow or failing target), a delivery is answered
// at most this much later, and its records wait in the inbox.
const intakeHandoffWait = 50 * time.Millisecond

// intakeClaims returns the active flows whose records the intake may
// claim as it stores them: none when the hand-over stays full (see
// intakeHandoffWait). Only the intake loop hands batches over, so a free
// place found here is still free after its commit.
func (e *Engine) intakeClaims() []string {
	if len(e.claimableFlows()) == 0 || !e.intakeHandoffRoom() {
		return nil
	}
	return e.claimableFlows()
}

// intakeHandoffRoom reports whether the intake's hand-over has room,
// waiting up to intakeHandoffWait for the dispatcher to take a batch.
func (e *Engine) intakeHandoffRoom() bool {
	if len(e.intakeHandoff) < cap(e.intakeHandoff) {
		return true
	}
	deadline := time.NewTimer(intakeHandoffWait)
	defer deadline.Stop()
	for len(e.intakeHandoff) >= cap(e.intakeHandoff) {
		select {
		case <-e.intakeRoom:
		case <-deadline.C:
			return false
		case <-e.ctx.Done():
			return false
		}
	}
	return true
}

// handOverIntake holds the webhook records the intake claimed and hands
// them to the dispatcher, without waiting (intakeClaims kept a place).
func (e *Engine) handOverIntake(claims []claimed, until time.Time) {
	if len(claims) == 0 {
		return
	}
	e.intakeHandoff <- e.leases.holdNew(until, claims)
}
