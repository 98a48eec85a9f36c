package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// A buffering target (a Flusher: a file written for many records) keeps
// its writes until it is flushed, and the engine holds their outcomes
// until then. It is flushed when it holds FlushRecords writes, when its
// oldest held write is FlushAge old, when the engine has no work in
// flight, and before the engine stops: never only when idle, so that a
// backlog does not keep its writes, and their memory, for ever.

// buffered reports whether the flow's target buffers writes until Flush.
func (rt *flowRuntime) buffered() bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.flusher != nil
}

// hold keeps a written record's outcome until the target's Flush, and
// returns how many it holds. Its payloads are kept encoded, as the flush
// stores them: a flush then holds the database's write lock only for its
// statements, and a held outcome takes a few hundred bytes instead of its
// payloads' maps. (Payloads that cannot be encoded are kept as they are,
// and the flush reports why.)
func (rt *flowRuntime) hold(o outcome) int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if len(rt.held) == 0 {
		rt.heldSince = time.Now()
	}
	o.tx.Payloads = "" // the outcome's payloads hold the input
	rt.held = append(rt.held, o)
	return len(rt.held)
}

// flushDue reports whether the runtime holds writes older than age, or
// files not yet published.
func (rt *flowRuntime) flushDue(now time.Time, age time.Duration) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return (len(rt.held) > 0 && now.Sub(rt.heldSince) >= age) || len(rt.unpublished) > 0 || rt.deferred.due(now, age)
}

// heldLen is how many written outcomes the runtime holds.
func (rt *flowRuntime) heldLen() int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return len(rt.held)
}

// flushTargets flushes every buffering target in the cache, and returns
// when they are flushed (the engine's stop).
func (e *Engine) flushTargets() {
	for _, rt := range e.cachedRuntimes() {
		e.flush(rt)
	}
}

// flushIdleTargets flushes, beside the dispatcher, the targets that hold
// writes or unpublished output: the dispatcher asks for it when no
// transaction is in flight, and goes on dispatching the other flows'
// records while a file target uploads and publishes.
func (e *Engine) flushIdleTargets() {
	now := time.Now()
	for _, rt := range e.cachedRuntimes() {
		if rt.flushDue(now, 0) {
			e.flushSoon(rt)
		}
	}
}

// flushSoon flushes rt's target on a goroutine of its own, unless one is
// flushing it already: that one flushes once more when it is done, so
// that writes held after its flush began are not left waiting. The
// callers are in wgWork, which the engine's stop waits for.
func (e *Engine) flushSoon(rt *flowRuntime) {
	rt.flushWanted.Store(true)
	if !rt.flushing.CompareAndSwap(false, true) {
		return
	}
	goWith(&e.wgWork, func() {
		for {
			for rt.flushWanted.Swap(false) {
				e.flushWhole(rt)
			}
			rt.flushing.Store(false)
			if !rt.flushWanted.Load() || !rt.flushing.CompareAndSwap(false, true) {
				return // nothing asked meanwhile, or another goroutine took it
			}
		}
	})
}

func (e *Engine) cachedRuntimes() []*flowRuntime {
	e.cache.mu.Lock()
	defer e.cache.mu.Unlock()
	rts := make([]*flowRuntime, 0, len(e.cache.flows))
	for _, rt := range e.cache.flows {
		rts = append(rts, rt)
	}
	return rts
}

// flushLoop flushes the targets whose oldest held write reached FlushAge.
func (e *Engine) flushLoop() {
	tick := time.NewTicker(max(min(time.Second, e.cfg.FlushAge/4), time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-tick.C:
		}
		now := time.Now()
		for _, rt := range e.cachedRuntimes() {
			if rt.flushDue(now, e.cfg.FlushAge) {
				e.flushSoon(rt)
			}
		}
	}
}

