package app

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"runtime/debug"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/mappings"
)

// writeTimeout bounds one write to a target.
const writeTimeout = 2 * time.Minute

// dispatchLoop claims due transactions and hands them to the workers,
// sleeping until woken or the poll interval passes when there are none.
func (e *Engine) dispatchLoop() {
	defer close(e.jobs)
	claims := newClaimer(e.app())
	defer claims.close()
	batch := max(64, e.cfg.Workers*8)
	for e.ctx.Err() == nil {
		if e.sb.Ready() != nil {
			e.sleep()
			continue
		}
		e.takeHandoffs()
		now := time.Now()
		e.claims.Add(1)
		got, err := e.claimDue(claims, batch, now)
		if err != nil {
			e.logger().Error("claiming work", slog.String("error", err.Error()))
			e.sleep()
			continue
		}
		e.dispatch(got)
		if len(got) == 0 {
			if e.inflight.Load() == 0 {
				e.flushIdleTargets()
			}
			e.sleep()
		}
	}
}

// claimDue claims up to limit due transactions of the active flows and
// returns those this process now holds and must process.
func (e *Engine) claimDue(claims *claimer, limit int, now time.Time) ([]claimed, error) {
	return e.leases.claim(now.Add(e.cfg.Lease), func() ([]claimed, error) {
		return claims.claim(limit, e.cfg.Lease, e.rotate(e.activeFlows()), now)
	})
}

// rotate starts the list at a different flow each time, so that a flow
// with a large backlog does not keep the others waiting.
func (e *Engine) rotate(flows []string) []string {
	if len(flows) < 2 {
		return flows
	}
	e.turn = (e.turn + 1) % len(flows)
	return append(append([]string{}, flows[e.turn:]...), flows[:e.turn]...)
}

// dispatch hands claimed transactions, held by this process, to the
// workers, with their xrefs; it waits while the workers are busy.
func (e *Engine) dispatch(got []claimed) {
	if err := attachXrefs(e.stmts, e.app(), got, e.flowScope); err != nil {
		e.logger().Error("reading xrefs", slog.String("error", err.Error()))
	}
	for _, c := range got {
		e.inflight.Add(1)
		e.jobs <- c
	}
}

// sleep waits until woken or the poll interval passes, the two reasons to
// claim again; records handed over meanwhile (handoff.go) are dispatched
// as they come, without a claim.
func (e *Engine) sleep() {
	poll := time.NewTimer(e.cfg.PollEvery)
	defer poll.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case got := <-e.handoff:
			e.dispatch(got)
		case got := <-e.intakeHandoff:
			e.tookIntake()
			e.dispatch(got)
		case <-e.idle:
			if e.inflight.Load() == 0 {
				e.flushIdleTargets()
			}
		case <-e.wake:
			return
		case <-poll.C:
			return
		}
	}
}

// signalIdle tells the dispatcher that no transaction is in flight.
func (e *Engine) signalIdle() {
	select {
	case e.idle <- struct{}{}:
	default:
	}
}

// workLoop processes claimed transactions until the dispatcher stops; a
// transaction in flight at shutdown is finished, not abandoned.
func (e *Engine) workLoop() {
	for c := range e.jobs {
		o := e.process(c)
		switch {
		case !o.held:
			e.recordOutcome(c, e.encodeOutcome(o)) // compressed here, not under the committer's write lock
		case o.heldCount >= e.cfg.FlushRecords: // a backlog flushes by count, not only when idle
			e.flush(o.flow)
		}
		if e.inflight.Add(-1) == 0 {
			e.signalIdle() // the dispatcher flushes buffering targets when idle
		}
	}
}

// outcome is what became of one transaction.
type outcome struct {
	tx        claimed
	flow      *flowRuntime // nil when the flow could not be loaded
	status    string
	targetID  string
	hash      string
	err       string
	class     connectors.Class
	note      string
	next      time.Time
	payloads  Payloads
	encoded   string // payloads encoded for storage, once the worker is done with them, or ""
	duration  time.Duration
	start     time.Time // when the attempt began
	blame     string    // connection whose transient failure this is
	succeeded string    // connection that answered
	held      bool      // waiting for the target's Flush before it is recorded
	heldCount int       // how many outcomes its target held with it

	// pausedUntil is set when the app refused the attempt with a rate
	// limit: its connection pauses until then (app/pacing.go).
	pausedUntil time.Time
	// reconnect is set when the attempt found that its connection must be
	// connected again (app/reconnect.go).
	reconnect bool
	// attention is set when the attempt found that its connection needs a
	// person, such as a certificate to renew (app/attention.go).
	attention bool
}

