package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/memory"
)

// fastEngine retries, probes and alerts at test speed.
var fastEngine = EngineConfig{
	Workers: 4, BackoffBase: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond,
	DownAfter: 3, ProbeEvery: 30 * time.Millisecond, PollEvery: 20 * time.Millisecond,
	AlertEvery: time.Hour,
}

var storeSeq atomic.Int64

// flowEnv is a test app with an integration between two memory stores and
// one flow from the source store to the target store.
type flowEnv struct {
	*testEnv
	source, target *memory.Store
	flow           *core.Record
	logs           *logLines // what the engine logged
}

// logLines collects a log written as JSON lines.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// entries returns the entries logged with the message msg.
func (l *logLines) entries(t testing.TB, msg string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range bytes.Split(l.buf.Bytes(), []byte("\n")) {
		var entry map[string]any
		if len(line) == 0 {
			continue
		}
		if err := json.Unmarshal(line, &entry); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if entry["msg"] == msg {
			out = append(out, entry)
		}
	}
	return out
}

func newFlowEnv(t testing.TB, entity connectors.Entity, flowFields map[string]any) *flowEnv {
	t.Helper()
	return newFlowEnvWith(t, fastEngine, entity, flowFields)
}

// newFlowEnvWith is newFlowEnv with the engine tuned by cfg.
func newFlowEnvWith(t testing.TB, cfg EngineConfig, entity connectors.Entity, flowFields map[string]any) *flowEnv {
	t.Helper()
	env := newTestEnv(t)
	env.sb.engine.cfg = cfg.withDefaults()
	useMailServer(env.app)
	n := storeSeq.Add(1)
	srcName, dstName := fmt.Sprintf("src-%d", n), fmt.Sprintf("dst-%d", n)
	src := env.saveConnection(t, "Source", "memory", map[string]any{"store": srcName}, nil)
	dst := env.saveConnection(t, "Target", "memory", map[string]any{"store": dstName}, nil)
	integ := newRecord(t, env.app, "integrations", map[string]any{
		"name": "Source <-> Target", "a": src.Id, "b": dst.Id, "enabled": true, "alert_emails": "owner@example.com"})
	fields := map[string]any{"integration": integ.Id, "name": "flow", "entity": string(entity),
		"source": src.Id, "target": dst.Id, "enabled": true, "schedule": ""}
	for k, v := range flowFields {
		fields[k] = v
	}
	flow := newRecord(t, env.app, "flows", fields)
	fe := &flowEnv{testEnv: env, source: memory.Open(srcName), target: memory.Open(dstName), flow: flow, logs: &logLines{}}
	// The engine logs to the test's buffer and, as in the appliance, to
	// the app's logger (whose stored lines the redaction tests read).
	env.sb.engine.log = slog.New(slog.NewMultiHandler(slog.NewJSONHandler(fe.logs, nil), env.app.Logger().Handler()))
	if err := env.sb.engine.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.sb.engine.Stop)
	return fe
}

// useMailServer configures SMTP; the test app's mailer takes every mail.
func useMailServer(app core.App) {
	smtp := &app.Settings().SMTP
	smtp.Enabled, smtp.Host, smtp.Port = true, "127.0.0.1", 25
}

func newRecord(t testing.TB, app core.App, collection string, fields map[string]any) *core.Record {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	rec := core.NewRecord(col)
	for k, v := range fields {
		rec.Set(k, v)
	}
	if err := app.Save(rec); err != nil {
		t.Fatalf("saving %s: %v", collection, err)
	}
	return rec
}

func (fe *flowEnv) run(t *testing.T) string {
	t.Helper()
	var run string
	eventually(t, "the run to start", func() bool {
		var err error
		run, err = fe.sb.engine.RunFlow(fe.flow.Id, TriggerManual)
		return err == nil
	})
	return run
}

// statuses counts the flow's transactions by status.
func (fe *flowEnv) statuses(t testing.TB) map[string]int {
	t.Helper()
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	err := fe.app.DB().NewQuery("SELECT status, COUNT(*) AS n FROM transactions WHERE flow = {:f} GROUP BY status").
		Bind(dbx.Params{"f": fe.flow.Id}).All(&rows)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out
}