// flush makes a buffering target's writes final and records their
// outcomes; when the flush fails, those records are retried instead. No
// write to the target runs while its output is ended (a Flusher's Flush, a
// Publisher's Prepare); a Publisher's later writes go on while the flush
// records the outcomes and publishes, since they go to its next Prepare.
// Flushes of a target record and publish in the order they prepared. A
// failed flush is one failure of the target connection, however many
// records it held.
//
// The pages of the flow's runs handed over unstored (deferred.go) are
// stored by the flush's commit: their written outcomes are part of the
// output it makes final.
func (e *Engine) flush(rt *flowRuntime) { e.flushPages(rt, false) }

// flushWhole flushes rt once every record of the pages its runs handed
// over unstored has its outcome, so that the flush stores none of them
// running (only to record its outcome again); no page begins meanwhile.
// Only a goroutine that no worker waits for may call it.
func (e *Engine) flushWhole(rt *flowRuntime) {
	rt.deferred.reserve()
	rt.deferred.waitFinished(e.ctx)
	e.flushPages(rt, true)
}

// flushPages is flush; reserved tells that the caller reserved the pages.
func (e *Engine) flushPages(rt *flowRuntime, reserved bool) {
	rt.flushMu.Lock()
	rt.mu.Lock()
	f, held := rt.flusher, rt.held
	rt.held = nil
	rt.mu.Unlock()
	pages := rt.deferred.take(reserved)
	if rt.deferred.hasFailed() {
		e.dropFlush(rt, held, pages)
		return
	}
	until := time.Now().Add(e.cfg.Lease)
	e.leaseUnfinished(pages, until)
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	p, ok := f.(connectors.Publisher)
	if !ok {
		defer rt.flushMu.Unlock()
		if f != nil {
			e.flushHeld(ctx, rt, f, held)
		}
		if len(pages) > 0 { // a target closed meanwhile: no write of theirs is final
			e.unflushedPages(pages, errTargetClosed)
			e.commitAndPublish(ctx, rt, nil, nil, pages, "", until)
		}
		return
	}
	if len(held) == 0 && len(pages) == 0 {
		e.publishPending(ctx, rt, p)
		return
	}
	prepared, err := e.prepare(ctx, rt, p, held, len(held)+writtenIn(pages))
	if err != nil {
		e.unflushedPages(pages, err)
		held = nil
	}
	rt.publishMu.Lock()
	rt.flushMu.Unlock()
	defer rt.publishMu.Unlock()
	e.republish(ctx, rt, p)
	if len(held) > 0 || len(pages) > 0 {
		e.commitAndPublish(ctx, rt, p, held, pages, prepared, until)
	}
}

// publishPending is the flush of a Publisher that holds no write: it
// lets the target's writes go on at once, waits for the flushes before it
// to publish, and tries again to publish what they could not. (Holding the
// writes while it waits would stop every worker writing to the target for
// the length of their commit.) rt.flushMu is held, and unlocked.
func (e *Engine) publishPending(ctx context.Context, rt *flowRuntime, p connectors.Publisher) {
	rt.flushMu.Unlock()
	rt.publishMu.Lock()
	defer rt.publishMu.Unlock()
	e.republish(ctx, rt, p)
}

// errTargetClosed is why the written outcomes of pages stored by the flush
// of a runtime whose target closed are retried.
var errTargetClosed = errors.New("the target connection was closed before the write was final")

// dropFlush lets go of what a runtime holds once storing its pages failed
// as the engine stopped: pages after those could not be stored without
// moving the cursor past them, nor output published that holds their
// records. The held records are written again after their leases, the
// pages read again at the next start, and the output left unpublished is
// removed then.
func (e *Engine) dropFlush(rt *flowRuntime, held []outcome, pages []*deferredPage) {
	rt.flushMu.Unlock()
	rt.deferred.ended(pages, false)
	records := len(held)
	for _, p := range pages {
		records += len(p.items)
	}
	if records > 0 {
		e.logger().Error("a file's records could not be stored: they are read again at the next start",
			slog.String("flow", rt.flow.GetString("name")), slog.Int("records", records))
	}
}

