package app

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
	mux := servedMux(t, env)
	url := hookURL(env)
	for i := range calls {
		body := []byte(`{"entity":"order","records":[` + fmt.Sprintf(order, "o", i, 10000+i) + "," +
			fmt.Sprintf(order, "p", i, 90000+i) + "]}")
		req := httptest.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set(memory.SignatureHeader, hex.EncodeToString(memory.Sign("hook-secret", body)))
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("call %d: status %d: %s", i, rec.Code, rec.Body)
		}
	}
	eventually(t, "every transaction to succeed", func() bool {
		var open int
		_ = env.app.DB().NewQuery("SELECT COUNT(*) FROM transactions WHERE status != 'succeeded'").Row(&open)
		return open == 0 && countTransactions(t, env) == 2*calls
	})
}

// TestWebhookCallsAreStoredCompactly: what a webhook call leaves on disk
// besides its transactions' rows stays small.
//   - The indexes a transaction enters as it is stored, in creation order,
//     keep their pages nearly full. Declared newest first, each new entry
//     went to an index's left end, where SQLite splits a full page into
//     two half-full ones that are never filled again: every such index
//     took twice its bytes.
//   - The delivery remembered for 72 hours against replays takes no more
//     than its keys need: a call without a delivery id kept its 71-byte
//     content key twice in the row, once more in an index, and an unused
//     update time (417 bytes a call in all).
func TestWebhookCallsAreStoredCompactly(t *testing.T) {
	env := newTestEnv(t)
	seedWebhookFlow(true)(t, env)
	const calls = 1500
	storeThroughWebhooks(t, env, calls, smallOrder)
	for _, index := range []string{"idx_tx_created", "idx_tx_flow_created", "idx_tx_key"} {
		f := leafFill(t, env, index)
		if f.Pages < 10 {
			t.Fatalf("%s has %d leaf pages; the test needs more to tell", index, f.Pages)
		}
		if f.used() < 0.8 {
			t.Errorf("%s: %d leaf pages %.0f%% full; want 80%% or more", index, f.Pages, 100*f.used())
		}
	}
	var bytes int64
	if err := env.app.DB().NewQuery(`SELECT SUM(pgsize) FROM dbstat WHERE name = 'deliveries'
		OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deliveries')`).Row(&bytes); err != nil {
		t.Fatal(err)
	}
	if perCall := bytes / calls; perCall > 280 {
		t.Errorf("the deliveries take %d bytes a call; want 280 or fewer", perCall)
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
	for _, index := range []string{"idx_tx_status_created", "idx_tx_flow_status_created"} {
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

// TestFinishedTransactionsArePacked: a transaction's row is as large as
// it ends, not as it was stored. Its input was stored as plain JSON in the
// row and compressed with its outcome; SQLite fills pages with rows as they
// are inserted, so each finished row kept the space of its plain input
// (orders of ten lines: pages about a third full). The compressed payloads
// are kept as bytes, not as base64.
func TestFinishedTransactionsArePacked(t *testing.T) {
	env := newTestEnv(t)
	seedWebhookFlow(true)(t, env)
	line := `{"sku":"CHAIR-OAK-%[3]d","name":"Oak chair, natural oil finish","quantity":2,"unit_price":"149.00"}`
	lines := strings.TrimSuffix(strings.Repeat(line+",", 10), ",")
	storeThroughWebhooks(t, env, 300, `{"id":"%s%d","number":"%d","currency":"EUR","totals":{"total":19.99},"lines":[`+lines+`]}`)
	var input int
	if err := env.app.DB().NewQuery(`SELECT MIN(length(payloads)) FROM transactions`).Row(&input); err != nil {
		t.Fatal(err)
	}
	f := leafFill(t, env, "transactions")
	if f.used() < 0.75 {
		t.Errorf("transactions: %d leaf pages %.0f%% full (payloads of %d bytes); want 75%% or more", f.Pages, 100*f.used(), input)
	}
	if n := countInputs(t, env); n != 0 {
		t.Errorf("%d inputs are kept after their transactions finished", n)
	}
	var text int
	if err := env.app.DB().NewQuery(`SELECT COUNT(*) FROM transactions WHERE typeof(payloads) != 'blob'`).Row(&text); err != nil || text > 0 {
		t.Errorf("%d transactions keep their compressed payloads as text (%v); want bytes", text, err)
	}
}

func countInputs(t *testing.T, env *testEnv) int {
	t.Helper()
	var n int
	if err := env.app.DB().NewQuery("SELECT COUNT(*) FROM _tx_inputs").Row(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAnUnfinishedTransactionShowsItsInput: the input of a transaction
// that has not run yet, kept beside its row, is what its payloads show, and
// it goes with the transaction when the transaction is deleted.
func TestAnUnfinishedTransactionShowsItsInput(t *testing.T) {
	env := newTestEnv(t)
	seedActivity(t, env, 3, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	var id string
	if err := env.app.DB().NewQuery("SELECT id FROM transactions WHERE key = 'K0001' AND status = 'pending' AND payloads = ''").
		Row(&id); err != nil {
		t.Fatalf("the pending transaction's row: %v", err)
	}
	p, err := env.sb.engine.TransactionPayloads(id)
	if err != nil || fmt.Sprint(p.Input) != "map[n:1]" {
		t.Fatalf("payloads %+v (%v); want the input n=1", p, err)
	}
	var failed string // a record the source could not read is finished as it is stored
	if err := env.app.DB().NewQuery("SELECT payloads FROM transactions WHERE key = 'K0000'").Row(&failed); err != nil || failed == "" {
		t.Fatalf("the failed transaction's payloads %q (%v); want them in its row", failed, err)
	}
	rec, err := env.app.FindRecordById("transactions", id)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.app.Delete(rec); err != nil {
		t.Fatal(err)
	}
	if n := countInputs(t, env); n != 1 {
		t.Errorf("%d inputs kept after a deletion; want 1, K0002's", n)
	}
}