func (fe *flowEnv) waitStatuses(t *testing.T, want map[string]int) {
	t.Helper()
	var got map[string]int
	if !waitUntil(func() bool {
		got = fe.statuses(t)
		for k, v := range want {
			if got[k] != v {
				return false
			}
		}
		return true
	}) {
		t.Fatalf("timed out waiting for statuses %v; last seen %v", want, got)
	}
}

func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	if !waitUntil(cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// waitUntil polls cond until it holds, or reports false after 30 seconds.
func waitUntil(cond func() bool) bool {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

func product(sku, name string) map[string]any { return map[string]any{"sku": sku, "name": name} }

func TestEngineMovesRecordsOnceAndUpdatesAfterwards(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	for i := range 20 {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%d", i), "Chair"))
	}
	run := fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 20})
	if fe.target.Writes() != 20 || fe.target.Len() != 20 {
		t.Fatalf("target writes %d, records %d; want 20 and 20", fe.target.Writes(), fe.target.Len())
	}
	for _, w := range fe.target.Log() { // the target keeps each record it was given
		if got, _ := fe.target.Get(connectors.Product, w.ID); w.Data["sku"] == nil || fmt.Sprint(got) != fmt.Sprint(w.Data) {
			t.Fatalf("target holds %v for %s, written %v", got, w.ID, w.Data)
		}
	}
	rec, _ := fe.app.FindRecordById("runs", run)
	eventually(t, "run counts", func() bool {
		rec, _ = fe.app.FindRecordById("runs", run)
		return rec.GetInt("succeeded") == 20 && !rec.GetDateTime("finished").IsZero()
	})
	if rec.GetInt("read") != 20 {
		t.Fatalf("run read %d", rec.GetInt("read"))
	}

	// The same record again, unchanged: skipped by the content hash.
	fe.source.Add(connectors.Product, "p3", product("SKU-3", "Chair"))
	// A changed record: an update of the same target record.
	fe.source.Add(connectors.Product, "p4", product("SKU-4", "Armchair"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 21, StatusSkipped: 1})
	if fe.target.Len() != 20 || fe.target.Writes() != 21 {
		t.Fatalf("target records %d writes %d; want 20 records, 21 writes", fe.target.Len(), fe.target.Writes())
	}
	got, _ := fe.target.Get(connectors.Product, lastWrite(fe.target).ID)
	if got["name"] != "Armchair" {
		t.Fatalf("updated record = %v", got)
	}
	var usage struct {
		Reads  int `db:"reads"`
		Writes int `db:"writes"`
	}
	if err := fe.app.DB().NewQuery("SELECT SUM(reads) AS reads, SUM(writes) AS writes FROM usage").One(&usage); err != nil {
		t.Fatal(err)
	}
	if usage.Reads != 22 || usage.Writes != 21 {
		t.Fatalf("usage %+v, want 22 reads and 21 writes", usage)
	}
}

// retarget points the flow at a new connection of the given connector,
// registered in the test registry when it is not yet, writing to store.
func (fe *flowEnv) retarget(t testing.TB, spec connectors.Spec, ctor connectors.Constructor, store string) {
	t.Helper()
	fe.repoint(t, "target", "b", spec, ctor, store)
}

// resource points the flow's source at a new connection of the given
// connector, as retarget does its target.
func (fe *flowEnv) resource(t testing.TB, spec connectors.Spec, ctor connectors.Constructor, store string) {
	t.Helper()
	fe.repoint(t, "source", "a", spec, ctor, store)
}

// register adds a connector to the engine's registry unless it has it.
func (fe *flowEnv) register(t testing.TB, spec connectors.Spec, ctor connectors.Constructor) {
	t.Helper()
	if _, ok := fe.sb.registry.Lookup(spec.Name); !ok {
		if err := fe.sb.registry.Register(spec, ctor); err != nil {
			t.Fatal(err)
		}
	}
}

// repoint puts a new connection on one side of the flow (field) and of its
// integration (end).
func (fe *flowEnv) repoint(t testing.TB, field, end string, spec connectors.Spec, ctor connectors.Constructor, store string) {
	t.Helper()
	fe.register(t, spec, ctor)
	conn := fe.saveConnection(t, spec.Title+" "+field, spec.Name, map[string]any{"store": store}, nil)
	integ, _ := fe.app.FindRecordById("integrations", fe.flow.GetString("integration"))
	integ.Set(end, conn.Id)
	if err := fe.app.Save(integ); err != nil {
		t.Fatal(err)
	}
	fe.flow.Set(field, conn.Id)
	if err := fe.app.Save(fe.flow); err != nil {
		t.Fatal(err)
	}
}