// flushHeld flushes a Flusher that is not a Publisher and hands the held
// outcomes to the committer, as retries when the flush failed.
func (e *Engine) flushHeld(ctx context.Context, rt *flowRuntime, f connectors.Flusher, held []outcome) {
	if len(held) == 0 {
		return
	}
	start := time.Now()
	err := f.Flush(ctx)
	if err != nil {
		e.flushFailed(rt, len(held), err, start)
	}
	for _, o := range held {
		if err != nil {
			o = e.unflushed(o, err)
		}
		e.outcomes <- o
	}
}

// prepare ends a Publisher's writes since its last Prepare and stores them
// out of sight; when that fails, the held records are retried.
// written counts the writes since the last Prepare.
func (e *Engine) prepare(ctx context.Context, rt *flowRuntime, p connectors.Publisher, held []outcome, written int) (connectors.Prepared, error) {
	if written == 0 {
		return "", nil
	}
	start := time.Now()
	prepared, err := p.Prepare(ctx)
	if err != nil {
		e.flushFailed(rt, written, err, start)
		for _, o := range held {
			e.outcomes <- e.unflushed(o, err)
		}
	}
	return prepared, err
}

// commitAndPublish commits the held outcomes together with what was
// prepared, and only then publishes it. A crash before the commit leaves
// temporaries that the next start removes, and the records are written
// again; after it, the next start publishes what was committed.
//
// Pages handed over unstored are stored in the same commit; their records
// exist nowhere else, so a commit that fails is tried again until it
// stores them or the engine stops.
func (e *Engine) commitAndPublish(ctx context.Context, rt *flowRuntime, p connectors.Publisher, held []outcome,
	pages []*deferredPage, prepared connectors.Prepared, until time.Time) {
	var key string
	var err error
	for attempt := 0; ; attempt++ {
		e.leases.record(held, func() { key, err = e.commitFlushed(rt, held, pages, prepared, until) })
		if err == nil || len(pages) == 0 || !e.waitToStoreAgain(attempt, err) {
			break
		}
	}
	rt.deferred.ended(pages, err == nil)
	if err != nil { // the leases run out and the records are written again
		e.logger().Error("recording the outcomes of a flushed target: its records will be written again",
			slog.String("flow", rt.flow.GetString("name")), slog.Int("records", len(held)), slog.String("error", err.Error()))
		return
	}
	e.afterCommit(held)
	e.pagesStored(pages)
	if p != nil {
		e.publish(ctx, rt, p, pendingPublish{key: key, prepared: prepared})
	}
}

// pendingPublish is prepared output whose writes are committed, and the
// sb_meta key that remembers it until it is published.
type pendingPublish struct {
	key      string
	prepared connectors.Prepared
}

// publishKeyPrefix starts the sb_meta keys of committed output that is not
// published yet.
const publishKeyPrefix = "files:publish:"

// publishRecord is the sb_meta value of committed, unpublished output.
type publishRecord struct {
	Flow     string              `json:"flow"`
	Target   string              `json:"target"`
	Prepared connectors.Prepared `json:"prepared"`
}

// commitFlushed records held outcomes, stores pages handed over unstored
// and, when there is prepared output, what it is, in one SQLite
// transaction.
func (e *Engine) commitFlushed(rt *flowRuntime, held []outcome, pages []*deferredPage, prepared connectors.Prepared, until time.Time) (string, error) {
	key := ""
	err := e.app().RunInTransaction(func(tx core.App) error {
		now := time.Now()
		if err := writeOutcomes(e.stmts, tx, held, now); err != nil {
			return err
		}
		if err := e.storePages(tx, rt, pages, now, until); err != nil {
			return err
		}
		if prepared == "" {
			return nil
		}
		value, err := json.Marshal(publishRecord{Flow: rt.flow.Id, Target: rt.target.Id, Prepared: prepared})
		if err != nil {
			return err
		}
		key = publishKeyPrefix + newID()
		_, err = tx.DB().NewQuery(`INSERT INTO sb_meta (id, key, value, created, updated)
			VALUES ({:id}, {:key}, {:value}, {:now}, {:now})`).
			Bind(dbx.Params{"id": newID(), "key": key, "value": string(value), "now": sqlTime(now)}).Execute()
		return err
	})
	return key, err
}

