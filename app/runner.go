package app

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/switchboard-app/switchboard/connectors"
)

// Run triggers.
const (
	TriggerSchedule = "schedule"
	TriggerWebhook  = "webhook"
	TriggerManual   = "manual"
)

// pageSize is how many records the engine asks a source for per page;
// filePageSize for a file source, whose pages cost no call to an app and
// whose rows are many: each page is one SQLite transaction.
const (
	pageSize     = 200
	filePageSize = 1000
)

// ErrFlowRunning is returned when a flow is asked to run while it runs.
var ErrFlowRunning = errors.New("the flow is already running")

// runLocks keeps runs of one flow from overlapping.
type runLocks struct {
	mu      sync.Mutex
	changed *sync.Cond        // a starting run got its id, or its flow was released
	running map[string]string // flow id -> run id ("" while it starts)
}

func newRunLocks() *runLocks {
	l := &runLocks{running: map[string]string{}}
	l.changed = sync.NewCond(&l.mu)
	return l
}

// acquire takes the flow for a run, or answers the id of the run that
// has it. A run that is starting has no id yet: acquire waits the moment
// until it has one, or does not start after all, so that a run asked for
// meanwhile is refused with that run's id, not with none.
func (l *runLocks) acquire(flow string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		run, busy := l.running[flow]
		switch {
		case !busy:
			l.running[flow] = ""
			return "", true
		case run != "":
			return run, false
		}
		l.changed.Wait()
	}
}

func (l *runLocks) set(flow, run string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running[flow] = run
	l.changed.Broadcast()
}

func (l *runLocks) release(flow string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.running, flow)
	l.changed.Broadcast()
}

// RunFlow starts a run of a flow that reads its source into the inbox, and
// returns the run's id at once; the reading goes on in the background. A
// flow that is running already answers ErrFlowRunning with that run's id.
func (e *Engine) RunFlow(flowID, trigger string) (string, error) {
	if e.ctx == nil || e.ctx.Err() != nil {
		return "", ErrEngineStopped
	}
	if err := e.sb.Ready(); err != nil {
		return "", err
	}
	if running, ok := e.runs.acquire(flowID); !ok {
		return running, ErrFlowRunning
	}
	started := false
	defer func() {
		if !started { // refused, failed or panicked: runs asked for meanwhile wait on it
			e.runs.release(flowID)
		}
	}()
	rt, err := e.runtime(flowID)
	if err != nil {
		return "", err
	}
	if !flowEnabled(rt.flow, rt.integration) {
		return "", ErrFlowDisabled
	}
	run, err := e.startRun(flowID, trigger, time.Time{})
	if err != nil {
		return "", err
	}
	e.runs.set(flowID, run.Id)
	started = e.goLoop(func() {
		defer e.runs.release(flowID)
		e.readRun(rt, run)
	})
	if !started {
		return "", ErrEngineStopped
	}
	return run.Id, nil
}

// startRun records a run; finished is when it ends, when that is known
// from the start.
func (e *Engine) startRun(flowID, trigger string, finished time.Time) (*core.Record, error) {
	col, err := e.app().FindCollectionByNameOrId("runs")
	if err != nil {
		return nil, err
	}
	run := core.NewRecord(col)
	run.Set("flow", flowID)
	run.Set("trigger", trigger)
	run.Set("started", types.NowDateTime())
	if !finished.IsZero() {
		run.Set("finished", finished)
	}
	if err := e.app().Save(run); err != nil {
		return nil, fmt.Errorf("starting run: %w", err)
	}
	return run, nil
}

