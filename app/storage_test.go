package app

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/connectors/memory"
)

// indexFill is how full an index's leaf pages are, from SQLite's dbstat:
// the bytes they use over the bytes they take.
type indexFill struct {
	Pages  int   `db:"pages"`
	Size   int64 `db:"size"`
	Unused int64 `db:"unused"`
}

func (f indexFill) used() float64 { return 1 - float64(f.Unused)/float64(f.Size) }

// leafFill reads the fill of the leaf pages of a table or an index.
func leafFill(t *testing.T, env *testEnv, name string) indexFill {
	t.Helper()
	var f indexFill
	err := env.app.DB().NewQuery(`SELECT COUNT(*) AS pages, COALESCE(SUM(pgsize), 0) AS size, COALESCE(SUM(unused), 0) AS unused
		FROM dbstat WHERE name = {:name} AND pagetype = 'leaf'`).Bind(dbx.Params{"name": name}).One(&f)
	if err != nil {
		t.Fatalf("reading dbstat of %s: %v", name, err)
	}
	return f
}

// smallOrder is an order of the orders flow without lines.
const smallOrder = `{"id":"%s%d","number":"%d","currency":"EUR","totals":{"total":19.99}}`

// storeThroughWebhooks POSTs calls webhook calls of two orders each to the
// orders flow and waits until every transaction succeeded. order is the
// format of an order, given a letter, the call's number and an order
// number.
func storeThroughWebhooks(t *testing.T, env *testEnv, calls int, order string) {
	t.Helper()
	postWebhooks(t, env, calls, 1, order)
	waitForWebhookOutcomes(t, env, calls)
}

// postWebhooks POSTs calls webhook calls of two orders each to the orders
// flow, callers at a time, each answered once its transactions are
// stored.
func postWebhooks(t *testing.T, env *testEnv, calls, callers int, order string) {
	t.Helper()
	mux := servedMux(t, env)
	url := hookURL(env)
	next := make(chan int)
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				body := []byte(`{"entity":"order","records":[` + fmt.Sprintf(order, "o", i, 10000+i) + "," +
					fmt.Sprintf(order, "p", i, 90000+i) + "]}")
				req := httptest.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				req.Header.Set(memory.SignatureHeader, hex.EncodeToString(memory.Sign("hook-secret", body)))
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Errorf("call %d: status %d: %s", i, rec.Code, rec.Body)
				}
			}
		}()
	}
	for i := range calls {
		next <- i
	}
	close(next)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
}

// waitForWebhookOutcomes waits until the transactions of calls webhook
// calls all succeeded.
func waitForWebhookOutcomes(t *testing.T, env *testEnv, calls int) {
	t.Helper()
	eventually(t, "every transaction to succeed", func() bool {
		var open int
		_ = env.app.DB().NewQuery("SELECT COUNT(*) FROM transactions WHERE status != 'succeeded'").Row(&open)
		return open == 0 && countTransactions(t, env) == 2*calls
	})
}

