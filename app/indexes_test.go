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
	const after = " AND (created < {:p} OR (created = {:p} AND id < {:p}))"
	tests := []struct{ name, where, index string }{
		{"everything", "1 = 1" + after, "idx_tx_created"},
		{"by flow", "flow = {:p}" + after, "idx_tx_flow_created"},
		{"by status", "status = 'failed'" + after, "idx_tx_status_created"},
		{"by flow and status", "flow = {:p} AND status = 'failed'" + after, "idx_tx_flow_status_created"},
		{"by business key", "key = {:p}", "idx_tx_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var plan []struct {
				Detail string `db:"detail"`
			}
			q := "EXPLAIN QUERY PLAN SELECT * FROM transactions WHERE " + tt.where + page
			if err := env.app.DB().NewQuery(q).Bind(dbx.Params{"p": "x"}).All(&plan); err != nil {
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
				if !strings.Contains(text, "INDEX "+index) {
					t.Errorf("plan %s; want %s", text, index)
				}
			}
			if strings.Contains(text, "TEMP B-TREE") || strings.Contains(text, "SCAN t\n") {
				t.Errorf("plan %s sorts or scans", text)
			}
		})
	}
}