// readRun reads the flow's source page by page into the inbox and closes
// the run; the records' outcomes are counted on the run as they come.
func (e *Engine) readRun(rt *flowRuntime, run *core.Record) {
	start := time.Now()
	err := e.safeRead(rt, run.Id)
	msg := ""
	if err != nil && !e.running() && !errors.Is(err, errNotStored) {
		// The stop cancelled the run's call: no failure of the source.
		msg = interruptedRunError
		e.logger().Info("run interrupted by the stop", slog.String("flow", rt.flow.GetString("name")))
	} else if err != nil {
		msg = rt.redact.text(err.Error())
		e.logger().Warn("run stopped", slog.String("flow", rt.flow.GetString("name")), slog.String("error", msg))
		_, limited := connectors.IsRateLimited(err)
		if class, _ := connectors.Classify(err); class == connectors.ClassTransient && !limited {
			e.health.failed(rt.source.Id, msg, start, time.Now())
		}
		if errors.Is(err, connectors.ErrReconnectNeeded) {
			e.reconnects.need(rt.source.Id, msg, start)
		}
		if connectors.IsNeedsAttention(err) {
			e.health.attention(rt.source.Id, msg, start)
		}
	}
	_, dbErr := e.app().DB().NewQuery(`UPDATE runs SET finished = {:now}, error = {:error}, updated = {:now} WHERE id = {:id}`).
		Bind(dbx.Params{"now": sqlTime(time.Now()), "error": truncate(msg, 10000), "id": run.Id}).Execute()
	if dbErr != nil {
		e.logger().Error("closing run", slog.String("error", dbErr.Error()))
	}
	e.sb.metrics.runDone(rt, run.GetString("trigger"), time.Since(start))
	if err == nil && run.GetString("trigger") == TriggerSchedule {
		e.forgetIfEmpty(run.Id)
	}
}

// forgetIfEmpty deletes a scheduled run that read nothing: a flow polled
// every five minutes would otherwise fill Activity with empty runs. Runs
// started by a person, and runs that failed, are always kept.
func (e *Engine) forgetIfEmpty(runID string) {
	_, err := e.app().DB().NewQuery(`DELETE FROM runs WHERE id = {:id} AND read = 0 AND error = ''`).
		Bind(dbx.Params{"id": runID}).Execute()
	if err != nil {
		e.logger().Error("forgetting an empty run", slog.String("error", err.Error()))
	}
}

// safeRead is read, with a connector's panic turned into the run's error.
func (e *Engine) safeRead(rt *flowRuntime, runID string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = e.connectorPanic(r, rt, slog.String("run", runID))
		}
	}()
	return e.read(rt, runID)
}

func (e *Engine) read(rt *flowRuntime, runID string) error {
	if e.health.isDown(rt.source.Id) {
		return fmt.Errorf("source %q is down; the run waits until it answers", rt.source.GetString("name"))
	}
	if e.reconnects.isHeld(rt.source.Id) {
		return fmt.Errorf("source %q must be connected again; the run waits until it is", rt.source.GetString("name"))
	}
	if e.health.isHeld(rt.source.Id) {
		return fmt.Errorf("source %q needs attention (see the connection); the run waits until it is fixed", rt.source.GetString("name"))
	}
	if err := e.waitOutPause(rt); err != nil {
		return err
	}
	conn, err := e.sb.OpenConnection(rt.source)
	if err != nil {
		return connectors.Permanent(err)
	}
	defer func() { _ = conn.Close() }()
	reader, ok := conn.(connectors.Reader)
	if !ok {
		return connectors.Permanent(fmt.Errorf("connection %q cannot read", rt.source.GetString("name")))
	}
	cursor, err := e.cursor(rt.flow.Id)
	if err != nil {
		return err
	}
	stream, err := reader.Read(e.ctx, connectors.ReadRequest{Entity: rt.entity, Cursor: cursor, PageSize: e.pageSizeOf(rt), Options: rt.sourceOptions})
	if err != nil {
		return err
	}
	defer func() { _ = stream.Close() }()
	return e.readPages(rt, runID, stream)
}

// pageSizeOf is the page size the engine asks the flow's source for.
func (e *Engine) pageSizeOf(rt *flowRuntime) int {
	if e.readsFiles(rt) {
		return filePageSize
	}
	return pageSize
}

