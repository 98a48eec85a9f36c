package app

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// RetryTransaction puts one failed or skipped transaction back in the
// inbox. It answers ErrNotFound, a *FlowDeletedError, ErrFlowDisabled (it
// would wait in the inbox, neither run nor be resolvable, until its flow
// is enabled) or a *NotRetryableError when it cannot. A refusal names the
// transaction's state when the retry was refused, not when it was asked:
// a retry clicked twice at once finds it put back by the other.
func (e *Engine) RetryTransaction(id string) (int64, error) {
	return e.RetryTransactionSeen(id, time.Time{})
}

// RetryTransactionSeen is RetryTransaction of the transaction as a page
// showed it at seen (the zero time: as it is now). One changed since,
// retried meanwhile and failed again (a button clicked twice, another
// user), is left alone and answered as retried already, so that a second
// click does not run it again.
func (e *Engine) RetryTransactionSeen(id string, seen time.Time) (int64, error) {
	tx, err := e.app().FindRecordById("transactions", id)
	if err != nil {
		return 0, ErrNotFound
	}
	if err := e.canRunAgain(tx); err != nil {
		return 0, err
	}
	if e.beforeRetry != nil {
		e.beforeRetry()
	}
	n, err := e.Retry(dbx.And(dbx.HashExp{"id": tx.Id}, unchangedSince(seen)))
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, e.whyNotRetried(id, tx.GetString("status"), seen)
	}
	return n, nil
}

// unchangedSince matches the transactions not changed after seen, which a
// page showed as they are; nil (all) for the zero time. Stored times are
// text of one layout, which sorts as the times do.
func unchangedSince(seen time.Time) dbx.Expression {
	if seen.IsZero() {
		return nil
	}
	return dbx.NewExp("updated <= {:seen}", dbx.Params{"seen": sqlTime(seen)})
}

// canRunAgain refuses a transaction whose flow was deleted or is disabled.
func (e *Engine) canRunAgain(tx *core.Record) error {
	if tx.GetString("flow") == "" {
		return &FlowDeletedError{FlowName: tx.GetString("flow_name")}
	}
	if _, enabled := e.flowEnabledByID(tx.GetString("flow")); !enabled {
		return ErrFlowDisabled
	}
	return nil
}

// whyNotRetried reads a transaction again after its retry changed nothing,
// and says why in its current state: another retry put it back meanwhile,
// or its flow was disabled or deleted, or it was never failed or skipped.
// A transaction failed or skipped again after seen was retried meanwhile.
func (e *Engine) whyNotRetried(id, before string, seen time.Time) error {
	tx, err := e.app().FindRecordById("transactions", id)
	if err != nil {
		return ErrNotFound
	}
	if err := e.canRunAgain(tx); err != nil {
		return err
	}
	now := tx.GetString("status")
	wasRetryable := before == StatusFailed || before == StatusSkipped
	inInbox := now == StatusPending || now == StatusRunning || now == StatusRetrying
	changed := !seen.IsZero() && tx.GetString("updated") > sqlTime(seen)
	return &NotRetryableError{Status: now, Already: wasRetryable && (inInbox || changed)}
}

// RetryFailed puts every failed transaction of a flow back in the inbox
// and answers how many; ErrNotFound when there is no such flow,
// ErrFlowDisabled when it or its integration is disabled.
func (e *Engine) RetryFailed(flowID string) (int64, error) {
	return e.RetryFailedSeen(flowID, time.Time{})
}

// RetryFailedSeen is RetryFailed of the failed transactions a page showed
// at seen (the zero time: as they are now): those failed again after it,
// retried meanwhile by a second click, are left alone.
func (e *Engine) RetryFailedSeen(flowID string, seen time.Time) (int64, error) {
	found, enabled := e.flowEnabledByID(flowID)
	switch {
	case !found:
		return 0, ErrNotFound
	case !enabled:
		return 0, ErrFlowDisabled
	}
	return e.Retry(dbx.And(dbx.HashExp{"flow": flowID, "status": StatusFailed}, unchangedSince(seen)))
}

