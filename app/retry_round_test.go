package app

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestRetryRoundBeginsWhenStoredOrRetriedByHand: transient failures are
// retried for the max age from when the transaction was stored, or from
// its retry by hand after it failed or was skipped, with a backoff that
// starts again with the round; a long attempt log, trimmed, still says
// when the round began.
func TestRetryRoundBeginsWhenStoredOrRetriedByHand(t *testing.T) {
	stored := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	now := stored.Add(5 * 24 * time.Hour)
	at := func(h int) time.Time { return stored.Add(time.Duration(h) * time.Hour) }
	retrying := func(n int, from time.Time) []Attempt {
		out := make([]Attempt, n)
		for i := range out {
			out[i] = Attempt{At: from.Add(time.Duration(i) * time.Minute), Outcome: StatusRetrying}
		}
		return out
	}
	tests := []struct {
		name     string
		log      []Attempt
		claims   int // the transaction's attempts column, the current one included
		began    time.Time
		attempts int
	}{
		{"the first attempt", nil, 1, stored, 1},
		{"retrying since it was stored", retrying(3, at(1)), 4, stored, 4},
		{"retried by hand after it failed", []Attempt{{At: at(1), Outcome: StatusFailed}}, 2, now, 1},
		{"retried by hand after it was skipped", []Attempt{{At: at(1), Outcome: "skipped: unchanged"}}, 2, now, 1},
		{"retrying since a retry by hand",
			append([]Attempt{{At: at(1), Outcome: StatusFailed}}, retrying(3, at(100))...), 5, at(100), 4},
		{"retried by hand after it gave up",
			append(append(retrying(3, at(1)), Attempt{At: at(72), Outcome: StatusFailed}), retrying(2, at(110))...), 7, at(110), 3},
		{"a long round since a retry by hand, its log trimmed",
			trimAttempts(append(retrying(10, at(1)), append([]Attempt{{At: at(72), Outcome: StatusFailed}}, retrying(200, at(110))...)...)),
			212, at(110), maxAttemptsKept - 2 + 1},
		{"a long round since it was stored, its log trimmed", trimAttempts(retrying(200, at(1))), 201, stored, 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.log) > maxAttemptsKept {
				t.Fatalf("the log holds %d attempts, over %d", len(tt.log), maxAttemptsKept)
			}
			o := outcome{tx: claimed{Created: stored.Format(types.DefaultDateLayout), Attempts: tt.claims},
				payloads: Payloads{Attempts: tt.log}, start: now}
			r := roundOf(o)
			if !r.began.Equal(tt.began) || r.attempts != tt.attempts {
				t.Fatalf("round began %s with %d attempts, want %s with %d", r.began, r.attempts, tt.began, tt.attempts)
			}
		})
	}
}

// TestRetryByHandRetriesTransientFailuresOfAnOldTransaction: a transaction
// that failed days ago, retried by hand once its cause is fixed, meets a
// target that is briefly unavailable: it is retried until the target
// answers, not failed at once as if it had been retried for days.
func TestRetryByHandRetriesTransientFailuresOfAnOldTransaction(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.target.FailNext(connectors.Permanent(errors.New("422 SKU-1 has no tax class")))
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusFailed: 1})
	tx, err := fe.app.FindFirstRecordByData("transactions", "source_id", "p1")
	if err != nil {
		t.Fatal(err)
	}
	daysAgo := sqlTime(time.Now().Add(-4 * 24 * time.Hour))
	if _, err := fe.app.DB().Update("transactions", dbx.Params{"created": daysAgo, "updated": daysAgo},
		dbx.HashExp{"id": tx.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	fe.target.FailNext(connectors.Transient(errors.New("503 the ERP is restarting")))
	if _, err := fe.sb.engine.RetryTransaction(tx.Id); err != nil {
		t.Fatal(err)
	}
	var status, msg string
	eventually(t, "the retried transaction to finish", func() bool {
		rec, err := fe.app.FindRecordById("transactions", tx.Id)
		if err != nil {
			t.Fatal(err)
		}
		status, msg = rec.GetString("status"), rec.GetString("error")
		return status == StatusSucceeded || status == StatusFailed
	})
	if status != StatusSucceeded {
		t.Fatalf("the retried transaction is %s (%q), want succeeded once the target answers", status, msg)
	}
}

// TestARunCountsHowItsRecordsEndedThroughRetries: a record that fails, is
// retried by hand, fails again and then succeeds is counted once in its
// run, as it ended: the run's counts do not grow with each attempt.
func TestARunCountsHowItsRecordsEndedThroughRetries(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.target.FailNext(connectors.Permanent(errors.New("422 SKU-1 has no tax class")))
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.source.Add(connectors.Product, "p2", product("SKU-2", "Table"))
	run := fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusFailed: 1, StatusSucceeded: 1})
	tx, err := fe.app.FindFirstRecordByData("transactions", "status", StatusFailed)
	if err != nil {
		t.Fatal(err)
	}
	counts := func() string {
		rec, err := fe.app.FindRecordById("runs", run)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("read %d, succeeded %d, failed %d, skipped %d",
			rec.GetInt("read"), rec.GetInt("succeeded"), rec.GetInt("failed"), rec.GetInt("skipped"))
	}
	steps := []struct {
		name, want string
		failNext   bool
		end        string
	}{
		{"retried and failed again", "read 2, succeeded 1, failed 1, skipped 0", true, StatusFailed},
		{"retried and succeeded", "read 2, succeeded 2, failed 0, skipped 0", false, StatusSucceeded},
	}
	for _, st := range steps {
		if st.failNext {
			fe.target.FailNext(connectors.Permanent(errors.New("422 SKU-1 still has no tax class")))
		}
		if _, err := fe.sb.engine.RetryTransaction(tx.Id); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the retry to end "+st.end, func() bool {
			rec, err := fe.app.FindRecordById("transactions", tx.Id)
			return err == nil && rec.GetString("status") == st.end
		})
		eventually(t, st.name+": "+st.want, func() bool { return counts() == st.want })
	}
}