// claimTransactions claims once, with a statement of its own.
func claimTransactions(app core.App, limit int, lease time.Duration, flows []string, now time.Time) ([]claimed, error) {
	c := newClaimer(app)
	defer c.close()
	return c.claim(limit, lease, flows, now)
}

func lastWrite(s *memory.Store) memory.WriteLog {
	log := s.Log()
	return log[len(log)-1]
}

func TestEngineRetriesTransientErrorsAndFailsPermanentOnes(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.target.FailNext(connectors.TransientAfter(errors.New("503 busy"), 20*time.Millisecond),
		connectors.Transient(errors.New("timeout")))
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
	tx, err := fe.app.FindFirstRecordByData("transactions", "source_id", "p1")
	if err != nil {
		t.Fatal(err)
	}
	if tx.GetInt("attempts") != 3 {
		t.Fatalf("attempts = %d, want 3", tx.GetInt("attempts"))
	}
	p, _ := fe.sb.engine.payloads.decode(tx.GetString("payloads"))
	if len(p.Attempts) != 3 || p.Attempts[0].Error != "503 busy" || p.Attempts[2].Outcome != StatusSucceeded {
		t.Fatalf("attempt log %+v", p.Attempts)
	}
	if p.Input["sku"] != "SKU-1" || !strings.Contains(string(p.Canonical), `"sku":"SKU-1"`) || p.Response["id"] == nil {
		t.Fatalf("payloads %+v", p)
	}

	fe.target.FailNext(connectors.Permanent(errors.New("422 SKU-2 has no tax class")))
	fe.source.Add(connectors.Product, "p2", product("SKU-2", "Table"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1, StatusFailed: 1})
	failed, _ := fe.app.FindFirstRecordByData("transactions", "source_id", "p2")
	if failed.GetString("error") != "422 SKU-2 has no tax class" || failed.GetString("error_class") != "permanent" || failed.GetString("key") != "SKU-2" {
		t.Fatalf("failed transaction: %v", failed.PublicExport())
	}
	eventually(t, "an alert mail", func() bool { return fe.app.TestMailer.TotalSend() == 1 })
	msg := fe.app.TestMailer.LastMessage()
	if msg.Subject != "1 product failed in Source -> Target" || !strings.Contains(msg.Text, "422 SKU-2 has no tax class") ||
		msg.To[0].Address != "owner@example.com" {
		t.Fatalf("alert %q: %q to %v", msg.Subject, msg.Text, msg.To)
	}

	// After the cause is fixed, a retry sends the stored input again.
	n, err := fe.sb.engine.Retry(dbx.HashExp{"id": failed.Id})
	if err != nil || n != 1 {
		t.Fatalf("Retry = %d, %v", n, err)
	}
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 2, StatusFailed: 0})
}

func TestEngineMappingErrorsNameTheField(t *testing.T) {
	fe := newFlowEnv(t, connectors.Stock, nil)
	fe.source.Add(connectors.Stock, "s1", map[string]any{"sku": "SKU-1", "quantity": "lots"})
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusFailed: 1})
	tx, _ := fe.app.FindFirstRecordByData("transactions", "source_id", "s1")
	if msg := tx.GetString("error"); !strings.Contains(msg, "SKU-1") || !strings.Contains(msg, "quantity") {
		t.Fatalf("error %q does not name the record and the field", msg)
	}
	if fe.target.Writes() != 0 {
		t.Fatal("a record that failed mapping was written")
	}
}

func TestEngineFilterRuleSkipsWithReason(t *testing.T) {
	rules := `[{"kind":"filter","when":"name == 'Draft'","reason":"drafts are not published"}]`
	fe := newFlowEnv(t, connectors.Product, map[string]any{"rules": rules})
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Draft"))
	fe.source.Add(connectors.Product, "p2", product("SKU-2", "Chair"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSkipped: 1, StatusSucceeded: 1})
	tx, _ := fe.app.FindFirstRecordByData("transactions", "source_id", "p1")
	if tx.GetString("note") != "drafts are not published" {
		t.Fatalf("note %q", tx.GetString("note"))
	}
}