// readsFiles reports whether the flow's source is a file connector.
func (e *Engine) readsFiles(rt *flowRuntime) bool {
	reg, ok := e.sb.registry.Lookup(rt.source.GetString("connector"))
	return ok && reg.Spec.Category == connectors.CategoryFiles
}

// readPages reads the stream page by page. A page is handed over
// unstored when it can be (deferred.go), else stored as it is read; a run
// waits for its pages handed over to be stored before it stores one as it
// is read, and before it ends. A page the source wants acknowledged (a
// file's last) is stored as it is read, then acknowledged.
func (e *Engine) readPages(rt *flowRuntime, runID string, stream connectors.PageStream) (err error) {
	var unstored *deferredPage // the last page handed over unstored
	defer func() {
		if !e.awaitStored(unstored) && err == nil {
			err = errNotStored
		}
	}()
	limits := 0 // rate limits in a row
	for {
		page, err := stream.Next(e.ctx)
		if e.waitOutReadLimit(rt.source.Id, err, &limits) {
			continue
		}
		if errors.Is(err, connectors.ErrEndOfInput) {
			e.health.ok(rt.source.Id, time.Now())
			return nil
		}
		if err != nil {
			return err
		}
		items, err := e.inboxItems(rt, runID, page.Records)
		if err != nil {
			return err
		}
		p := e.deferPage(rt, runID, page, items)
		if p != nil {
			unstored = p
		} else {
			if !e.awaitStored(unstored) {
				return errNotStored
			}
			unstored = nil
			if err := e.commitPage(rt, runID, page, items); err != nil {
				return err
			}
		}
		if page.Ack != nil {
			if err := page.Ack(e.ctx); err != nil {
				e.logger().Warn("acknowledging a page", slog.String("flow", rt.flow.GetString("name")), slog.String("error", rt.redact.text(err.Error())))
			}
		}
		if p == nil { // a page handed over unstored leaves nothing to claim
			e.Wake()
		}
	}
}

// errNotStored ends a run whose pages handed over unstored could not be
// stored (the engine stopped meanwhile): the next run reads them again.
var errNotStored = errors.New("the records read could not be stored before the engine stopped; the next run reads them again")

// commitPage stores a page's records (items) as transactions and moves the
// flow's cursor, in one SQLite transaction, then hands the records it could
// claim to the dispatcher (handoff.go).
func (e *Engine) commitPage(rt *flowRuntime, runID string, page connectors.Page, items []inboxItem) error {
	failed, claim := 0, e.claimablePage(rt)
	var stored time.Time
	err := e.app().RunInTransaction(func(tx core.App) error {
		if err := flowStillOn(tx, rt.flow.Id); err != nil {
			return err
		}
		now := time.Now()
		stored = now
		if claim {
			if err := leaseFreeLanes(e.stmts, tx, items, []string{rt.flow.Id}, now.Add(e.cfg.Lease)); err != nil {
				return err
			}
		}
		var err error
		if _, failed, err = insertTransactions(e.stmts, tx, items, now); err != nil {
			return err
		}
		if page.Cursor != "" {
			if err := saveCursor(tx, rt.flow.Id, page.Cursor, now); err != nil {
				return err
			}
		}
		if err := countRead(e.stmts, tx, runID, len(items), failed, now); err != nil {
			return err
		}
		return addUsage(e.stmts, tx, map[string]int{rt.source.Id: len(items)}, "reads", now)
	})
	if err == nil {
		e.sb.metrics.recordsRead(rt, len(items))
	}
	if err == nil && failed > 0 { // records that could not be read failed for good
		e.alerts.failed(rt.flow.Id, failed)
	}
	if err == nil {
		e.handOver(leasedClaims(items, stored), stored.Add(e.cfg.Lease))
	}
	return err
}

// errFlowDeleted ends a run whose flow was deleted while it read: what it
// read next is not stored, since no flow would take it.
var errFlowDeleted = errors.New("the flow was deleted during the run; what it read next was not stored")

