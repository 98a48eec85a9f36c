package app

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/switchboard-app/switchboard/connectors"
)

// Transaction statuses.
const (
	StatusPending   = "pending"
	StatusRunning   = "running"
	StatusSucceeded = "succeeded"
	StatusSkipped   = "skipped"
	StatusFailed    = "failed"
	StatusRetrying  = "retrying"
	StatusResolved  = "resolved"
)

// sqlTime formats t as PocketBase stores dates, so that they sort as text.
func sqlTime(t time.Time) string { return t.UTC().Format(types.DefaultDateLayout) }

// inboxItem is one record to store as a transaction.
type inboxItem struct {
	flow   string
	run    string
	lane   string
	record connectors.Record
	input  string // encoded payloads holding the input
	err    string // the record could not be read: it is stored failed

	// lease, when set, stores the record claimed by this process until
	// then (running, its first attempt), as a claim would (handoff.go).
	lease time.Time
	id    string // its transaction's id, set when it is stored (or handed over)
	// handedOver is set for a record handed to the workers before it was
	// stored (deferred.go): its claim holds its input, which stays in its
	// row.
	handedOver bool
}

// maxRawBytes bounds the text of an unreadable record kept in its input.
const maxRawBytes = 16 << 10

// inboxInput returns a record's input payload and, for a record the source
// could not read, the error it is stored failed with. Such a record's
// input is its text and the cause, so that a person sees what was read.
func (e *Engine) inboxInput(rt *flowRuntime, r connectors.Record) (p Payloads, failure string) {
	if r.Err == nil {
		return Payloads{Input: rt.redact.record(r.Data)}, ""
	}
	cause := rt.redact.text(r.Err.Error())
	p = Payloads{Unreadable: true, Input: map[string]any{"raw": truncate(rt.redact.text(r.Raw), maxRawBytes), "error": cause}}
	return p, e.unreadable(rt, cause).Error()
}

// unreadable is the error of a record the source could not read, when it
// is read and on every retry: it cannot be read any better, so the error
// says what to do instead.
func (e *Engine) unreadable(rt *flowRuntime, cause string) error {
	if reg, ok := e.sb.registry.Lookup(rt.source.GetString("connector")); ok && reg.Spec.Category == connectors.CategoryFiles {
		return fmt.Errorf("this row could not be read from the file: %s; fix the file and send it again", cause)
	}
	return fmt.Errorf("this record could not be read from %s: %s; fix it there and send it again", rt.source.GetString("name"), cause)
}

// insertTransactionSQL stores a transaction: as a record is read (pending,
// failed or running), or with its outcome when it was handed over before
// it was stored (deferred.go).
const insertTransactionSQL = `INSERT INTO transactions
	(id, flow, run, status, key, source_id, target_id, lane, attempts, next_attempt, error, error_class, note, payloads, duration_ms, created, updated)
	VALUES ({:id}, {:flow}, {:run}, {:status}, {:key}, {:source_id}, {:target_id}, {:lane}, {:attempts}, {:next}, {:error}, {:class}, {:note},
		{:payloads}, {:ms}, {:created}, {:now})`

// insertInputSQL keeps the input of a transaction stored unfinished until
// its outcome stores the payloads (migration
// 1766200060_transaction_inputs.go): its row is inserted small and grows
// with the outcome, where a row inserted with its input shrank and left
// room in its page that no later row took.
const insertInputSQL = `INSERT INTO transaction_inputs (id, input) VALUES ({:id}, {:input})`

// inputApartBytes is the size from which an input waits apart from its
// row. A smaller one (a file's row, a short record) stays in the row: the
// outcome's payloads, which hold it compressed with the canonical and
// output records and the answer, are about as large or larger, so the row
// does not shrink, and the input costs no second row to store and delete.
const inputApartBytes = 256

// inputApart tells whether an item's input waits apart from its row.
func (it *inboxItem) inputApart() bool {
	return it.err == "" && !it.handedOver && len(it.input) >= inputApartBytes
}

// storedPayloadsOf is the stored payloads of the transaction row named by
// table: its payloads once an outcome stored them, else its input.
func storedPayloadsOf(table string) string {
	return `CASE WHEN ` + table + `.payloads != '' THEN ` + table + `.payloads
		ELSE COALESCE((SELECT i.input FROM transaction_inputs i WHERE i.id = ` + table + `.id), '') END`
}