// TestWebhookCallsAreStoredCompactly: what a webhook call leaves on disk
// besides its transactions' rows stays small.
//   - The indexes a transaction enters as it is stored, in the order of
//     their ids, keep their pages nearly full. Declared newest first, each
//     new entry went to an index's left end, where SQLite splits a full
//     page into two half-full ones that are never filled again: every such
//     index took twice its bytes.
//   - They hold no time: the id begins with it (225 bytes a transaction
//     when they held it and a time index of its own, 113 now).
//   - The delivery remembered for 72 hours against replays takes no more
//     than its keys need: a call without a delivery id kept its 71-byte
//     content key twice in the row, once more in an index, and an unused
//     update time, and a time index repeated what its id, which begins
//     with its time, tells (417 bytes a call in all); then its row of
//     flow, keys, id and time, with three index entries (about 196 bytes);
//     now a 16-byte key and its time, with one entry of the time index.
//   - An xref's index entries hold the number of its connections and
//     entity, not the two connection ids and the entity (about 45 bytes in
//     each of two indexes).
func TestWebhookCallsAreStoredCompactly(t *testing.T) {
	env := newTestEnv(t)
	seedWebhookFlow(true)(t, env)
	const calls = 1500
	storeThroughWebhooks(t, env, calls, smallOrder)
	for _, index := range []string{"sqlite_autoindex_transactions_1", "idx_tx_flow_id", "idx_tx_key_id"} {
		f := leafFill(t, env, index)
		if f.Pages < 10 {
			t.Fatalf("%s has %d leaf pages; the test needs more to tell", index, f.Pages)
		}
		if f.used() < 0.75 {
			t.Errorf("%s: %d leaf pages %.0f%% full; want 75%% or more", index, f.Pages, 100*f.used())
		}
	}
	var txIndexes int64
	if err := env.app.DB().NewQuery(`SELECT SUM(pgsize) FROM dbstat WHERE name IN
		(SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'transactions')`).Row(&txIndexes); err != nil {
		t.Fatal(err)
	}
	perTx := txIndexes / (2 * calls) // a call stores two transactions
	t.Logf("the transactions' indexes: %d bytes a transaction", perTx)
	if perTx > 150 {
		t.Errorf("the transactions' indexes take %d bytes a transaction; want 150 or fewer", perTx)
	}
	var bytes int64
	if err := env.app.DB().NewQuery(`SELECT SUM(pgsize) FROM dbstat WHERE name = 'seen_deliveries'
		OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'seen_deliveries')`).Row(&bytes); err != nil {
		t.Fatal(err)
	}
	perCall := bytes / calls
	t.Logf("the deliveries remembered: %d bytes a call", perCall)
	if perCall > 100 {
		t.Errorf("the deliveries take %d bytes a call; want 100 or fewer", perCall)
	}
	var xrefIndexes, xrefs int64
	if err := env.app.DB().NewQuery(`SELECT SUM(pgsize) FROM dbstat WHERE name IN
		(SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'xrefs')`).Row(&xrefIndexes); err != nil {
		t.Fatal(err)
	}
	if err := env.app.DB().NewQuery(`SELECT COUNT(*) FROM xrefs`).Row(&xrefs); err != nil || xrefs != 2*calls {
		t.Fatalf("%d xrefs (%v); want one a transaction, %d", xrefs, err, 2*calls)
	}
	perXref := xrefIndexes / xrefs
	t.Logf("the xrefs' indexes: %d bytes an xref", perXref)
	if perXref > 90 {
		t.Errorf("the xrefs' indexes take %d bytes an xref; want 90 or fewer", perXref)
	}
}

// TestSucceededTransactionsStayOutOfTheStatusIndexes: a transaction that
// succeeds, as nearly all do, is not written into Activity's status
// indexes with its outcome; one that fails is.
func TestSucceededTransactionsStayOutOfTheStatusIndexes(t *testing.T) {
	env := newTestEnv(t)
	seedWebhookFlow(true)(t, env)
	storeThroughWebhooks(t, env, 50, smallOrder)
	if _, err := env.app.DB().NewQuery("UPDATE transactions SET status = 'failed' WHERE key = (SELECT MIN(key) FROM transactions)").
		Execute(); err != nil {
		t.Fatal(err)
	}
	for _, index := range []string{"idx_tx_status_id", "idx_tx_flow_status_id"} {
		var entries int
		if err := env.app.DB().NewQuery(`SELECT COALESCE(SUM(ncell), 0) FROM dbstat WHERE name = {:name} AND pagetype = 'leaf'`).
			Bind(dbx.Params{"name": index}).Row(&entries); err != nil {
			t.Fatal(err)
		}
		if entries != 1 {
			t.Errorf("%s holds %d entries; want 1, the failed transaction", index, entries)
		}
	}
}

// TestFinishedTransactionsKeepTheirPayloadsAsBytes: the compressed
// payloads a transaction keeps with its outcome are stored as bytes, not as
// base64 text, a third larger.
func TestFinishedTransactionsKeepTheirPayloadsAsBytes(t *testing.T) {
	env := newTestEnv(t)
	seedWebhookFlow(true)(t, env)
	storeThroughWebhooks(t, env, 20, smallOrder)
	var text int
	if err := env.app.DB().NewQuery(`SELECT COUNT(*) FROM transactions WHERE typeof(payloads) != 'blob'`).Row(&text); err != nil || text > 0 {
		t.Errorf("%d transactions keep their compressed payloads as text (%v); want bytes", text, err)
	}
}