// errFlowSwitchedOff ends a run whose flow, or its integration, was
// switched off while it read: switched off, a flow reads nothing more.
var errFlowSwitchedOff = errors.New("the flow was switched off during the run; the next run goes on from where it was")

// flowStillOn answers errFlowDeleted or errFlowSwitchedOff, read in tx
// (the page's SQLite transaction, which a save of the flow cannot
// interleave with), when the flow is gone or no longer enabled with its
// integration (enabledFlowsSQL).
func flowStillOn(tx core.App, flowID string) error {
	var exists, on int
	err := tx.DB().NewQuery(`SELECT COUNT(*), COUNT(*) FILTER (WHERE f.id IN (`+enabledFlowsSQL+`))
		FROM flows f WHERE f.id = {:id}`).Bind(dbx.Params{"id": flowID}).Row(&exists, &on)
	switch {
	case err != nil:
		return fmt.Errorf("reading the flow: %w", err)
	case exists == 0:
		return errFlowDeleted
	case on == 0:
		return errFlowSwitchedOff
	}
	return nil
}

// inboxItems prepares records for the inbox: redacted input payloads and
// the lane each record goes in.
func (e *Engine) inboxItems(rt *flowRuntime, runID string, records []connectors.Record) ([]inboxItem, error) {
	items := make([]inboxItem, 0, len(records))
	for _, r := range records {
		// An app that quotes a credential back (in an id or a key) must
		// not have it stored in the columns Activity shows and filters.
		r.ID, r.Key = rt.redact.text(r.ID), rt.redact.text(r.Key)
		p, failure := e.inboxInput(rt, r)
		input, err := encodeInboxPayloads(p)
		if err != nil {
			return nil, err
		}
		items = append(items, inboxItem{flow: rt.flow.Id, run: runID, record: r, input: input, lane: laneOf(rt, r), err: failure})
	}
	return items, nil
}

// laneOf puts the records of one source record, or with ordering on, of one
// business key, in one lane, so they are written one at a time and in order.
func laneOf(rt *flowRuntime, r connectors.Record) string {
	if rt.ordered && r.Key != "" {
		return "k:" + truncateKey(r.Key, 500)
	}
	return "i:" + truncateKey(r.ID, 500)
}

const countReadSQL = `UPDATE runs SET read = read + {:read}, failed = failed + {:failed}, updated = {:now} WHERE id = {:id}`

func countRead(w *writerStatements, tx core.App, runID string, read, failed int, now time.Time) error {
	if runID == "" {
		return nil
	}
	q, err := w.in(tx, countReadSQL)
	if err != nil {
		return err
	}
	defer q.Close()
	_, err = q.exec(dbx.Params{"read": read, "failed": failed, "now": sqlTime(now), "id": runID})
	if err != nil {
		return fmt.Errorf("counting reads: %w", err)
	}
	return nil
}

func (e *Engine) cursor(flowID string) (string, error) {
	var cursor string
	err := e.app().DB().NewQuery("SELECT cursor FROM flow_state WHERE flow = {:flow}").
		Bind(dbx.Params{"flow": flowID}).Row(&cursor)
	if err != nil && !isNoRows(err) {
		return "", fmt.Errorf("reading cursor: %w", err)
	}
	return cursor, nil
}

func saveCursor(tx core.App, flowID, cursor string, now time.Time) error {
	_, err := tx.DB().NewQuery(`INSERT INTO flow_state (id, flow, cursor, last_run, created, updated)
		VALUES ({:id}, {:flow}, {:cursor}, {:now}, {:now}, {:now})
		ON CONFLICT (flow) DO UPDATE SET cursor = excluded.cursor, last_run = excluded.last_run, updated = excluded.updated`).
		Bind(dbx.Params{"id": newID(), "flow": flowID, "cursor": cursor, "now": sqlTime(now)}).Execute()
	if err != nil {
		return fmt.Errorf("saving cursor: %w", err)
	}
	return nil
}
