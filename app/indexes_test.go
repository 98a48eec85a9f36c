package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
)

// TestActivityQueriesUseIndexes checks that the Activity page's queries,
// newest first with keyset pagination, read an index in its order and
// never sort, however many transactions there are.
func TestActivityQueriesUseIndexes(t *testing.T) {
	env := newTestEnv(t)
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		filter ActivityFilter
		index  string
	}{
		{"everything", ActivityFilter{}, "sqlite_autoindex_transactions_1"},
		{"a day", ActivityFilter{From: day, To: day.Add(24 * time.Hour)}, "sqlite_autoindex_transactions_1"},
		{"by flow", ActivityFilter{Flow: "f"}, "idx_tx_flow_id"},
		{"by flow, a day", ActivityFilter{Flow: "f", From: day, To: day.Add(24 * time.Hour)}, "idx_tx_flow_id"},
		{"by status", ActivityFilter{Status: StatusFailed}, "idx_tx_status_id"},
		{"by flow and status", ActivityFilter{Flow: "f", Status: StatusRetrying}, "idx_tx_flow_status_id"},
		{"pending", ActivityFilter{Status: StatusPending}, "idx_tx_status_id"},
		{"succeeded", ActivityFilter{Status: StatusSucceeded}, "sqlite_autoindex_transactions_1"},
		{"by flow, succeeded", ActivityFilter{Flow: "f", Status: StatusSucceeded}, "idx_tx_flow_id"},
	}
	for _, tt := range tests {
		for _, cursor := range []string{"", encodeCursor("0mx71qoz3zpz4s8")} {
			text := activityPlan(t, env, tt.filter, cursor)
			if !strings.Contains(text, "INDEX "+tt.index) || strings.Contains(text, "TEMP B-TREE") {
				t.Errorf("%s, cursor %q: plan %s; want %s read in order", tt.name, cursor, text, tt.index)
			}
		}
	}
	// A key filter reads the key index's range of every key it begins.
	if text := activityPlan(t, env, ActivityFilter{Key: "ORD-1"}, ""); !strings.Contains(text, "INDEX idx_tx_key_id") {
		t.Errorf("by key: plan %s; want idx_tx_key_id", text)
	}
}

// activityPlan returns the query plan of an Activity page.
func activityPlan(t *testing.T, env *testEnv, f ActivityFilter, cursor string) string {
	t.Helper()
	where, params, err := activityWhere(f, cursor)
	if err != nil {
		t.Fatal(err)
	}
	params["limit"] = 30
	var plan []struct {
		Detail string `db:"detail"`
	}
	if err := env.app.DB().NewQuery("EXPLAIN QUERY PLAN " + activitySQL(where)).Bind(params).All(&plan); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(plan)
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
		{"newer update of a retried one", newerWriteSQL, []string{"idx_tx_key_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var plan []struct {
				Detail string `db:"detail"`
			}
			params := dbx.Params{"flow": "f", "now": "n", "lease": "l", "limit": 10, "key": "k", "id": "i"}
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
	for _, index := range []string{"idx_tx_status_id", "idx_tx_flow_status_id"} {
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
		text := activityPlan(t, env, f, encodeCursor("0mx71qoz3zpz4s8"))
		if !strings.Contains(text, "idx_tx_due_open") || strings.Contains(text, "idx_tx_flow_id") {
			t.Errorf("filter %+v: plan %s; want the running ones read from idx_tx_due_open", f, text)
		}
	}
}

// TestXrefQueriesUseTheScopeIndexes: the claim's xrefs, a writer's lookup
// by source id or by key and the outcome's upsert go through the xrefs'
// indexes of (scope, source_id) and (scope, key), a flow's scope through
// the scopes' unique key, and none scans a table.
func TestXrefQueriesUseTheScopeIndexes(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct{ name, query, index string }{
		{"claim", claimXrefsSQL, "idx_xrefs_scope_source"},
		{"by source id", fmt.Sprintf(findXrefSQL, "source_id"), "idx_xrefs_scope_source"},
		{"by key", fmt.Sprintf(findXrefSQL, "key"), "idx_xrefs_scope_key"},
		{"a flow's scope", findScopeSQL, "sqlite_autoindex_xref_scopes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var plan []struct {
				Detail string `db:"detail"`
			}
			params := dbx.Params{"scope": 1, "ids": textList([]string{"a", "b"}), "source": "s", "target": "t",
				"entity": "product", "place": "", "value": "v"}
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
