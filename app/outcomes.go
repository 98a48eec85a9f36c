package app

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// commitBatch and commitWait bound how many outcomes are committed in one
// SQLite transaction, and how long the first of them waits for company.
const (
	commitBatch = 256
	commitWait  = 20 * time.Millisecond
)

// commitLoop records outcomes in batches until the outcome channel closes.
func (e *Engine) commitLoop() {
	for {
		batch, open := e.nextBatch()
		if len(batch) > 0 {
			e.commit(batch)
		}
		if !open {
			return
		}
	}
}

func (e *Engine) nextBatch() ([]outcome, bool) {
	first, ok := <-e.outcomes
	if !ok {
		return nil, false
	}
	batch := []outcome{first}
	timer := time.NewTimer(commitWait)
	defer timer.Stop()
	for len(batch) < commitBatch {
		select {
		case o, ok := <-e.outcomes:
			if !ok {
				return batch, false
			}
			batch = append(batch, o)
		case <-timer.C:
			return batch, true
		}
	}
	return batch, true
}

// commit writes a batch of outcomes, their xrefs, run counts and usage in
// one transaction, then updates connection health and alerts. A batch that
// cannot be committed is retried one outcome at a time, so that one bad
// row does not hold the others back; a transaction whose outcome is lost
// is taken up again when its lease runs out.
func (e *Engine) commit(batch []outcome) {
	e.leases.record(batch, func() {
		err := e.app().RunInTransaction(func(tx core.App) error { return writeOutcomes(e.stmts, tx, batch, time.Now()) })
		if err == nil {
			return
		}
		e.logger().Error("recording outcomes", slog.Int("count", len(batch)), slog.String("error", err.Error()))
		for _, o := range batch {
			one := []outcome{o}
			if err := e.app().RunInTransaction(func(tx core.App) error { return writeOutcomes(e.stmts, tx, one, time.Now()) }); err != nil {
				e.logger().Error("recording outcome", slog.String("transaction", o.tx.ID), slog.String("error", err.Error()))
			}
		}
	})
	e.afterCommit(batch)
}

// afterCommit updates metrics, connection health and alerts for outcomes
// that were recorded (their transactions already dropped).
func (e *Engine) afterCommit(batch []outcome) {
	e.sb.metrics.outcomes(batch)
	failures := map[string]int{}
	for _, o := range batch {
		switch {
		case o.succeeded != "":
			e.health.ok(o.succeeded, o.start)
		case o.blame != "" && !o.pausedUntil.IsZero(): // a rate limit is a pause, not a failure
			e.pauses.pause(o.blame, o.pausedUntil)
		case o.blame != "" && o.reconnect:
			e.reconnects.need(o.blame, o.err, o.start)
		case o.blame != "" && o.attention:
			e.health.attention(o.blame, o.err, o.start)
		case o.blame != "" && o.status == StatusRetrying:
			e.health.failed(o.blame, o.err, o.start, o.start.Add(o.duration))
		}
		if o.status == StatusFailed {
			failures[o.tx.Flow]++
		}
	}
	for flow, n := range failures {
		e.alerts.failed(flow, n)
	}
	if hasRetry(batch) {
		e.Wake()
	}
}

func hasRetry(batch []outcome) bool {
	for _, o := range batch {
		if o.status == StatusRetrying {
			return true
		}
	}
	return false
}

const updateOutcomeSQL = `UPDATE transactions SET status = {:status}, target_id = {:target_id}, error = {:error},
	error_class = {:class}, note = {:note}, next_attempt = {:next}, payloads = {:payloads},
	duration_ms = {:ms}, updated = {:now} WHERE id = {:id}`

// deleteInputsSQL lets go of the inputs kept apart (insertInputSQL) of a
// batch's transactions (textList), once their outcomes stored the
// payloads, which hold them.
const deleteInputsSQL = `DELETE FROM transaction_inputs WHERE id IN (SELECT CAST(unhex(value) AS TEXT) FROM json_each({:ids}))`

// upsertXrefSQL records where a source record went, keyed by the number
// of the flow's connections and entity (its scope), so that any flow
// between them finds it. It inserts one row of VALUES: an INSERT … SELECT
// may write many rows, and SQLite then keeps a statement journal of every
// page it changes. The xref keeps the connections too: deleting either
// deletes it.
const upsertXrefSQL = `INSERT INTO xrefs (id, scope, source, target, entity, source_id, key, target_id, hash, created, updated)
	VALUES ({:id}, {:scope}, {:source}, {:target}, {:entity}, {:source_id}, {:key}, {:target_id}, {:hash}, {:now}, {:now})
	ON CONFLICT (scope, source_id) DO UPDATE SET key = excluded.key, target_id = excluded.target_id,
		hash = excluded.hash, updated = excluded.updated`