// publish makes committed output visible and forgets it; output that
// cannot be published now is tried again at the runtime's next flush, and
// by the next start. Output is published in the order it was committed:
// while older output waits, newer output waits behind it, so that a file
// name written again is never left holding the older content.
func (e *Engine) publish(ctx context.Context, rt *flowRuntime, p connectors.Publisher, pp pendingPublish) {
	if pp.prepared == "" {
		return
	}
	rt.mu.Lock()
	waiting := len(rt.unpublished) > 0
	if waiting {
		rt.unpublished = append(rt.unpublished, pp)
	}
	rt.mu.Unlock()
	if !waiting && !e.publishOne(ctx, rt, p, pp) {
		rt.mu.Lock()
		rt.unpublished = append(rt.unpublished, pp)
		rt.mu.Unlock()
	}
}

// publishOne publishes one committed output and forgets it, and reports
// whether it was published.
func (e *Engine) publishOne(ctx context.Context, rt *flowRuntime, p connectors.Publisher, pp pendingPublish) bool {
	start := time.Now()
	if err := p.Publish(ctx, pp.prepared); err != nil {
		msg := rt.redact.text(err.Error())
		if class, _ := connectors.Classify(err); class != connectors.ClassTransient {
			e.publishRefused(rt.target.Id, rt.flow.GetString("name"), msg) // logged once
			return false
		}
		e.logger().Warn("publishing written files: tried again later", slog.String("flow", rt.flow.GetString("name")),
			slog.String("error", msg))
		e.health.failed(rt.target.Id, msg, start, time.Now())
		return false
	}
	e.publishTaken(rt.target.Id)
	if err := deleteMeta(e.app(), pp.key); err != nil {
		e.logger().Error("forgetting published files", slog.String("error", err.Error()))
	}
	return true
}

// republish tries again to publish, oldest first, what could not be
// published before; it stops at the first that still cannot be, and the
// rest wait behind it.
func (e *Engine) republish(ctx context.Context, rt *flowRuntime, p connectors.Publisher) {
	for {
		rt.mu.Lock()
		if len(rt.unpublished) == 0 {
			rt.mu.Unlock()
			return
		}
		pp := rt.unpublished[0]
		rt.mu.Unlock()
		if !e.refusals.due(rt.target.Id, time.Now(), e.cfg.ProbeEvery) {
			return // refused for good a moment ago: tried again later
		}
		if !e.publishOne(ctx, rt, p, pp) {
			return
		}
		rt.mu.Lock()
		rt.unpublished = rt.unpublished[1:]
		rt.mu.Unlock()
	}
}

// flushFailed logs a failed flush begun at start and, when it may pass,
// counts it once against the target connection.
func (e *Engine) flushFailed(rt *flowRuntime, records int, err error, start time.Time) {
	msg := rt.redact.text(err.Error())
	e.logger().Error("flushing a target: its records will be written again",
		slog.String("flow", rt.flow.GetString("name")), slog.Int("records", records), slog.String("error", msg))
	switch class, _ := connectors.Classify(err); {
	case connectors.IsNeedsAttention(err):
		e.health.attention(rt.target.Id, msg, start)
	case class == connectors.ClassTransient:
		e.health.failed(rt.target.Id, msg, start, time.Now())
	}
}

// unflushed turns the outcome of a write that a failed flush dropped into
// a retry. It blames no connection: the flush was counted once.
func (e *Engine) unflushed(o outcome, err error) outcome {
	if o.encoded != "" {
		p, derr := e.payloads.decode(o.encoded)
		if derr != nil { // cannot happen: hold encoded it
			e.logger().Error("reading held payloads", slog.String("error", derr.Error()))
		}
		o.payloads, o.encoded = p, ""
	}
	if n := len(o.payloads.Attempts); n > 0 {
		o.payloads.Attempts = o.payloads.Attempts[:n-1]
	}
	o.succeeded, o.targetID, o.payloads.Response = "", "", nil
	return e.finish(o, time.Now(), fmt.Errorf("the target could not make the write final: %w", err))
}
