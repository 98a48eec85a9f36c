package app

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestARetryClickedTwiceAtOnceNamesTheCurrentState: two retries of the
// same failed transaction at once both read it failed; the second finds it
// pending when it comes to put it back, and its refusal says so (it was
// retried already, it is pending now), not "this one is failed". A flow
// disabled between the read and the update is refused as disabled.
func TestARetryClickedTwiceAtOnceNamesTheCurrentState(t *testing.T) {
	cases := []struct {
		name    string
		between func(t *testing.T, env *testEnv, id string) // what happens between the read and the update
		check   func(t *testing.T, err error)
	}{
		{name: "another retry put it back meanwhile", between: func(t *testing.T, env *testEnv, id string) {
			if n, err := env.sb.engine.Retry(dbx.HashExp{"id": id}); err != nil || n != 1 {
				t.Fatalf("the other retry: %d, %v", n, err)
			}
		}, check: func(t *testing.T, err error) {
			var refused *NotRetryableError
			if !errors.As(err, &refused) || refused.Status != StatusPending || !refused.Already {
				t.Fatalf("err %#v, want a refusal naming it pending and retried already", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "it was retried already and is pending now") || strings.Contains(msg, "is failed") {
				t.Fatalf("message %q", msg)
			}
		}},
		{name: "its flow was disabled meanwhile", between: func(t *testing.T, env *testEnv, id string) {
			flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
			flow.Set("enabled", false)
			if err := env.app.Save(flow); err != nil {
				t.Fatal(err)
			}
		}, check: func(t *testing.T, err error) {
			if !errors.Is(err, ErrFlowDisabled) {
				t.Fatalf("err %v, want ErrFlowDisabled", err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t)
			seedFailed(t, env)
			tx, _ := env.app.FindFirstRecordByData("transactions", "key", "1001")
			env.sb.engine.beforeRetry = func() { tc.between(t, env, tx.Id) }
			n, err := env.sb.engine.RetryTransaction(tx.Id)
			if n != 0 {
				t.Fatalf("retried %d, want the second retry refused", n)
			}
			tc.check(t, err)
		})
	}
}

// TestTheRetryRouteSaysItWasRetriedAlready: the route's refusal of the
// second of two retries at once says it was retried already (and is
// pending, or running by then: the engine runs).
func TestTheRetryRouteSaysItWasRetriedAlready(t *testing.T) {
	scenario{name: "a retry clicked twice at once", as: "operator", method: http.MethodPost, url: txPath("/retry"),
		seed: func(t testing.TB, env *testEnv) {
			seedFailed(t, env)
			tx, _ := env.app.FindFirstRecordByData("transactions", "key", "1001")
			env.sb.engine.beforeRetry = func() {
				if _, err := env.sb.engine.Retry(dbx.HashExp{"id": tx.Id}); err != nil {
					t.Error(err)
				}
			}
		}, status: 409, want: []string{`"message":"It was retried already and is `, ` now."`},
		notWant: []string{"is failed"}}.run(t)
}

// TestARetryByHandOfAnUnchangedRecordWritesIt: a record skipped as
// unchanged since the last sync, retried by hand (the target lost it, or
// was restored from a backup), is written again, not skipped again as
// unchanged: the person asked for it to be sent. Its content is what the
// target last got, so nothing newer is overwritten.
func TestARetryByHandOfAnUnchangedRecordWritesIt(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1, StatusSkipped: 1})
	skipped, err := fe.app.FindFirstRecordByData("transactions", "status", StatusSkipped)
	if err != nil {
		t.Fatal(err)
	}
	writes := fe.target.Writes()
	if _, err := fe.sb.engine.RetryTransaction(skipped.Id); err != nil {
		t.Fatal(err)
	}
	var rec *core.Record
	eventually(t, "the retry to end", func() bool {
		rec, err = fe.app.FindRecordById("transactions", skipped.Id)
		return err == nil && (rec.GetString("status") == StatusSucceeded || rec.GetString("status") == StatusSkipped)
	})
	if rec.GetString("status") != StatusSucceeded || fe.target.Writes() != writes+1 {
		t.Fatalf("the retry by hand ended %s (%q) with %d writes, want succeeded with one write",
			rec.GetString("status"), rec.GetString("note"), fe.target.Writes()-writes)
	}
}
