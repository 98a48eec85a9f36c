package app

import (
	"fmt"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestWriterStatementsServeEveryTransaction: the statements compiled when
// the engine starts are the ones a transaction on the writer uses, also
// after PocketBase closed the writer's connection and opened another (the
// statement is compiled again on it); outside a transaction the kept
// statement serves on the writer pool and stays open; once they are
// closed, a statement is compiled for its use and still writes.
func TestWriterStatementsServeEveryTransaction(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	e := fe.sb.engine
	rt, err := e.runtime(fe.flow.Id)
	if err != nil {
		t.Fatal(err)
	}
	if e.stmts == nil {
		t.Fatal("the started engine has no prepared statements")
	}
	e.Stop() // nothing else uses the writer: the test sees its connections
	if e.stmts.get(insertTransactionSQL) != nil {
		t.Fatal("the stopped engine kept its statements")
	}
	w, err := prepareWriterStatements(fe.app)
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	store := func(t *testing.T, exec func(fn func(tx core.App) error) error, wantPrepared bool) {
		t.Helper()
		err := exec(func(tx core.App) error {
			q, err := w.in(tx, insertTransactionSQL)
			if err != nil {
				return err
			}
			if q.shared != wantPrepared {
				t.Errorf("prepared statement used: %v, want %v", q.shared, wantPrepared)
			}
			_ = q.Close()
			items, _ := e.inboxItems(rt, "", []connectors.Record{{ID: newID(), Key: "SKU", Data: product("SKU", "Chair")}})
			_, _, err = insertTransactions(w, tx, items, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		stored++
		var n int
		if err := fe.app.DB().NewQuery("SELECT count(*) FROM transactions WHERE flow = {:f}").
			Bind(dbx.Params{"f": fe.flow.Id}).Row(&n); err != nil || n != stored {
			t.Fatalf("transactions stored = %d, %v; want %d", n, err, stored)
		}
	}
	inTx := fe.app.RunInTransaction
	alone := func(fn func(tx core.App) error) error { return fn(fe.app) }

	store(t, inTx, true)
	pool := fe.app.NonconcurrentDB().(*dbx.DB).DB()
	closed := pool.Stats().MaxIdleClosed
	pool.SetMaxIdleConns(0) // the writer's connection is closed as soon as it is let go
	store(t, inTx, true)
	store(t, inTx, true)
	if n := pool.Stats().MaxIdleClosed - closed; n < 2 {
		t.Fatalf("the writer's connection was closed %d times, want at least 2", n)
	}
	pool.SetMaxIdleConns(1)
	store(t, alone, true) // the kept statement itself, on the writer pool
	store(t, inTx, true)  // which its use outside a transaction left open
	w.close()
	store(t, inTx, false)
	store(t, alone, false)
}

func TestPositionalPlaceholders(t *testing.T) {
	tests := []struct {
		in, want string
		names    []string
	}{
		{"SELECT 1", "SELECT 1", nil},
		{"UPDATE t SET a = {:a} WHERE id = {:id}", "UPDATE t SET a = ? WHERE id = ?", []string{"a", "id"}},
		{"VALUES ({:now}, {:now})", "VALUES (?, ?)", []string{"now", "now"}},
	}
	for _, tt := range tests {
		got, names := positional(tt.in)
		if got != tt.want || len(names) != len(tt.names) {
			t.Fatalf("positional(%q) = %q, %v; want %q, %v", tt.in, got, names, tt.want, tt.names)
		}
		for i := range names {
			if names[i] != tt.names[i] {
				t.Fatalf("positional(%q) names = %v, want %v", tt.in, names, tt.names)
			}
		}
	}
}

// TestABoundStatementNamesAMissingValue: a value left out of the params is
// an error that names the placeholder, not a NULL written.
func TestABoundStatementNamesAMissingValue(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	err := fe.app.RunInTransaction(func(tx core.App) error {
		q, err := fe.sb.engine.stmts.in(tx, countReadSQL)
		if err != nil {
			return err
		}
		defer q.Close()
		_, err = q.exec(dbx.Params{"read": 1, "failed": 0, "id": "x"})
		return err
	})
	if err == nil || err.Error() != "no value for {:now}" {
		t.Fatalf("err = %v, want the missing {:now} named", err)
	}
}

// BenchmarkRecordOutcomes records a batch of succeeded outcomes (status,
// payloads, xref, run count, usage) in one transaction, with the
// statements compiled for each transaction and kept prepared. With the
// small batches of a quiet shop, compiling is a good part of a commit.
func BenchmarkRecordOutcomes(b *testing.B) {
	for _, batch := range []int{1, 64} {
		for _, kept := range []bool{false, true} {
			name := fmt.Sprintf("batch=%d/compiled", batch)
			if kept {
				name = fmt.Sprintf("batch=%d/kept", batch)
			}
			b.Run(name, func(b *testing.B) { benchRecordOutcomes(b, batch, kept) })
		}
	}
}

func benchRecordOutcomes(b *testing.B, batch int, kept bool) {
	fe := newFlowEnv(b, connectors.Product, nil)
	e := fe.sb.engine
	e.Stop()
	rt, err := e.runtime(fe.flow.Id)
	if err != nil {
		b.Fatal(err)
	}
	var w *writerStatements
	if kept {
		if w, err = prepareWriterStatements(fe.app); err != nil {
			b.Fatal(err)
		}
		defer w.close()
	}
	var records []connectors.Record
	for i := range batch {
		records = append(records, connectors.Record{ID: fmt.Sprintf("p%d", i), Key: fmt.Sprintf("SKU-%d", i), Data: product("SKU", "Chair")})
	}
	items, _ := e.inboxItems(rt, "", records)
	if _, _, err := insertTransactions(w, fe.app, items, time.Now()); err != nil {
		b.Fatal(err)
	}
	payloads, err := encodePayloads(Payloads{Input: map[string]any{"sku": "SKU", "name": "Chair"}})
	if err != nil {
		b.Fatal(err)
	}
	outcomes := make([]outcome, batch)
	for i, it := range items {
		outcomes[i] = outcome{tx: claimed{ID: it.id, Flow: it.flow, Key: it.storedKey(), SourceID: it.storedSourceID()},
			status: StatusSucceeded, targetID: "t-" + it.id, succeeded: rt.target.Id, encoded: payloads}
	}
	b.ResetTimer()
	for range b.N {
		if err := fe.app.RunInTransaction(func(tx core.App) error { return writeOutcomes(w, tx, outcomes, time.Now()) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*batch), "µs/outcome")
}

// TestTextListKeepsEveryByte: a list's texts come back from SQLite as
// they were, whatever their bytes, however many.
func TestTextListKeepsEveryByte(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	many := make([]string, 2500) // more than SQLite's bound parameters of old
	for i := range many {
		many[i] = fmt.Sprintf("k%d", i)
	}
	tests := []struct {
		name  string
		texts []string
	}{
		{"none", nil},
		{"plain", []string{"i:ORD-1", "k:SKU 2"}},
		{"quotes and escapes", []string{`"`, `\`, "a\nb", "\x00nul"}},
		{"not UTF-8", []string{"i:\xff\xfe", "caf\xe9", "trunc\xe2\x82"}},
		{"many", many},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := fe.app.DB().NewQuery("SELECT CAST(unhex(value) AS TEXT) FROM json_each({:list})").
				Bind(dbx.Params{"list": textList(tt.texts)}).Column(&got)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.texts) {
				t.Errorf("came back %q, want %q", got, tt.texts)
			}
		})
	}
}

// TestOpenLanesFindsEveryOpenLane: the open lanes of a list are found
// whatever their bytes and however long the list, and a finished
// transaction's lane is not open.
func TestOpenLanesFindsEveryOpenLane(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	e := fe.sb.engine
	rt, err := e.runtime(fe.flow.Id)
	if err != nil {
		t.Fatal(err)
	}
	odd := "i:caf\xe9 \"1\""
	records := []connectors.Record{{ID: "caf\xe9 \"1\"", Data: product("A", "Chair")}, {ID: "done", Data: product("B", "Table")}}
	items, err := e.inboxItems(rt, "", records)
	if err != nil {
		t.Fatal(err)
	}
	if err := fe.app.RunInTransaction(func(tx core.App) error {
		_, _, err := insertTransactions(e.stmts, tx, items, time.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := fe.app.DB().NewQuery("UPDATE transactions SET status = 'succeeded' WHERE lane = 'i:done'").Execute(); err != nil {
		t.Fatal(err)
	}
	lanes := []string{"i:done", "i:absent"}
	for i := range 1500 {
		lanes = append(lanes, fmt.Sprintf("i:x%d", i))
	}
	lanes = append(lanes, odd)
	open, err := openLanes(e.stmts, fe.app, fe.flow.Id, lanes)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 || open[0] != odd {
		t.Fatalf("open lanes %q, want only %q", open, odd)
	}
}