// pricedProductMapping maps products in and out, with nested objects and a
// computed decimal written as a number.
func pricedProductMapping() map[string]any {
	return map[string]any{"mapping": map[string]any{
		"in": []map[string]any{
			{"target": "sku", "expr": "sku"}, {"target": "name", "expr": "upper(name)"},
			{"target": "prices.list", "expr": "price"}, {"target": "prices.currency", "expr": `"EUR"`},
		},
		"out": []map[string]any{
			{"target": "code", "expr": "sku"}, {"target": "title", "expr": "name"},
			{"target": "price.amount", "expr": "num(prices.list * 1.21)"}, {"target": "price.currency", "expr": "prices.currency"},
		},
	}}
}

// TestEngineWritesMappedRecordsWhole: with mappings in and out, every
// record arrives whole at a target that keeps what it is given, and the
// activity keeps its canonical and output records.
func TestEngineWritesMappedRecordsWhole(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, pricedProductMapping())
	const n = 40
	for i := range n {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), map[string]any{
			"sku": fmt.Sprintf("SKU-%d", i), "name": fmt.Sprintf("chair %d", i), "price": fmt.Sprintf("%d.00", 10+i)})
	}
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: n})
	log := fe.target.Log()
	if len(log) != n {
		t.Fatalf("%d writes, want %d", len(log), n)
	}
	for _, w := range log {
		var i int
		if _, err := fmt.Sscanf(fmt.Sprint(w.Data["code"]), "SKU-%d", &i); err != nil {
			t.Fatalf("written %v: %v", w.Data, err)
		}
		want := fmt.Sprintf("map[code:SKU-%d price:map[amount:%.4f currency:EUR] title:CHAIR %d]", i, float64(10+i)*1.21, i)
		if got, _ := fe.target.Get(connectors.Product, w.ID); fmt.Sprint(got) != want || fmt.Sprint(w.Data) != want {
			t.Fatalf("target holds %v, written %v; want %s", got, w.Data, want)
		}
	}
	tx, err := fe.app.FindFirstRecordByData("transactions", "source_id", "p7")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := fe.sb.engine.payloads.decode(tx.GetString("payloads"))
	if !strings.Contains(string(p.Canonical), `"name":"CHAIR 7"`) || !strings.Contains(string(p.Output), `"amount":20.5700`) {
		t.Fatalf("activity keeps canonical %s and output %s", p.Canonical, p.Output)
	}
}

func TestEngineKeepsOrderPerKey(t *testing.T) {
	fe := newFlowEnv(t, connectors.Stock, map[string]any{"options": map[string]any{"ordered": true}})
	fe.target.FailNext(connectors.Transient(errors.New("first write times out")))
	for i := range 5 {
		fe.source.Add(connectors.Stock, fmt.Sprintf("m%d", i), map[string]any{"sku": "SKU-1", "quantity": fmt.Sprint(i)})
	}
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 5})
	var quantities []string
	for _, w := range fe.target.Log() {
		quantities = append(quantities, fmt.Sprint(w.Data["quantity"]))
	}
	if strings.Join(quantities, ",") != "0,1,2,3,4" {
		t.Fatalf("writes in order %v, want 0,1,2,3,4", quantities)
	}
}

func TestEngineOutagePausesAlertsOnceAndRecovers(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.target.SetOutage(connectors.Transient(errors.New("503 Service Unavailable")))
	for i := range 50 {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%d", i), "Chair"))
	}
	fe.run(t)
	eventually(t, "the target to be marked down", func() bool {
		rec, _ := fe.app.FindFirstRecordByData(connectionsCollection, "name", "Target")
		return rec.GetString("status") == ConnDown
	})
	refused := fe.target.Refused()
	eventually(t, "two probes refused", func() bool { return fe.target.Refused() >= refused+2 })
	fe.target.SetOutage(nil)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 50})
	rec, _ := fe.app.FindFirstRecordByData(connectionsCollection, "name", "Target")
	if rec.GetString("status") != ConnOK {
		t.Fatalf("target status %q after recovery", rec.GetString("status"))
	}
	if fe.target.Len() != 50 {
		t.Fatalf("target has %d records, want 50", fe.target.Len())
	}
	eventually(t, "two mails: down and back", func() bool { return fe.app.TestMailer.TotalSend() == 2 })
	msgs := fe.app.TestMailer.Messages()
	if !strings.Contains(msgs[0].Subject, "is not answering") || !strings.Contains(msgs[1].Subject, "is back") {
		t.Fatalf("mails %q, %q", msgs[0].Subject, msgs[1].Subject)
	}
}

