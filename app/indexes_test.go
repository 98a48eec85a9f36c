package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
)

// TestActivityQueriesUseIndexes checks that the Activity page's queries,
// newest first with keyset pagination, read an index in its order and
// never sort, however many transactions there are.
func TestActivityQueriesUseIndexes(t *testing.T) {
	env := newTestEnv(t)
	const page = " ORDER BY created DESC, id DESC LIMIT 30"
	const after = " AND (created, id) < ({:p}, {:p})" // as activityWhere pages
	tests := []struct{ name, where, index string }{
		{"everything", "1 = 1" + after, "idx_tx_created"},
		{"by flow", "flow = {:p}" + after, "idx_tx_flow_created"},
		{"by status", "status = 'failed'" + after, "idx_tx_status_created"},
		{"by status, bound", "status = {:failed}" + after, "idx_tx_status_created"},
		{"by flow and status", "flow = {:p} AND status = 'failed'" + after, "idx_tx_flow_status_created"},
		{"by flow and status, bound", "flow = {:p} AND status = {:retrying}" + after, "idx_tx_flow_status_created"},
		{"pending", "status = {:pending}" + after, "idx_tx_status_created"},
		{"by business key", "key = {:p}", "idx_tx_key"},
		{"succeeded", "status = {:succeeded}" + after, "idx_tx_created"},
		{"by flow, succeeded", "flow = {:p} AND status = {:succeeded}" + after, "idx_tx_flow_created"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var plan []struct {
				Detail string `db:"detail"`
			}
			q := "EXPLAIN QUERY PLAN SELECT * FROM transactions WHERE " + tt.where + page
			if err := env.app.DB().NewQuery(q).Bind(dbx.Params{"p": "x", "failed": StatusFailed, "retrying": StatusRetrying, "pending": StatusPending, "succeeded": StatusSucceeded}).All(&plan); err != nil {
				t.Fatal(err)
			}
			text := fmt.Sprint(plan)
			if !strings.Contains(text, "USING INDEX "+tt.index) || strings.Contains(text, "TEMP B-TREE") {
				t.Fatalf("plan %s; want %s read in order", text, tt.index)
			}
		})
	}
}

// TestEngineQueriesUseOpenIndexes: the claim reads due transactions and
// open lanes through the partial indexes of unfinished transactions,
// which hold the backlog and not the history, without sorting.
func TestEngineQueriesUseOpenIndexes(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		name, query string
		indexes     []string
	}{
		{"claim", claimSQL, []string{"idx_tx_due_open", "idx_tx_lane_open"}},
		{"inbox gauge", inboxGaugeSQL, []string{"_open"}}, // either holds the backlog alone
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var plan []struct {
				Detail string `db:"detail"`
			}
			params := dbx.Params{"flow": "f", "now": "n", "lease": "l", "limit": 10}
			if err := env.app.DB().NewQuery("EXPLAIN QUERY PLAN " + tt.query).Bind(params).All(&plan); err != nil {
				t.Fatal(err)
			}
			text := fmt.Sprint(plan)
			for _, index := range tt.indexes {
				if !strings.Contains(text, "INDEX "+index) && !strings.Contains(text, index+"}") {
					t.Errorf("plan %s; want %s", text, index)
				}
			}
			if strings.Contains(text, "TEMP B-TREE") || strings.Contains(text, "SCAN t\n") {
				t.Errorf("plan %s sorts or scans", text)
			}
		})
	}
}

// TestStatusIndexesLeaveOutRunningTransactions: Activity's status indexes
// are partial, with the condition indexedStatuses names, so that a
// transaction claimed as it is stored enters them only when its outcome
// needs attention.
func TestStatusIndexesLeaveOutRunningTransactions(t *testing.T) {
	env := newTestEnv(t)
	want := strings.Trim(indexedStatuses, "()")
	for _, index := range []string{"idx_tx_status_created", "idx_tx_flow_status_created"} {
		var sql string
		if err := env.app.DB().NewQuery("SELECT sql FROM sqlite_master WHERE name = {:name}").
			Bind(dbx.Params{"name": index}).Row(&sql); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(sql, "WHERE "+want) {
			t.Errorf("%s is %s; want it to end in WHERE %s", index, sql, want)
		}
	}
}

// TestActivityFindsRunningTransactionsInTheOpenIndexes: running
// transactions are left out of the status indexes; Activity finds the few
// there are through the index of unfinished ones, not by reading the
// history newest first.
func TestActivityFindsRunningTransactionsInTheOpenIndexes(t *testing.T) {
	env := newTestEnv(t)
	for _, f := range []ActivityFilter{{Status: StatusRunning}, {Status: StatusRunning, Flow: "f1"}} {
		where, params, err := activityWhere(f, encodeCursor("2026-12-01 10:00:00.000Z", "x"))
		if err != nil {
			t.Fatal(err)
		}
		var plan []struct {
			Detail string `db:"detail"`
		}
		params["limit"] = 30
		if err := env.app.DB().NewQuery("EXPLAIN QUERY PLAN SELECT t.id FROM transactions t WHERE " + where +
			" ORDER BY t.created DESC, t.id DESC LIMIT {:limit}").Bind(params).All(&plan); err != nil {
			t.Fatal(err)
		}
		text := fmt.Sprint(plan)
		if !strings.Contains(text, "idx_tx_due_open") || strings.Contains(text, "idx_tx_created") || strings.Contains(text, "idx_tx_flow_created") {
			t.Errorf("filter %+v: plan %s; want the running ones read from idx_tx_due_open", f, text)
		}
	}
}

// TestXrefQueriesUseTheScopeIndexes: the claim's xrefs, a writer's lookup
// by source id or by key and the outcome's upsert go through the xrefs'
// indexes of (scope, source_id) and (scope, key), and scan no table.
func TestXrefQueriesUseTheScopeIndexes(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct{ name, query, index string }{
		{"claim", claimXrefsSQL, "idx_xrefs_scope_source"},
		{"by source id", fmt.Sprintf(findXrefSQL, "source_id"), "idx_xrefs_scope_source"},
		{"by key", fmt.Sprintf(findXrefSQL, "key"), "idx_xrefs_scope_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var plan []struct {
				Detail string `db:"detail"`
			}
			params := dbx.Params{"flow": "f", "ids": textList([]string{"a", "b"}), "source": "s", "target": "t",
				"entity": "product", "value": "v"}
			if err := env.app.DB().NewQuery("EXPLAIN QUERY PLAN " + tt.query).Bind(params).All(&plan); err != nil {
				t.Fatal(err)
			}
			text := fmt.Sprint(plan)
			if !strings.Contains(text, "INDEX "+tt.index) {
				t.Errorf("plan %s; want %s", text, tt.index)
			}
			if strings.Contains(text, "SCAN x") || strings.Contains(text, "SCAN s") {
				t.Errorf("plan %s scans a table", text)
			}
		})
	}
}
