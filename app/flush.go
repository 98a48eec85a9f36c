package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// buffered reports whether the flow's target buffers writes until Flush.
func (rt *flowRuntime) buffered() bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.flusher != nil
}

// hold keeps a written record's outcome until the target's Flush.
func (rt *flowRuntime) hold(o outcome) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.held = append(rt.held, o)
}

// flushTargets flushes every buffering target in the cache.
func (e *Engine) flushTargets() {
	e.cache.mu.Lock()
	rts := make([]*flowRuntime, 0, len(e.cache.flows))
	for _, rt := range e.cache.flows {
		rts = append(rts, rt)
	}
	e.cache.mu.Unlock()
	for _, rt := range rts {
		e.flush(rt)
	}
}

// flush makes a buffering target's writes final and then records their
// outcomes; when the flush fails, those records are retried instead. No
// write to the target runs meanwhile. A failed flush is one failure of the
// target connection, however many records it held.
func (e *Engine) flush(rt *flowRuntime) {
	rt.flushMu.Lock()
	defer rt.flushMu.Unlock()
	rt.mu.Lock()
	f, held := rt.flusher, rt.held
	rt.held = nil
	rt.mu.Unlock()
	if f == nil || len(held) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
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

// flushFailed logs a failed flush begun at start and, when it may pass,
// counts it once against the target connection.
func (e *Engine) flushFailed(rt *flowRuntime, records int, err error, start time.Time) {
	msg := rt.redact.text(err.Error())
	e.logger().Error("flushing a target: its records will be written again",
		slog.String("flow", rt.flow.GetString("name")), slog.Int("records", records), slog.String("error", msg))
	if class, _ := connectors.Classify(err); class == connectors.ClassTransient {
		e.health.failed(rt.target.Id, msg, start, time.Now())
	}
}

// unflushed turns the outcome of a write that a failed flush dropped into
// a retry. It blames no connection: the flush was counted once.
func (e *Engine) unflushed(o outcome, err error) outcome {
	o.payloads.Attempts = o.payloads.Attempts[:len(o.payloads.Attempts)-1]
	o.succeeded, o.targetID, o.payloads.Response = "", "", nil
	return e.finish(o, time.Now(), fmt.Errorf("the target could not make the write final: %w", err))
}