func TestEngineCrashedClaimsComeBack(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.sb.engine.Stop()
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	// A worker claimed the record and died: its lease ran out.
	rt, err := fe.sb.engine.runtime(fe.flow.Id)
	if err != nil {
		t.Fatal(err)
	}
	items, _ := fe.sb.engine.inboxItems(rt, "", []connectors.Record{{ID: "p1", Key: "SKU-1", Data: product("SKU-1", "Chair")}})
	if _, _, err := insertTransactions(nil, fe.app, items, time.Now()); err != nil {
		t.Fatal(err)
	}
	got, err := claimTransactions(fe.app, 10, -time.Second, []string{fe.flow.Id}, time.Now())
	if err != nil || len(got) != 1 {
		t.Fatalf("claim = %v, %v", got, err)
	}
	again, err := claimTransactions(fe.app, 10, time.Minute, []string{fe.flow.Id}, time.Now())
	if err != nil || len(again) != 1 || again[0].Attempts != 2 {
		t.Fatalf("expired lease not reclaimed: %v, %v", again, err)
	}
	if none, _ := claimTransactions(fe.app, 10, time.Minute, []string{fe.flow.Id}, time.Now()); len(none) != 0 {
		t.Fatalf("a leased transaction was claimed twice: %v", none)
	}
}

func TestEngineStopDrainsInFlightWork(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.target.SetDelay(30 * time.Millisecond)
	for i := range 40 {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%d", i), "Chair"))
	}
	fe.run(t)
	eventually(t, "some writes", func() bool { return fe.target.Writes() >= 4 })
	fe.sb.engine.Stop()
	got := fe.statuses(t)
	if got[StatusRunning] != 0 {
		t.Fatalf("%d transactions left running after a graceful stop", got[StatusRunning])
	}
	if got[StatusSucceeded] != fe.target.Writes() {
		t.Fatalf("%d writes but %d recorded successes", fe.target.Writes(), got[StatusSucceeded])
	}
}

func TestEngineRunsOfAFlowDoNotOverlap(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	release := fe.source.Hold() // the first run's read waits until released
	t.Cleanup(release)
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	first, err := fe.sb.engine.RunFlow(fe.flow.Id, TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	second, err := fe.sb.engine.RunFlow(fe.flow.Id, TriggerSchedule)
	if !errors.Is(err, ErrFlowRunning) || second != first {
		t.Fatalf("second run = %q, %v; want ErrFlowRunning with run %q", second, err, first)
	}
	release()
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
}

func TestEngineRunsOnSchedule(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, map[string]any{"schedule": "@every 1s"})
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
	run, err := fe.app.FindFirstRecordByData("runs", "flow", fe.flow.Id)
	if err != nil || run.GetString("trigger") != TriggerSchedule {
		t.Fatalf("run %v, %v; want a scheduled run", run, err)
	}
	// Disabling the flow takes it off the schedule.
	fe.flow.Set("enabled", false)
	if err := fe.app.Save(fe.flow); err != nil {
		t.Fatal(err)
	}
	if _, scheduled := fe.sb.engine.sched.entries[fe.flow.Id]; scheduled {
		t.Fatal("a disabled flow is still scheduled")
	}
}

func TestRetentionPrunesFinishedActivityOnly(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.target.FailNext(connectors.Permanent(errors.New("rejected")))
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.source.Add(connectors.Product, "p2", product("SKU-2", "Table"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1, StatusFailed: 1})
	fe.sb.engine.prune(time.Now().Add(fe.sb.engine.cfg.Retention + time.Hour))
	got := fe.statuses(t)
	if got[StatusSucceeded] != 0 || got[StatusFailed] != 1 {
		t.Fatalf("after pruning: %v; want the failed transaction only", got)
	}
}

