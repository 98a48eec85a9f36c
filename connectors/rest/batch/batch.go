// Package batch lets a connector write through an app's batch endpoint
// while the engine writes one record at a time: a [Writer] gathers the
// writes that the engine's workers make at once into batches, sends each
// batch with the connector's [Sender], and hands every write its own
// result, so that one bad record in a batch of 100 fails alone and the
// other 99 succeed.
package batch

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// Result is the app's answer for one record of a batch.
type Result struct {
	// TargetID is the id the app gave the record.
	TargetID string
	// Response is what the app answered for the record.
	Response map[string]any
	// Err is the record's own failure, classified (a bad record is
	// permanent); nil when it was written.
	Err error
}

// Sender sends one batch to the app.
type Sender interface {
	// SendBatch writes the records and returns one result per record, in
	// their order. An error means the whole call failed: every record of
	// the batch gets it.
	SendBatch(ctx context.Context, reqs []connectors.WriteRequest) ([]Result, error)
}

// Options tune the gathering.
type Options struct {
	// Max is the most records in one batch (the app's limit; 100 when 0).
	Max int
	// Linger is how long the first write of a batch waits for others
	// (20 ms when 0); a full batch goes at once.
	Linger time.Duration
	// Timeout bounds one batch call (2 minutes when 0).
	Timeout time.Duration
	// Logger logs a sender's panic with its stack (the connection's
	// logger, which redacts its secrets); none when nil.
	Logger *slog.Logger
}

// Writer gathers writes into batches. It is a connectors.Writer's core:
// the connector's Write calls Writer.Write.
type Writer struct {
	send    Sender
	opts    Options
	mu      sync.Mutex
	pending []*waiting
	timer   *time.Timer
}

// waiting is one write waiting for its batch's answer.
type waiting struct {
	req  connectors.WriteRequest
	done chan Result // buffered: the sender never waits for the writer
}

// New returns a writer that sends batches with send.
func New(send Sender, opts Options) *Writer {
	if opts.Max <= 0 {
		opts.Max = 100
	}
	if opts.Linger <= 0 {
		opts.Linger = 20 * time.Millisecond
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Minute
	}
	return &Writer{send: send, opts: opts}
}

// Write adds the record to the next batch and waits for its own result.
// The record's maps are read until Write returns, as the engine allows.
func (w *Writer) Write(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	me := &waiting{req: req, done: make(chan Result, 1)}
	w.mu.Lock()
	w.pending = append(w.pending, me)
	var full []*waiting
	switch {
	case len(w.pending) >= w.opts.Max:
		full = w.take()
	case len(w.pending) == 1:
		w.timer = time.AfterFunc(w.opts.Linger, w.flush)
	}
	w.mu.Unlock()
	if full != nil {
		w.sendBatch(full)
	}
	select {
	case res := <-me.done:
		return connectors.WriteResult{TargetID: res.TargetID, Response: res.Response}, res.Err
	case <-ctx.Done():
		w.withdraw(me)
		return connectors.WriteResult{}, connectors.Transient(fmt.Errorf("waiting for the batch: %w", ctx.Err()))
	}
}

// take removes the pending writes; w.mu is held.
func (w *Writer) take() []*waiting {
	batch := w.pending
	w.pending = nil
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	return batch
}

// flush sends what is pending once the first write has lingered.
func (w *Writer) flush() {
	w.mu.Lock()
	batch := w.take()
	w.mu.Unlock()
	if len(batch) > 0 {
		w.sendBatch(batch)
	}
}

// withdraw takes a write that gave up out of the pending batch; a write
// already sent is not called back (its idempotency key makes a retry safe).
func (w *Writer) withdraw(me *waiting) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, p := range w.pending {
		if p == me {
			w.pending = append(w.pending[:i], w.pending[i+1:]...)
			return
		}
	}
}

// sendBatch sends one batch and hands out the results.
func (w *Writer) sendBatch(batch []*waiting) {
	ctx, cancel := context.WithTimeout(context.Background(), w.opts.Timeout)
	defer cancel()
	reqs := make([]connectors.WriteRequest, len(batch))
	for i, b := range batch {
		reqs[i] = b.req
	}
	results, err := w.safeSend(ctx, reqs)
	if err == nil && len(results) != len(batch) {
		err = connectors.Permanent(fmt.Errorf("the app answered %d results for a batch of %d records", len(results), len(batch)))
	}
	for i, b := range batch {
		if err != nil {
			b.done <- Result{Err: err}
			continue
		}
		b.done <- results[i]
	}
}

// safeSend sends a batch, with a panic of the sender (a connector's bug)
// turned into the batch's error: it may run in the writer's own goroutine,
// where nothing else would recover it, and a connector's bug fails its
// records, not the appliance.
func (w *Writer) safeSend(ctx context.Context, reqs []connectors.WriteRequest) (results []Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			if w.opts.Logger != nil {
				w.opts.Logger.Error("a connector panicked while it sent a batch", slog.Int("records", len(reqs)),
					slog.String("panic", msg), slog.String("stack", string(debug.Stack())))
			}
			results, err = nil, connectors.Permanent(fmt.Errorf("the connector failed: %s", msg))
		}
	}()
	return w.send.SendBatch(ctx, reqs)
}