// xrefScope is what a flow's xrefs are keyed by: its connections, entity
// and place in the target, and their number in xref_scopes (ID). found is
// false for a flow deleted meanwhile, whose outcomes record no xref.
type xrefScope struct {
	Source, Target, Entity, Place string
	ID                            int64
	found                         bool
}

// xrefScopes reads each flow's xrefScope once per batch, in the batch's
// transaction, and numbers a scope met for the first time.
type xrefScopes struct {
	query *boundStmt // xrefScopeSQL
	add   func(xrefScope) (int64, error)
	flows map[[2]string]xrefScope // by flow and place
}

// xrefScopeSQL reads a flow's connections and entity, and their number
// with the place (0 for none yet).
const xrefScopeSQL = `SELECT f.source, f.target, f.entity, COALESCE(s.id, 0) FROM flows f
	LEFT JOIN xref_scopes s ON s.source = f.source AND s.target = f.target AND s.entity = f.entity AND s.place = {:place}
	WHERE f.id = {:id}`

// addXrefScopeSQL numbers a scope; it runs once per pair of connections,
// entity and place, so it is compiled when it is needed.
const addXrefScopeSQL = `INSERT INTO xref_scopes (source, target, entity, place) VALUES ({:source}, {:target}, {:entity}, {:place}) RETURNING id`

// of returns the scope of a flow's outcome written to place.
func (s *xrefScopes) of(flow, place string) (xrefScope, error) {
	if sc, ok := s.flows[[2]string{flow, place}]; ok {
		return sc, nil
	}
	sc := xrefScope{Place: place}
	err := s.query.queryRow(dbx.Params{"id": flow, "place": place}, &sc.Source, &sc.Target, &sc.Entity, &sc.ID)
	switch {
	case err == nil:
		sc.found = true
	case !isNoRows(err):
		return sc, fmt.Errorf("reading flow %s: %w", flow, err)
	}
	if sc.found && sc.ID == 0 {
		if sc.ID, err = s.add(sc); err != nil {
			return sc, fmt.Errorf("numbering the xrefs of flow %s: %w", flow, err)
		}
	}
	s.flows[[2]string{flow, place}] = sc
	return sc, nil
}

// addXrefScope numbers sc in tx.
func addXrefScope(w *writerStatements, tx core.App, sc xrefScope) (int64, error) {
	q, err := w.in(tx, addXrefScopeSQL)
	if err != nil {
		return 0, err
	}
	defer q.Close()
	var id int64
	err = q.queryRow(dbx.Params{"source": sc.Source, "target": sc.Target, "entity": sc.Entity, "place": sc.Place}, &id)
	return id, err
}

// writeOutcomes records the outcomes of stored transactions, in tx.
func writeOutcomes(w *writerStatements, tx core.App, batch []outcome, now time.Time) error {
	return recordOutcomes(w, tx, batch, now, false)
}

// recordOutcomes records a batch of outcomes with their xrefs, run counts
// and usage, in tx: of stored transactions, or (insert) of records handed
// over unstored, whose transactions it stores.
func recordOutcomes(w *writerStatements, tx core.App, batch []outcome, now time.Time, insert bool) error {
	if len(batch) == 0 {
		return nil
	}
	text := updateOutcomeSQL
	if insert {
		text = insertTransactionSQL
	}
	update, err := w.in(tx, text)
	if err != nil {
		return err
	}
	defer update.Close()
	xref, err := w.in(tx, upsertXrefSQL)
	if err != nil {
		return err
	}
	defer xref.Close()
	scope, err := w.in(tx, xrefScopeSQL)
	if err != nil {
		return err
	}
	defer scope.Close()
	scopes := &xrefScopes{query: scope, flows: map[[2]string]xrefScope{},
		add: func(sc xrefScope) (int64, error) { return addXrefScope(w, tx, sc) }}
	ts := sqlTime(now)
	counts := map[string]*runCounts{}
	writes := map[string]int{}
	var apart []string
	for _, o := range batch {
		if o.tx.InputApart {
			apart = append(apart, o.tx.ID)
		}
		if err := writeOutcome(update, o, ts, insert); err != nil {
			return err
		}
		if err := writeXref(xref, scopes, o, ts); err != nil {
			return err
		}
		countOutcome(counts, o)
		if o.succeeded != "" {
			writes[o.succeeded]++
		}
	}
	if err := deleteInputs(w, tx, apart); err != nil {
		return err
	}
	if err := addRunCounts(w, tx, counts, ts); err != nil {
		return err
	}
	return addUsage(w, tx, writes, "writes", now)
}