// TestRetentionPrunesRunsNoTransactionRefersTo: a run is pruned once its
// transactions are; one a kept transaction refers to stays.
func TestRetentionPrunesRunsNoTransactionRefersTo(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.target.FailNext(connectors.Permanent(errors.New("rejected")))
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusFailed: 1})
	fe.source.Add(connectors.Product, "p2", product("SKU-2", "Table"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusFailed: 1, StatusSucceeded: 1})
	var kept string
	if err := fe.app.DB().NewQuery("SELECT run FROM transactions WHERE status = 'failed'").Row(&kept); err != nil {
		t.Fatal(err)
	}
	eventually(t, "both runs to finish", func() bool {
		n, _ := fe.app.CountRecords("runs", dbx.NewExp("finished != ''"))
		return n == 2
	})
	fe.sb.engine.prune(time.Now().Add(fe.sb.engine.cfg.Retention + time.Hour))
	var runs []string
	if err := fe.app.DB().NewQuery("SELECT id FROM runs").Column(&runs); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0] != kept {
		t.Fatalf("after pruning runs %v are kept; want %s, the failed transaction's", runs, kept)
	}
}

// TestRetentionReadsNoWholeTable: the pruning runs inside a write, so it
// reads transactions by the primary key's range, never the whole table.
func TestRetentionReadsNoWholeTable(t *testing.T) {
	env := newTestEnv(t)
	for _, sql := range []string{pruneTransactionsSQL, pruneRandomTransactionsSQL, deleteRunSQL} {
		var plan []struct {
			Detail string `db:"detail"`
		}
		params := dbx.Params{"cutoff": "x", "n": 10, "before": "x", "future": "x", "from": "x", "until": "y", "run": "r"}
		if err := env.app.DB().NewQuery("EXPLAIN QUERY PLAN " + sql).Bind(params).All(&plan); err != nil {
			t.Fatal(err)
		}
		text := fmt.Sprint(plan)
		if strings.Contains(text, "SCAN transactions}") || !strings.Contains(text, "sqlite_autoindex_transactions_1 (id") {
			t.Errorf("plan %s; want the transactions read from the primary key's range", text)
		}
	}
}

// panicky is a target whose writes panic, as a buggy connector might.
type panicky struct{ bufferedTarget }

func (p *panicky) Write(context.Context, connectors.WriteRequest) (connectors.WriteResult, error) {
	panic("index out of range")
}

// panickyReader is a source whose reads panic.
type panickyReader struct{}

var panickyReaderSpec = connectors.Spec{
	Name: "panicky-reader", Title: "Panicky reader", Category: connectors.CategoryGeneric,
	Auth:   []connectors.AuthKind{connectors.AuthNone},
	Fields: []connectors.Field{{Name: "store", Title: "Store", Type: connectors.TypeString, Required: true, Help: "Store name."}},
	Reads:  connectors.Entities(),
}

func (panickyReader) Test(context.Context) (connectors.TestResult, error) {
	return connectors.TestResult{OK: true, Message: "ok"}, nil
}
func (panickyReader) Close() error { return nil }
func (panickyReader) Read(context.Context, connectors.ReadRequest) (connectors.PageStream, error) {
	panic("assignment to entry in nil map")
}

// TestEngineSurvivesAConnectorPanic: a panic in a connector's write fails
// the record, and one in its read fails the run, each with a short message;
// the log has the panic with its stack, which shows where it began.
func TestEngineSurvivesAConnectorPanic(t *testing.T) {
	t.Run("write", func(t *testing.T) {
		fe := newFlowEnv(t, connectors.Product, nil)
		spec := bufferedSpec
		spec.Name, spec.Title = "panicky", "Panicky"
		fe.retarget(t, spec, func(connectors.Config, connectors.Env) (connectors.Connector, error) {
			return &panicky{}, nil
		}, "x")
		fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
		fe.run(t)
		fe.waitStatuses(t, map[string]int{StatusFailed: 1})
		tx, _ := fe.app.FindFirstRecordByData("transactions", "source_id", "p1")
		if got := tx.GetString("error"); got != "the connector failed: index out of range" {
			t.Fatalf("error %q, want the panic in a short message", got)
		}
		checkPanicLogged(t, fe, "transaction", tx.Id, "(*panicky).Write")
	})
	t.Run("read", func(t *testing.T) {
		fe := newFlowEnv(t, connectors.Product, nil)
		fe.resource(t, panickyReaderSpec, func(connectors.Config, connectors.Env) (connectors.Connector, error) {
			return panickyReader{}, nil
		}, "x")
		run := fe.run(t)
		var rec *core.Record
		eventually(t, "the run to end", func() bool {
			rec, _ = fe.app.FindRecordById("runs", run)
			return rec != nil && !rec.GetDateTime("finished").IsZero()
		})
		if got := rec.GetString("error"); got != "the connector failed: assignment to entry in nil map" {
			t.Fatalf("run error %q, want the panic in a short message", got)
		}
		checkPanicLogged(t, fe, "run", run, "panickyReader.Read")
	})
}