// encodeOutcome returns o with its payloads encoded for storage, with
// its flow's dictionary, and their maps let go. Payloads that cannot be
// encoded are kept as they are, and recording the outcome reports why.
func (e *Engine) encodeOutcome(o outcome) outcome {
	if o.encoded != "" {
		return o
	}
	if encoded, err := e.payloads.encode(o.tx.Flow, o.payloads); err == nil {
		o.encoded, o.payloads = encoded, Payloads{}
	}
	return o
}

// process takes one transaction through map in, rules, map out and write.
func (e *Engine) process(c claimed) (o outcome) {
	start := time.Now()
	o = outcome{tx: c}
	defer func() {
		if r := recover(); r != nil { // a connector's bug fails its record, not the appliance
			err := e.connectorPanic(r, o.flow, slog.String("transaction", c.ID))
			o = e.finish(outcome{tx: c, flow: o.flow, payloads: o.payloads}, start, err)
		}
	}()
	p, err := e.payloads.decode(c.Payloads)
	if err != nil {
		return e.finish(o, start, connectors.Permanent(err))
	}
	o.payloads = p
	rt, err := e.runtime(c.Flow)
	if err != nil {
		return e.finish(o, start, connectors.Permanent(err))
	}
	o.flow = rt
	if p.Unreadable { // a retry cannot read it any better
		return e.finish(o, start, connectors.Permanent(e.unreadable(rt, fmt.Sprint(p.Input["error"]))))
	}
	if retriedByHand(o) {
		newer, err := e.newerWrite(c)
		if err != nil {
			return e.finish(o, start, connectors.Transient(err))
		}
		if newer != "" {
			o.note = supersededNote(newer)
			return e.finish(o, start, nil)
		}
	}
	res, err := rt.program.Run(p.Input)
	plain, encErr := e.encodeRecords(&o, rt, res)
	switch {
	case err != nil:
		return e.finish(o, start, connectors.Permanent(err))
	case encErr != nil:
		return e.finish(o, start, connectors.Permanent(encErr))
	case res.Skipped:
		o.note = res.SkipReason
		return e.finish(o, start, nil)
	}
	return e.write(o, rt, c, res, hashJSON(plain), start)
}

// newerWriteSQL finds a transaction of the same flow and lane (the same
// source record, or business key when ordered) stored after {:id} that
// was written. It reads the index of keys and ids (a transaction's key is
// its record's business key, or its id): the unary plus keeps SQLite from
// reading a flow's whole history through the index of flows and statuses.
const newerWriteSQL = `SELECT id FROM transactions WHERE key = {:key} AND id > {:id}
	AND +flow = {:flow} AND +status = 'succeeded'
	AND lane = (SELECT lane FROM transactions WHERE id = {:id}) ORDER BY id LIMIT 1`

// newerWrite returns the id of a later transaction of c's lane that was
// written to the target, or "": a person's retry of an older update must
// not put it back over the newer one.
func (e *Engine) newerWrite(c claimed) (string, error) {
	var id string
	err := e.app().DB().NewQuery(newerWriteSQL).
		Bind(dbx.Params{"key": c.Key, "id": c.ID, "flow": c.Flow}).Row(&id)
	if err != nil && !isNoRows(err) {
		return "", fmt.Errorf("looking for a newer update of the record: %w", err)
	}
	return id, nil
}

// supersededNote says why a retried update was not sent.
func supersededNote(newer string) string {
	return fmt.Sprintf("not sent: a newer update of this record (transaction %s) was written since; retry that one to send the record again", newer)
}

// connectorPanic logs a recovered panic with its stack, for whoever fixes
// the connector, and returns the short error that the record or the run
// fails with. It is called by the deferred function that recovered, so the
// stack still shows where the panic began.
func (e *Engine) connectorPanic(r any, rt *flowRuntime, attrs ...any) error {
	msg := fmt.Sprint(r)
	if rt != nil {
		msg = rt.redact.text(msg)
		attrs = append(attrs, slog.String("flow", rt.flow.GetString("name")))
	}
	attrs = append(attrs, slog.String("panic", msg), slog.String("stack", string(debug.Stack())))
	e.logger().Error("a connector panicked", attrs...)
	return connectors.Permanent(fmt.Errorf("the connector failed: %s", msg))
}

