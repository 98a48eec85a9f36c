package app

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// seedActivity stores n transactions of the "orders" flow, one a second
// from base, keys K0000 to K(n-1); every third failed.
func seedActivity(t *testing.T, env *testEnv, n int, base time.Time) {
	t.Helper()
	seedWebhookFlow(true)(t, env)
	flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
	rt, err := env.sb.engine.loadFlow(flow.Id)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		rec := connectors.Record{ID: fmt.Sprintf("o%d", i), Key: fmt.Sprintf("K%04d", i), Data: map[string]any{"n": i}}
		if i%3 == 0 {
			rec.Err = errString("refused")
		}
		items, err := env.sb.engine.inboxItems(rt, "", []connectors.Record{rec})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := insertTransactions(nil, env.app, items, base.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestActivityPagesAreKeyset: walking the pages returns every matching
// transaction once, newest first, whatever the filter.
func TestActivityPagesAreKeyset(t *testing.T) {
	env := newTestEnv(t)
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	seedActivity(t, env, 25, base)
	flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
	if _, err := env.app.DB().NewQuery(`UPDATE transactions SET status = 'running'
		WHERE key IN ('K0001', 'K0002', 'K0004', 'K0005', 'K0007')`).Execute(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		filter ActivityFilter
		want   int
	}{
		{"everything", ActivityFilter{}, 25},
		{"failed of the flow", ActivityFilter{Flow: flow.Id, Status: StatusFailed}, 9},
		{"pending", ActivityFilter{Status: StatusPending}, 11},
		{"running", ActivityFilter{Status: StatusRunning}, 5},
		{"running of the flow", ActivityFilter{Flow: flow.Id, Status: StatusRunning}, 5},
		{"running of another flow", ActivityFilter{Flow: "nothing", Status: StatusRunning}, 0},
		{"of the integration", ActivityFilter{Integration: flow.GetString("integration")}, 25},
		{"of another integration", ActivityFilter{Integration: "nothing"}, 0},
		{"a key exactly", ActivityFilter{Key: "K0007"}, 1},
		{"keys that start so", ActivityFilter{Key: "K001"}, 10},
		{"a time window", ActivityFilter{From: base.Add(5 * time.Second), To: base.Add(10 * time.Second)}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[string]bool{}
			last := "~"
			cursor := ""
			for pages := 0; ; pages++ {
				page, err := env.sb.ListActivity(tc.filter, cursor, 4)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range page.Rows {
					if seen[r.ID] || r.Created > last {
						t.Fatalf("row %s (%s) again or out of order after %s", r.Key, r.Created, last)
					}
					seen[r.ID], last = true, r.Created
					if r.FlowName != "orders" {
						t.Fatalf("row %s has flow name %q", r.Key, r.FlowName)
					}
				}
				if page.Next == "" {
					break
				}
				cursor = page.Next
			}
			if len(seen) != tc.want {
				t.Fatalf("%d rows, want %d", len(seen), tc.want)
			}
		})
	}
}

// TestActivityRefusesAnUnknownStatus: a status filter that is not a
// status is refused, instead of listing nothing as if none matched.
func TestActivityRefusesAnUnknownStatus(t *testing.T) {
	env := newTestEnv(t)
	for _, status := range []string{"bogus", "Failed", "open"} {
		if _, err := env.sb.ListActivity(ActivityFilter{Status: status}, "", 10); !errors.Is(err, ErrBadStatus) {
			t.Errorf("status %q: %v, want ErrBadStatus", status, err)
		}
	}
	for _, status := range TransactionStatuses {
		if _, err := env.sb.ListActivity(ActivityFilter{Status: status}, "", 10); err != nil {
			t.Errorf("status %q: %v", status, err)
		}
	}
}

// TestActivityTakesACursorOfTheTimeOrder: a cursor made while pages were
// ordered by time and id (the row's time, "|", its id) still gives the
// page after that row.
func TestActivityTakesACursorOfTheTimeOrder(t *testing.T) {
	env := newTestEnv(t)
	seedActivity(t, env, 5, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	first, err := env.sb.ListActivity(ActivityFilter{}, "", 2)
	if err != nil {
		t.Fatal(err)
	}
	last := first.Rows[len(first.Rows)-1]
	old := base64.RawURLEncoding.EncodeToString([]byte(last.Created + "|" + last.ID))
	for _, cursor := range []string{first.Next, old} {
		page, err := env.sb.ListActivity(ActivityFilter{}, cursor, 2)
		if err != nil {
			t.Fatalf("cursor %q: %v", cursor, err)
		}
		var keys []string
		for _, row := range page.Rows {
			keys = append(keys, row.Key)
		}
		if want := []string{"K0002", "K0001"}; !reflect.DeepEqual(keys, want) {
			t.Errorf("cursor %q: page %v, want %v", cursor, keys, want)
		}
	}
}

func TestActivityRefusesAForgedCursor(t *testing.T) {
	env := newTestEnv(t)
	forged := []string{"not base64!", "bm8tYmFy", encodeCursor("0mx71qoz3zpz4s8' OR 1=1")}
	for _, cursor := range forged {
		if _, err := env.sb.ListActivity(ActivityFilter{}, cursor, 10); !errors.Is(err, ErrBadCursor) {
			t.Errorf("cursor %q: %v, want ErrBadCursor", cursor, err)
		}
	}
}

// TestRetrySelectedRetriesOnlyFailed: a selection retries its failed
// transactions and leaves the others as they are.
func TestRetrySelectedRetriesOnlyFailed(t *testing.T) {
	env := newTestEnv(t)
	seedActivity(t, env, 4, time.Now())
	var ids []string
	for _, key := range []string{"K0000", "K0001", "K0003"} {
		tx, _ := env.app.FindFirstRecordByData("transactions", "key", key)
		ids = append(ids, tx.Id)
	}
	n, err := env.sb.engine.RetrySelected(ids)
	if err != nil || n != 2 {
		t.Fatalf("RetrySelected = %d, %v; want 2 (K0000 and K0003 failed, K0001 is pending)", n, err)
	}
	if tx, _ := env.app.FindFirstRecordByData("transactions", "key", "K0002"); tx.GetString("status") != StatusPending {
		t.Fatalf("an unselected transaction changed: %s", tx.GetString("status"))
	}
}

// TestActivityRoute: the REST listing walks the same keyset pages as the
// UI, and refuses a forged cursor or an unreadable time with 400.
func TestActivityRoute(t *testing.T) {
	env := newTestEnv(t)
	mux := servedMux(t, env)
	// The listing reads what is stored: a running engine would take up
	// the seeded pending transactions and fail them meanwhile.
	env.sb.engine.Stop()
	seedActivity(t, env, 7, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	get := func(query string) (int, activityAnswer) {
		req := httptest.NewRequest(http.MethodGet, APIPrefix+"/activity?"+query, nil)
		req.Header.Set("Authorization", env.tokens[RoleViewer])
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		var page activityAnswer
		_ = json.Unmarshal(rec.Body.Bytes(), &page)
		return rec.Code, page
	}
	var keys []string
	for after, pages := "", 0; pages < 10; pages++ {
		status, page := get("limit=3&status=failed&after=" + after)
		if status != http.StatusOK {
			t.Fatalf("page %d = %d", pages, status)
		}
		for _, it := range page.Items {
			keys = append(keys, it.Key)
		}
		if after = page.Next; after == "" {
			break
		}
	}
	if want := []string{"K0006", "K0003", "K0000"}; !reflect.DeepEqual(keys, want) {
		t.Fatalf("failed keys %v, want %v", keys, want)
	}
	for _, q := range []string{"after=forged", "from=yesterday", "limit=0"} {
		if status, _ := get(q); status != http.StatusBadRequest {
			t.Errorf("%s = %d, want 400", q, status)
		}
	}
}

// TestRetrySelectedTakesAnyNumberOfIDs: a selection longer than SQLite
// binds in one statement is retried in parts, not refused with an error.
func TestRetrySelectedTakesAnyNumberOfIDs(t *testing.T) {
	env := newTestEnv(t)
	seedActivity(t, env, 4, time.Now())
	ids := make([]string, 0, 40002)
	for i := range 40000 {
		ids = append(ids, fmt.Sprintf("zz%013d", i))
	}
	for _, key := range []string{"K0000", "K0003"} {
		tx, _ := env.app.FindFirstRecordByData("transactions", "key", key)
		ids = append(ids, tx.Id)
	}
	n, err := env.sb.engine.RetrySelected(ids)
	if err != nil || n != 2 {
		t.Fatalf("RetrySelected of %d ids = %d, %v; want 2 (K0000 and K0003 failed)", len(ids), n, err)
	}
}