// checkPanicLogged checks that the engine logged one panic, for the given
// transaction or run, with a stack that names the function that panicked.
func checkPanicLogged(t *testing.T, fe *flowEnv, key, id, function string) {
	t.Helper()
	logged := fe.logs.entries(t, "a connector panicked")
	if len(logged) != 1 {
		t.Fatalf("%d panics logged, want 1", len(logged))
	}
	stack, _ := logged[0]["stack"].(string)
	if logged[0][key] != id || logged[0]["level"] != "ERROR" || !strings.Contains(stack, function) {
		t.Fatalf("logged %v; want the %s %s and a stack through %s", logged[0], key, id, function)
	}
}

func TestStaleFailuresDoNotTakeAConnectionDownAgain(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	// The target refuses its probes, so that only this test brings it back.
	fe.target.SetOutage(connectors.Transient(errors.New("503 Service Unavailable")))
	target := fe.flow.GetString("target")
	h := fe.sb.engine.health
	before := time.Now().Add(-time.Minute) // when the late attempts began
	now := time.Now()
	for i := range fastEngine.DownAfter { // failures a probe interval apart
		h.failed(target, "503", now, now.Add(time.Duration(i)*fastEngine.ProbeEvery))
	}
	if !h.isDown(target) {
		t.Fatal("not down after repeated failures")
	}
	h.probeOK(target)
	h.failed(target, "503 from an attempt begun during the outage", before, time.Now())
	if h.isDown(target) {
		t.Fatal("a stale failure took the connection down again")
	}
	h.ok(target, time.Now())
	for range fastEngine.DownAfter * 2 {
		h.failed(target, "503 answered late", before, time.Now())
	}
	if h.isDown(target) {
		t.Fatal("failures of attempts begun before the recovery took the connection down")
	}
	// Alerts are mailed before failed and ok return.
	if n := fe.app.TestMailer.TotalSend(); n != 2 {
		t.Fatalf("%d mails, want one for the outage and one for the recovery", n)
	}
}

// TestNoGoroutineStartsOnceTheEngineStops: work asked of a stopping
// engine (a webhook registration, a run) starts no goroutine, which would
// outlive stop and use an app already closed.
func TestNoGoroutineStartsOnceTheEngineStops(t *testing.T) {
	e := &Engine{}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	var ran atomic.Bool
	if !e.goLoop(func() { ran.Store(true) }) {
		t.Fatal("a running engine refused a goroutine")
	}
	e.wg.Wait()
	e.cancel()
	ran.Store(false)
	if e.goLoop(func() { ran.Store(true) }) {
		t.Fatal("a stopped engine started a goroutine")
	}
	e.wg.Wait()
	if ran.Load() {
		t.Fatal("the goroutine ran after the engine stopped")
	}
}

// TestAShorterRetentionSavedPrunesAtOnce: a retention shortened on the
// Settings page prunes the activity older than it at once, as the page
// says, not at the next hourly pass.
func TestAShorterRetentionSavedPrunesAtOnce(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
	old := time.Now().Add(-10 * 24 * time.Hour)
	_, err := fe.app.DB().NewQuery("UPDATE transactions SET id = {:id}, created = {:at}, updated = {:at}").
		Bind(dbx.Params{"id": idAt(old), "at": sqlTime(old)}).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if err := fe.sb.SaveTunables(Tunables{AlertEvery: 15 * time.Minute, RetentionDays: 7}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the transaction older than the new retention to be pruned", func() bool {
		n, _ := fe.app.CountRecords("transactions")
		return n == 0
	})
}