// RetrySelected puts the failed or skipped transactions among ids back in
// the inbox and answers how many; the others, and those of deleted or
// disabled flows, are left alone. The ids are bound as one JSON array, so
// that a selection of any length stays within what SQLite binds in one
// statement.
func (e *Engine) RetrySelected(ids []string) (int64, error) {
	return e.RetrySelectedSeen(ids, time.Time{})
}

// RetrySelectedSeen is RetrySelected of the transactions as a page showed
// them at seen (the zero time: as they are now): those changed since,
// retried meanwhile by a second click, are left alone.
func (e *Engine) RetrySelectedSeen(ids []string, seen time.Time) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return 0, fmt.Errorf("listing the selected transactions: %w", err)
	}
	selected := dbx.NewExp("id IN (SELECT value FROM json_each({:selected}))", dbx.Params{"selected": string(list)})
	return e.Retry(dbx.And(selected, unchangedSince(seen)))
}

// Retry puts the failed or skipped transactions that match back in the
// inbox: they run again through the flow's current mapping and rules.
// Those whose flow was deleted cannot run again, and those whose flow or
// integration is disabled would not run until it is enabled: they are
// left alone.
func (e *Engine) Retry(where dbx.Expression) (int64, error) {
	enabled := dbx.NewExp("flow IN (" + enabledFlowsSQL + ")")
	now := types.NowDateTime().String()
	var n int64
	err := e.app().RunInTransaction(func(tx core.App) error {
		n = 0
		for _, status := range []string{StatusFailed, StatusSkipped} { // one status each: see indexedStatuses
			match := dbx.And(where, dbx.HashExp{"status": status}, enabled)
			if err := uncountOutcomes(tx, match, status, now); err != nil {
				return err
			}
			res, err := tx.DB().Update("transactions",
				dbx.Params{"status": StatusPending, "next_attempt": now, "error": "", "error_class": "", "note": "", "updated": now},
				match).Execute()
			if err != nil {
				return err
			}
			affected, _ := res.RowsAffected()
			n += affected
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	e.Wake()
	return n, nil
}

// uncountOutcomes takes the transactions that match, all of status
// (failed or skipped), out of their runs' counts of it, as they are put
// back in the inbox: the outcome of their next attempt is counted in
// their place, so that a run's counts say how its records ended, however
// often they were retried.
func uncountOutcomes(tx core.App, match dbx.Expression, status, now string) error {
	var runs []struct {
		Run string `db:"run"`
		N   int    `db:"n"`
	}
	err := tx.DB().Select("run", "COUNT(*) AS n").From("transactions").
		Where(dbx.And(match, dbx.Not(dbx.HashExp{"run": ""}))).GroupBy("run").All(&runs)
	if err != nil {
		return fmt.Errorf("counting the runs' retried transactions: %w", err)
	}
	column := map[string]string{StatusFailed: "failed", StatusSkipped: "skipped"}[status]
	for _, r := range runs {
		_, err := tx.DB().NewQuery("UPDATE runs SET " + column + " = MAX(" + column + " - {:n}, 0), updated = {:now} WHERE id = {:id}").
			Bind(dbx.Params{"n": r.N, "now": now, "id": r.Run}).Execute()
		if err != nil {
			return fmt.Errorf("uncounting the retried transactions of run %s: %w", r.Run, err)
		}
	}
	return nil
}

// flowEnabledByID reports whether a flow exists and whether it moves
// records (flowEnabled).
func (e *Engine) flowEnabledByID(flowID string) (found, enabled bool) {
	flow, err := e.app().FindRecordById(flowsCollection, flowID)
	if err != nil {
		return false, false
	}
	integ, _ := e.app().FindRecordById("integrations", flow.GetString("integration"))
	return true, flowEnabled(flow, integ)
}

// Resolve marks a failed or retrying transaction done by hand, with a note
// naming who resolved it (never by e-mail address) and why. It answers
// ErrNotFound, or a *NotResolvableError (an ErrNotResolvable) naming its
// status, when it cannot.
func (e *Engine) Resolve(id string, by *core.Record, note string) error {
	if !e.exists("transactions", id) {
		return ErrNotFound
	}
	text := "resolved by hand by " + resolverName(by)
	if note != "" {
		text += ": " + note
	}
	var resolved bool
	err := e.app().RunInTransaction(func(tx core.App) error {
		var err error
		resolved, err = resolveTransaction(tx, id, dbx.Params{"status": StatusResolved, "note": truncate(text, 2000),
			"resolved_by": resolverID(by), "updated": types.NowDateTime().String()})
		return err
	})
	if err != nil {
		return fmt.Errorf("resolving transaction %s: %w", id, err)
	}
	if !resolved {
		return e.whyNotResolved(id)
	}
	return nil
}

// resolveTransaction sets a failed or retrying transaction to set, inside
// tx, and reports whether it was either. A retrying one was never counted
// in its run: it is counted failed now, as a failed one resolved stays
// counted, so that the run's counts still add up to what it read.
func resolveTransaction(tx core.App, id string, set dbx.Params) (bool, error) {
	var run string
	err := tx.DB().Select("run").From("transactions").
		Where(dbx.HashExp{"id": id, "status": StatusRetrying}).Row(&run)
	retrying := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("reading the status: %w", err)
	}
	res, err := tx.DB().Update("transactions", set,
		dbx.And(dbx.HashExp{"id": id}, dbx.In("status", StatusFailed, StatusRetrying))).Execute()
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if retrying && run != "" {
		_, err := tx.DB().NewQuery("UPDATE runs SET failed = failed + 1, updated = {:now} WHERE id = {:id}").
			Bind(dbx.Params{"now": set["updated"], "id": run}).Execute()
		if err != nil {
			return false, fmt.Errorf("counting it failed in run %s: %w", run, err)
		}
	}
	return true, nil
}

// whyNotResolved reads a transaction again after its resolve changed
// nothing, and names its status then (resolved by a click before, put
// back by a retry meanwhile).
func (e *Engine) whyNotResolved(id string) error {
	tx, err := e.app().FindRecordById("transactions", id)
	if err != nil {
		return ErrNotFound
	}
	return &NotResolvableError{Status: tx.GetString("status")}
}

// resolverName names who resolved a transaction in its note, which every
// role reads: the user's name, else their role, never their e-mail address.
func resolverName(auth *core.Record) string {
	switch {
	case auth == nil:
		return "an unknown user"
	case auth.IsSuperuser():
		return "a superuser"
	case strings.TrimSpace(auth.GetString("name")) != "":
		return strings.TrimSpace(auth.GetString("name"))
	default:
		return "a user with role " + auth.GetString("role")
	}
}

// resolverID is the user kept in a transaction's resolved_by; superusers
// are no users, so they leave it empty.
func resolverID(auth *core.Record) string {
	if auth == nil || auth.IsSuperuser() {
		return ""
	}
	return auth.Id
}

// TransactionPayloads returns a transaction's payloads, redacted again with
// its flow's current secrets: payloads stored by an older version may hold
// forms of a secret that it did not redact. ErrNotFound when there is no
// such transaction.
func (e *Engine) TransactionPayloads(id string) (Payloads, error) {
	var payloads, flow string
	err := e.app().DB().NewQuery("SELECT "+storedPayloadsOf("t")+", t.flow FROM transactions t WHERE t.id = {:id}").
		Bind(dbx.Params{"id": id}).Row(&payloads, &flow)
	if errors.Is(err, sql.ErrNoRows) {
		return Payloads{}, ErrNotFound
	}
	if err != nil {
		return Payloads{}, fmt.Errorf("reading the payloads of transaction %s: %w", id, err)
	}
	p, err := e.payloads.decode(payloads)
	if err != nil {
		return Payloads{}, err
	}
	if rt, err := e.loadFlow(flow); err == nil {
		p = rt.redact.payloads(p)
	}
	return p, nil
}