// largeOrder is an order as a shop sends it, most of it (the notes, the
// customer, the shipping) fields that the flow's mapping does not take:
// its input is larger than the payloads its outcome stores compressed.
const largeOrder = `{"id":"%s%d","number":"%d","currency":"EUR","totals":{"total":19.99},` +
	`"notes":"Leave at the front desk if nobody answers. Fragile items inside; handle with care.",` +
	`"customer":{"id":"CUST-000987654","name":"Jane Q. Example","email":"jane.example@example.invalid",` +
	`"phone":"+49-30-0000000","tier":"gold"},"shipping":{"method":"express","street":"Examplestrasse 42",` +
	`"city":"Berlin","postcode":"10115","country":"DE"},"tags":["b2c","promo-autumn","priority"]}`

// TestTransactionRowsArePackedAfterTheirOutcome: a transaction's row is
// stored without its input, which waits apart until the outcome stores
// the payloads, so the rows of the history fill their pages. Inserted
// with the input and shrunk by the outcome, they left a third of the
// table's pages empty.
func TestTransactionRowsArePackedAfterTheirOutcome(t *testing.T) {
	env := newTestEnv(t)
	seedWebhookFlow(true)(t, env)
	flow, err := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
	if err != nil {
		t.Fatal(err)
	}
	flow.Set("mapping", map[string]any{"in": []map[string]any{{"target": "number", "expr": "number"},
		{"target": "currency", "expr": "currency"}, {"target": "totals.total", "expr": "totals.total"}}})
	if err := env.app.Save(flow); err != nil {
		t.Fatal(err)
	}
	// The target answers once every call is stored, so that the outcomes
	// land on pages filled since, as they do behind a backlog.
	release := memory.Open("hook-target").Hold()
	t.Cleanup(release)
	// Eight callers at a time: the intake waits a little for the held
	// workers before it stores a batch of calls pending.
	postWebhooks(t, env, 600, 8, largeOrder)
	release()
	waitForWebhookOutcomes(t, env, 600)
	f := leafFill(t, env, "transactions")
	t.Logf("the transactions' %d leaf pages are %.0f%% full", f.Pages, 100*f.used())
	// Packed, they are 85 to 87% full; inserted with the input and shrunk
	// by the outcome, about 65%.
	if f.used() < 0.80 {
		t.Errorf("the transactions' %d leaf pages are %.0f%% full; want 80%% or more", f.Pages, 100*f.used())
	}
	var inputs int
	if err := env.app.DB().NewQuery(`SELECT COUNT(*) FROM transaction_inputs`).Row(&inputs); err != nil || inputs != 0 {
		t.Errorf("%d inputs kept after every outcome (%v); want none", inputs, err)
	}
}

// TestAnUnfinishedTransactionShowsItsInput: the input of a transaction
// waiting for its target is kept apart from its row when it is large,
// in the row when it is small, and shown as its payloads either way until
// the outcome stores them.
func TestAnUnfinishedTransactionShowsItsInput(t *testing.T) {
	env, mux := intakeOnly(t)
	body := []byte(`{"entity":"order","records":[` + fmt.Sprintf(largeOrder, "o", 1, 1001) + `,` +
		fmt.Sprintf(smallOrder, "o", 2, 1002) + `]}`)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, hookURL(env), bytes.NewReader(body))
	req.Header.Set(memory.SignatureHeader, hex.EncodeToString(memory.Sign("hook-secret", body)))
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var rows []struct {
		ID       string `db:"id"`
		SourceID string `db:"source_id"`
		Status   string `db:"status"`
		Payloads string `db:"payloads"`
	}
	if err := env.app.DB().NewQuery(`SELECT id, source_id, status, payloads FROM transactions`).All(&rows); err != nil || len(rows) != 2 {
		t.Fatalf("%d transactions (%v); want 2", len(rows), err)
	}
	for _, r := range rows {
		if r.Status != StatusPending && r.Status != StatusRetrying {
			t.Fatalf("transaction %s is %s; want it waiting", r.ID, r.Status)
		}
		if apart := r.SourceID == "o1"; apart != (r.Payloads == "") {
			t.Errorf("record %s: payloads %q in its row; want its input apart: %v", r.SourceID, r.Payloads, apart)
		}
		p, err := env.sb.engine.TransactionPayloads(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if id := fmt.Sprint(p.Input["id"]); id != r.SourceID {
			t.Errorf("transaction %s of %s shows the input %v", r.ID, r.SourceID, p.Input)
		}
	}
}