// insertTransactions stores items as pending (or failed, or with a lease
// running) transactions inside tx, gives each its id, and returns how many
// it stored pending or running, and failed. A large input of one that is
// not failed waits in transaction_inputs (inputApart); another is stored
// as its payloads.
func insertTransactions(w *writerStatements, tx core.App, items []inboxItem, now time.Time) (pending, failed int, err error) {
	if len(items) == 0 {
		return 0, 0, nil
	}
	q, err := w.in(tx, insertTransactionSQL)
	if err != nil {
		return 0, 0, err
	}
	defer q.Close()
	inputs, err := w.in(tx, insertInputSQL)
	if err != nil {
		return 0, 0, err
	}
	defer inputs.Close()
	ts := sqlTime(now)
	for i := range items {
		it := &items[i]
		status, class, attempts, next := StatusPending, "", 0, ts
		switch {
		case it.err != "":
			status, class = StatusFailed, string(connectors.ClassPermanent)
			failed++
		case !it.lease.IsZero():
			status, attempts, next = StatusRunning, 1, sqlTime(it.lease)
			pending++
		default:
			pending++
		}
		// The id tells the time stored as created: Activity reads the
		// transactions in the order of their ids (migration
		// 1766300000_indexes_by_id.go).
		if it.id == "" {
			it.id = idAt(now)
		}
		payloads := it.input
		if it.inputApart() {
			payloads = ""
		}
		_, err := q.exec(dbx.Params{
			"id": it.id, "flow": it.flow, "run": it.run, "status": status,
			"key": it.storedKey(), "source_id": it.storedSourceID(), "lane": it.lane,
			"attempts": attempts, "next": next, "now": ts, "created": ts, "error": it.err, "class": class, "payloads": payloads,
			"target_id": "", "note": "", "ms": 0,
		})
		if err == nil && it.inputApart() {
			_, err = inputs.exec(dbx.Params{"id": it.id, "input": it.input})
		}
		if err != nil {
			return 0, 0, fmt.Errorf("storing transaction for %s: %w", recordKey(it.record), err)
		}
	}
	return pending, failed, nil
}

// storedKey and storedSourceID are the record's key and id as its
// transaction stores them.
func (it *inboxItem) storedKey() string      { return fitKey(recordKey(it.record), maxKey) }
func (it *inboxItem) storedSourceID() string { return fitKey(it.record.ID, maxKey) }

func recordKey(r connectors.Record) string {
	if r.Key != "" {
		return r.Key
	}
	return r.ID
}

// claimed is a transaction claimed by a worker.
type claimed struct {
	ID       string `db:"id"`
	Flow     string `db:"flow"`
	Run      string `db:"run"`
	Key      string `db:"key"`
	SourceID string `db:"source_id"`
	Attempts int    `db:"attempts"`
	Payloads string `db:"payloads"`
	Created  string `db:"created"`
	// InputApart is set when Payloads is the input kept apart, which the
	// outcome lets go of.
	InputApart bool    `db:"input_apart"`
	xref       xrefRow // the record's earlier write, read with the claim
	xrefRead   bool    // xref is read (attachXrefs reads it otherwise)
	// deferred is set for a record of a page handed over unstored
	// (deferred.go).
	deferred *deferredClaim
}

// openStatuses is the condition of the partial indexes of unfinished
// transactions (migration 1765600000_open_transaction_indexes.go). SQLite
// uses a partial index only for a query whose WHERE clause has the very
// term of the index, so the claim carries it as it is written there.
const openStatuses = "(status = 'pending' OR status = 'retrying' OR status = 'running')"

// indexedStatuses is the condition of Activity's status indexes (migration
// 1765900000_ascending_indexes.go): the statuses a transaction waits in or
// ends in when it needs attention. A query for one of them uses the
// indexes as it is written; a query for several asks for each. Succeeded
// transactions, nearly all of the history, are read newest first from the
// time indexes; running ones from the indexes of unfinished ones.
const indexedStatuses = "(status = 'pending' OR status = 'failed' OR status = 'skipped' OR " +
	"status = 'retrying' OR status = 'resolved')"

// openStatusesOf is openStatuses of the table named by alias.
func openStatusesOf(alias string) string {
	return strings.ReplaceAll(openStatuses, "status", alias+".status")
}

// claimSQL takes one flow's due transactions whose lane has no earlier
// unfinished transaction, and leases them until {:lease}. A running
// transaction whose lease has passed (its worker died) is due again. Each
// status is read in the order of the (flow, status, next_attempt) index of
// unfinished transactions, so a claim reads only the rows it takes,
// however long the queue or the history, and the backlog of a paused flow
// costs nothing. The limit is a CAST: SQLite compiles a statement whose
// LIMIT is a bare parameter again each time that parameter is bound.
var claimSQL = `UPDATE transactions
	SET status = 'running', next_attempt = {:lease}, attempts = attempts + 1, updated = {:now}
	WHERE id IN (` + dueSQL(StatusPending) + ` UNION ALL ` + dueSQL(StatusRetrying) + ` UNION ALL ` + dueSQL(StatusRunning) + `)
	RETURNING id, flow, run, key, source_id, attempts, ` + storedPayloadsOf("transactions") + ` AS payloads, created,
		payloads = '' AS input_apart`