// deleteInputs lets go of the inputs kept apart of transactions whose
// outcome is recorded.
func deleteInputs(w *writerStatements, tx core.App, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	q, err := w.in(tx, deleteInputsSQL)
	if err != nil {
		return err
	}
	defer q.Close()
	if _, err := q.exec(dbx.Params{"ids": textList(ids)}); err != nil {
		return fmt.Errorf("letting go of %d inputs: %w", len(ids), err)
	}
	return nil
}

func writeOutcome(update *boundStmt, o outcome, ts string, insert bool) error {
	payloads := o.encoded
	if payloads == "" {
		var err error
		if payloads, err = encodePayloads(o.payloads); err != nil {
			return err
		}
	}
	next := ""
	if !o.next.IsZero() {
		next = sqlTime(o.next)
	}
	params := dbx.Params{
		"id": o.tx.ID, "status": o.status, "target_id": truncateKey(o.targetID, 500), "error": o.err,
		"class": string(o.class), "note": truncate(o.note, 2000), "next": next, "payloads": storedPayloads(payloads),
		"ms": o.duration.Milliseconds(), "now": ts,
	}
	if insert {
		params["flow"], params["run"], params["key"], params["source_id"] = o.tx.Flow, o.tx.Run, o.tx.Key, o.tx.SourceID
		params["lane"], params["attempts"], params["created"] = o.tx.deferred.lane(), o.tx.Attempts, o.tx.Created
	}
	_, err := update.exec(params)
	if err != nil {
		return fmt.Errorf("recording transaction %s: %w", o.tx.ID, err)
	}
	return nil
}

// writeXref records where a succeeded write went.
func writeXref(xref *boundStmt, scopes *xrefScopes, o outcome, ts string) error {
	if o.status != StatusSucceeded || o.succeeded == "" || o.tx.SourceID == "" {
		return nil
	}
	sc, err := scopes.of(o.tx.Flow, o.place())
	if err != nil || !sc.found {
		return err
	}
	_, err = xref.exec(dbx.Params{
		"id": newID(), "scope": sc.ID, "source": sc.Source, "target": sc.Target, "entity": sc.Entity, "source_id": o.tx.SourceID,
		"key": fitKey(o.tx.Key, maxKey), "target_id": truncateKey(o.targetID, 500), "hash": o.hash, "now": ts,
	})
	if err != nil {
		return fmt.Errorf("recording xref for %s: %w", o.tx.Key, err)
	}
	return nil
}

// place is where the outcome's write went: its flow's place.
func (o outcome) place() string {
	if o.flow == nil {
		return ""
	}
	return o.flow.place
}

type runCounts struct{ succeeded, failed, skipped int }

func countOutcome(counts map[string]*runCounts, o outcome) {
	if o.tx.Run == "" {
		return
	}
	c := counts[o.tx.Run]
	if c == nil {
		c = &runCounts{}
		counts[o.tx.Run] = c
	}
	switch o.status {
	case StatusSucceeded:
		c.succeeded++
	case StatusFailed:
		c.failed++
	case StatusSkipped:
		c.skipped++
	}
}

const addRunCountsSQL = `UPDATE runs SET succeeded = succeeded + {:s}, failed = failed + {:f},
	skipped = skipped + {:k}, updated = {:now} WHERE id = {:id}`

func addRunCounts(w *writerStatements, tx core.App, counts map[string]*runCounts, ts string) error {
	if len(counts) == 0 {
		return nil
	}
	q, err := w.in(tx, addRunCountsSQL)
	if err != nil {
		return err
	}
	defer q.Close()
	for run, c := range counts {
		_, err := q.exec(dbx.Params{"s": c.succeeded, "f": c.failed, "k": c.skipped, "now": ts, "id": run})
		if err != nil {
			return fmt.Errorf("counting run %s: %w", run, err)
		}
	}
	return nil
}

const addUsageSQL = `INSERT INTO usage (id, connection, month, reads, writes, created, updated)
	VALUES ({:id}, {:conn}, {:month}, {:reads}, {:writes}, {:now}, {:now})
	ON CONFLICT (connection, month) DO UPDATE SET reads = reads + excluded.reads,
	writes = writes + excluded.writes, updated = excluded.updated`

// addUsage adds reads or writes per connection to this month's usage.
func addUsage(w *writerStatements, tx core.App, counts map[string]int, column string, now time.Time) error {
	if len(counts) == 0 {
		return nil
	}
	q, err := w.in(tx, addUsageSQL)
	if err != nil {
		return err
	}
	defer q.Close()
	month := now.UTC().Format("2006-01")
	ts := sqlTime(now)
	for conn, n := range counts {
		reads, writes := 0, n
		if column == "reads" {
			reads, writes = n, 0
		}
		_, err := q.exec(dbx.Params{"id": newID(), "conn": conn, "month": month,
			"reads": reads, "writes": writes, "now": ts})
		if err != nil {
			return fmt.Errorf("counting usage: %w", err)
		}
	}
	return nil
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