// encodeRecords puts the canonical and output records into the payloads as
// JSON, redacted, and returns the canonical record's JSON before redaction
// (for its content hash). It runs before the write, and nothing in the
// outcome refers to the result's maps: the writer may keep the record it
// is given.
func (e *Engine) encodeRecords(o *outcome, rt *flowRuntime, res mappings.Result) (json.RawMessage, error) {
	canonical, plain, err := rt.redact.recordJSON(res.Canonical)
	if err != nil {
		return nil, fmt.Errorf("the canonical record cannot be stored: %w", err)
	}
	output := canonical
	if !sameMap(res.Output, res.Canonical) { // without a write mapping they are one map
		if output, _, err = rt.redact.recordJSON(res.Output); err != nil {
			return nil, fmt.Errorf("the output record cannot be stored: %w", err)
		}
	}
	o.payloads.Canonical, o.payloads.Output = canonical, output
	return plain, nil
}

// sameMap reports whether a and b are the same map (not merely equal ones).
func sameMap(a, b map[string]any) bool {
	return a != nil && b != nil && reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer()
}

func (e *Engine) write(o outcome, rt *flowRuntime, c claimed, res mappings.Result, hash string, start time.Time) outcome {
	o.hash = hash
	xref := c.xref
	if xref.Hash == o.hash && xref.Hash != "" && !rt.fullFeed && !retriedByHand(o) {
		o.targetID, o.note = xref.TargetID, "unchanged since the last sync"
		return e.finish(o, start, nil)
	}
	w, blame, err := e.openTarget(rt)
	if err != nil {
		o.blame = blame
		return e.finish(o, start, err)
	}
	if rt.buffered() {
		rt.flushMu.RLock()
		defer rt.flushMu.RUnlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	key := cmp.Or(res.Key, c.Key)
	data := res.Output
	if data == nil { // no write mapping: the target takes canonical records
		data = res.Canonical
	}
	if xref.TargetID == "" {
		if xref.TargetID, err = findByKey(ctx, w, rt.entity, key); err != nil {
			o.blame = rt.target.Id
			return e.finish(o, start, fmt.Errorf("looking %s %q up in the target: %w", rt.entity, key, err))
		}
	}
	wr, err := w.Write(ctx, connectors.WriteRequest{
		Entity: rt.entity, TargetID: xref.TargetID, Key: key, Data: data, IdempotencyKey: c.ID, Options: rt.targetOptions,
		FieldOrder: rt.program.OutputPaths(), Xrefs: rt.xrefs(e.app()),
	})
	if err != nil {
		o.blame = rt.target.Id
		return e.finish(o, start, err)
	}
	o.succeeded = rt.target.Id
	o.targetID = rt.redact.text(cmp.Or(wr.TargetID, xref.TargetID))
	o.payloads.Response = rt.redact.record(wr.Response)
	o = e.finish(o, start, nil)
	if rt.buffered() {
		o.held = true
		o.heldCount = holdWritten(rt, c, e.encodeOutcome(o))
	}
	return o
}

// holdWritten keeps a written outcome until the target's flush: with its
// unstored page, which the flush stores, or else with the runtime. It
// returns how many outcomes the flush will record.
func holdWritten(rt *flowRuntime, c claimed, o outcome) int {
	if c.deferred != nil {
		if kept, n := c.deferred.keep(rt, o); kept {
			return n + rt.heldLen()
		}
	}
	return rt.hold(o) + rt.deferred.keptLen()
}

// recordOutcome hands an outcome that is not held to the committer, or
// keeps it with its unstored page.
func (e *Engine) recordOutcome(c claimed, o outcome) {
	if c.deferred != nil {
		if kept, _ := c.deferred.keep(nil, o); kept {
			return
		}
		waitForPage(c)
	}
	e.outcomes <- o
}

// finish classifies the result and records the attempt.
func (e *Engine) finish(o outcome, start time.Time, err error) outcome {
	o.start, o.duration = start, time.Since(start)
	att := Attempt{At: start.UTC(), DurationMS: o.duration.Milliseconds()}
	switch {
	case err == nil && o.note != "" && o.succeeded == "":
		o.status, att.Outcome = StatusSkipped, "skipped: "+o.note
	case err == nil:
		o.status, att.Outcome = StatusSucceeded, "succeeded"
	default:
		o = e.failed(o, err)
		att.Outcome, att.Error = o.status, o.err
	}
	o.payloads.Attempts = append(o.payloads.Attempts, att)
	return o
}

// failed decides between a retry and a failure.
func (e *Engine) failed(o outcome, err error) outcome {
	class, wait := connectors.Classify(err)
	o.class, o.err = class, e.describe(o, err)
	if errors.Is(err, connectors.ErrReconnectNeeded) {
		return e.awaitReconnect(o)
	}
	if o.blame != "" && connectors.IsNeedsAttention(err) {
		return e.awaitAttention(o)
	}
	if class == connectors.ClassPermanent {
		o.status = StatusFailed
		return o
	}
	r := roundOf(o)
	if time.Since(r.began) > e.cfg.MaxAge {
		o.status, o.class = StatusFailed, connectors.ClassPermanent
		o.err = fmt.Sprintf("gave up after retrying for %s: %s", e.cfg.MaxAge, o.err)
		return o
	}
	o.status = StatusRetrying
	o.next = time.Now().Add(max(e.backoff(r.attempts), e.appWait(wait)))
	return e.rateLimited(o, err)
}

// appWait bounds the wait an app asked for (its Retry-After) by the
// longest backoff: an absurd Retry-After (years, from a misconfigured
// proxy or a hostile app) holds a transaction and its connection no
// longer than a transient failure would, and the app is asked again then.
func (e *Engine) appWait(wait time.Duration) time.Duration {
	return min(wait, e.cfg.BackoffMax)
}

// retryRound is the current round of a transaction's attempts: those since
// it was stored, or since a person last retried it by hand after it
// failed or was skipped. Transient failures are retried for MaxAge from
// the round's beginning, with a backoff that starts again with it.
type retryRound struct {
	began    time.Time // when the transaction was stored, or the round's first attempt began
	attempts int       // the round's attempts, the current one included
}

// roundOf finds the current round of o's attempts in its attempt log,
// which does not hold the current attempt yet (begun at o.start).
func roundOf(o outcome) retryRound {
	atts := o.payloads.Attempts
	first := roundStart(atts)
	switch {
	case first == 0: // no final outcome: the round began when it was stored
		created, _ := time.Parse(types.DefaultDateLayout, o.tx.Created)
		return retryRound{began: created, attempts: o.tx.Attempts}
	case first == len(atts): // retried by hand: this attempt begins the round
		return retryRound{began: o.start, attempts: 1}
	default:
		return retryRound{began: atts[first].At, attempts: len(atts) - first + 1}
	}
}

// roundStart is the index in an attempt log of the first attempt after
// the last final outcome (failed, skipped or succeeded), which only a
// retry by hand is followed by: 0 when there is none, len(atts) when the
// last attempt is final.
func roundStart(atts []Attempt) int {
	for i := len(atts) - 1; i >= 0; i-- {
		if isFinalOutcome(atts[i].Outcome) {
			return i + 1
		}
	}
	return 0
}

// retriedByHand reports whether o's attempt belongs to a round a person
// began by retrying the transaction after its outcome: it is written even
// when unchanged since the last sync, since the person asked for it to be
// sent (the target lost it), and its content is what the target last got.
func retriedByHand(o outcome) bool {
	return roundStart(o.payloads.Attempts) > 0
}

// isFinalOutcome reports whether an attempt's outcome ended its
// transaction: it was not to be tried again by itself.
func isFinalOutcome(outcome string) bool {
	return outcome == StatusFailed || outcome == StatusSucceeded || strings.HasPrefix(outcome, StatusSkipped)
}

// describe words an error for the Activity page, without secrets.
func (e *Engine) describe(o outcome, err error) string {
	msg := err.Error()
	var ve mappings.Errors
	if errors.As(err, &ve) {
		msg = "mapping: " + msg
	}
	if o.flow != nil {
		msg = o.flow.redact.text(msg)
	}
	return truncate(msg, 20000)
}

// backoff is exponential with jitter: a random wait between half and
// all of base*2^(attempts-1), capped.
func (e *Engine) backoff(attempts int) time.Duration {
	d := e.cfg.BackoffBase
	for i := 1; i < attempts && d < e.cfg.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, e.cfg.BackoffMax)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// hashJSON is the content hash of a canonical record's JSON, for delta
// sync; JSON objects are encoded with sorted keys, so it is stable.
func hashJSON(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

type xrefRow struct {
	TargetID string `db:"target_id"`
	Hash     string `db:"hash"`
}