func dueSQL(status string) string {
	return `SELECT id FROM (SELECT t.id FROM transactions t
		WHERE t.flow = {:flow} AND t.status = '` + status + `' AND ` + openStatusesOf("t") + ` AND t.next_attempt <= {:now}
		AND NOT EXISTS (
			SELECT 1 FROM transactions e
			WHERE e.flow = t.flow AND e.lane = t.lane AND e.rowid < t.rowid
			AND ` + openStatusesOf("e") + `)
		ORDER BY t.next_attempt LIMIT CAST({:limit} AS INTEGER))`
}

// claimer claims transactions with one prepared statement, kept for the
// engine's life: the claim runs many times a second.
type claimer struct {
	app  core.App
	stmt *dbx.Query
}

func newClaimer(app core.App) *claimer {
	return &claimer{app: app, stmt: app.NonconcurrentDB().NewQuery(claimSQL).Prepare()}
}

func (c *claimer) close() { _ = c.stmt.Close() }

// claim leases up to limit due transactions of the given flows, taking the
// flows in turn from the first.
func (c *claimer) claim(limit int, lease time.Duration, flows []string, now time.Time) ([]claimed, error) {
	var out []claimed
	for _, flow := range flows {
		var got []claimed
		params := dbx.Params{"flow": flow, "now": sqlTime(now), "lease": sqlTime(now.Add(lease)), "limit": limit - len(out)}
		if err := c.stmt.Bind(params).All(&got); err != nil {
			return out, fmt.Errorf("claiming transactions: %w", err)
		}
		out = append(out, got...)
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

// attachXrefs reads the xrefs of claimed transactions, one query per flow.
// Xrefs belong to the flow's source and target connections, entity and
// place in the target, not to the flow: scopeOf gives their number. A
// transaction's xref cannot change while it is claimed:
// only an earlier transaction of its lane writes it, and that one has
// finished. (Another flow between the same connections could; the
// target's answer to the update then decides.)
func attachXrefs(w *writerStatements, app core.App, claims []claimed, scopeOf func(flow string) (int64, error)) error {
	byFlow := map[string][]int{}
	for i, c := range claims {
		if !c.xrefRead {
			byFlow[c.Flow] = append(byFlow[c.Flow], i)
		}
	}
	for flow, idx := range byFlow {
		scope, err := scopeOf(flow)
		if err != nil {
			return err
		}
		if err := attachFlowXrefs(w, app, scope, claims, idx); err != nil {
			return err
		}
	}
	return nil
}

// claimXrefsSQL selects the xrefs of a flow's scope (the number its
// runtime found) of a list of source ids (textList).
const claimXrefsSQL = `SELECT x.source_id, x.target_id, x.hash FROM xrefs x
	WHERE x.scope = {:scope} AND x.source_id IN (SELECT CAST(unhex(value) AS TEXT) FROM json_each({:ids}))`

// attachFlowXrefs reads the xrefs of the claims at idx, all of one flow
// whose xrefs' scope is numbered scope (0: none yet, so no xrefs).
func attachFlowXrefs(w *writerStatements, app core.App, scope int64, claims []claimed, idx []int) error {
	if scope == 0 {
		noXrefs(claims, idx)
		return nil
	}
	q, err := w.in(app, claimXrefsSQL)
	if err != nil {
		return err
	}
	defer q.Close()
	rows, err := q.query(xrefParams(scope, claims, idx))
	if err != nil {
		return fmt.Errorf("reading xrefs: %w", err)
	}
	return scanXrefs(rows, claims, idx)
}

// xrefParams are claimXrefsSQL's parameters for the claims at idx.
func xrefParams(scope int64, claims []claimed, idx []int) dbx.Params {
	ids := make([]string, len(idx))
	for j, i := range idx {
		ids[j] = claims[i].SourceID
	}
	return dbx.Params{"scope": scope, "ids": textList(ids)}
}

// noXrefs marks the claims at idx read, with no xref: their flow's scope
// has none.
func noXrefs(claims []claimed, idx []int) {
	for _, i := range idx {
		claims[i].xref, claims[i].xrefRead = xrefRow{}, true
	}
}

// scanXrefs attaches the xrefs of claimXrefsSQL's rows to the claims at
// idx, and closes rows.
func scanXrefs(rows *sql.Rows, claims []claimed, idx []int) error {
	defer rows.Close()
	found := map[string]xrefRow{}
	for rows.Next() {
		var sourceID string
		var x xrefRow
		if err := rows.Scan(&sourceID, &x.TargetID, &x.Hash); err != nil {
			return fmt.Errorf("reading xrefs: %w", err)
		}
		found[sourceID] = x
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading xrefs: %w", err)
	}
	for _, i := range idx {
		claims[i].xref, claims[i].xrefRead = found[claims[i].SourceID], true
	}
	return nil
}
