package app

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestARunsRecordsAreClaimedAsTheyAreStored: a run of an active flow
// stores the records of a page running, leased to this process, and hands
// them to the dispatcher, instead of storing them pending for a claim to
// write them again; a record whose lane is taken (by an unfinished
// transaction or an earlier record of the page) and a record that could
// not be read are stored as before.
func TestARunsRecordsAreClaimedAsTheyAreStored(t *testing.T) {
	fe, rt := newDispatcherlessFlowEnv(t, connectors.Product)
	e := fe.sb.engine
	before, _ := e.inboxItems(rt, "", []connectors.Record{{ID: "p3", Data: product("SKU-3", "Lamp")}})
	if _, _, err := insertTransactions(nil, fe.app, before, time.Now()); err != nil {
		t.Fatal(err)
	}
	page := connectors.Page{Records: []connectors.Record{
		{ID: "p1", Data: product("SKU-1", "Chair")},
		{ID: "p1", Data: product("SKU-1", "Chair, blue")}, // its lane has the record before it
		{ID: "p2", Data: product("SKU-2", "Table")},
		{ID: "p3", Data: product("SKU-3", "Lamp, brass")}, // its lane has an unfinished transaction
		{ID: "p4", Err: errors.New("a quote is not closed"), Raw: `"SKU-4,Stool`},
	}}
	stored := make(chan error, 1)
	items := pageItems(t, e, rt, page)
	go func() { stored <- e.commitPage(rt, "", page, items) }()
	var got []claimed
	select {
	case got = <-e.handoff:
	case err := <-stored:
		t.Fatalf("the page was stored (error %v) and nothing was handed over", err)
	}
	if err := <-stored; err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].SourceID != "p1" || got[1].SourceID != "p2" || got[0].Attempts != 1 || got[0].Payloads == "" {
		t.Fatalf("handed over %+v; want p1 and p2, first attempts, with their input", got)
	}
	var rows []struct {
		SourceID string `db:"source_id"`
		Status   string `db:"status"`
		Attempts int    `db:"attempts"`
		Next     string `db:"next_attempt"`
	}
	if err := fe.app.DB().NewQuery("SELECT source_id, status, attempts, next_attempt FROM transactions WHERE flow = {:flow} ORDER BY rowid").
		Bind(dbx.Params{"flow": fe.flow.Id}).All(&rows); err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, r := range rows {
		states = append(states, fmt.Sprintf("%s:%s:%d", r.SourceID, r.Status, r.Attempts))
	}
	want := "[p3:pending:0 p1:running:1 p1:pending:0 p2:running:1 p3:pending:0 p4:failed:0]"
	if fmt.Sprint(states) != want {
		t.Fatalf("stored %v; want %s", states, want)
	}
	if lease := rows[1].Next; lease <= sqlTime(time.Now()) {
		t.Errorf("a handed-over record's lease ends at %s, not in the future", lease)
	}
	if held := e.leases.due(time.Now().Add(e.cfg.Lease + time.Minute)); len(held) != 2 {
		t.Errorf("this process holds %v; want the two handed-over records", held)
	}
}

// TestWebhookRecordsAreClaimedAsTheyAreStored: the intake claims the
// records of the deliveries it commits while the dispatcher keeps up,
// waits for room when committed batches fill the hand-over and the
// dispatcher takes one, and stores them pending when it takes none.
func TestWebhookRecordsAreClaimedAsTheyAreStored(t *testing.T) {
	fe, rt := newDispatcherlessFlowEnv(t, connectors.Order)
	e := fe.sb.engine
	delivery := func(key string, ids ...string) *intakeRequest {
		var records []connectors.Record
		for _, id := range ids {
			records = append(records, connectors.Record{ID: id, Data: map[string]any{"number": id}})
		}
		items, err := e.inboxItems(rt, "", records)
		if err != nil {
			t.Fatal(err)
		}
		return &intakeRequest{rt: rt, content: key, items: items, done: make(chan error, 1)}
	}
	e.commitIntakes([]*intakeRequest{delivery("s:a", "o1", "o2"), delivery("s:b", "o1")})
	select {
	case got := <-e.intakeHandoff:
		if len(got) != 2 || got[0].SourceID != "o1" || got[1].SourceID != "o2" {
			t.Fatalf("handed over %+v; want o1 and o2", got)
		}
	default:
		t.Fatal("the committed records were not handed over")
	}
	for range cap(e.intakeHandoff) { // the dispatcher is behind
		e.intakeHandoff <- nil
	}
	e.commitIntakes([]*intakeRequest{delivery("s:c", "o3")})
	if got := fe.statusesBySource(t); got != "[o1:running o2:running o1:pending o3:pending]" {
		t.Fatalf("stored %s", got)
	}

	taken := make(chan []claimed)
	go func() { // the dispatcher takes a batch while the intake waits
		got := <-e.intakeHandoff
		e.tookIntake()
		taken <- got
	}()
	e.commitIntakes([]*intakeRequest{delivery("s:d", "o4")})
	<-taken
	if got := fe.statusesBySource(t); got != "[o1:running o2:running o1:pending o3:pending o4:running]" {
		t.Fatalf("stored %s", got)
	}
	for len(e.intakeHandoff) > 0 {
		if got := <-e.intakeHandoff; got != nil {
			if len(got) != 1 || got[0].SourceID != "o4" {
				t.Fatalf("handed over %+v; want o4", got)
			}
			return
		}
	}
	t.Fatal("o4 was stored running but not handed over")
}

// newDispatcherlessFlowEnv is a flowEnv whose engine serves without its
// dispatcher and workers: the test takes their place, reading what is
// handed over. It returns the flow's runtime too.
func newDispatcherlessFlowEnv(t *testing.T, entity connectors.Entity) (*flowEnv, *flowRuntime) {
	t.Helper()
	fe := newFlowEnv(t, entity, nil)
	e := fe.sb.engine
	e.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	// The engine's own Stop has run: wait here for what the test's saves
	// started in the background (a webhook's registration), before the
	// app they use is cleaned up.
	t.Cleanup(func() { cancel(); e.wg.Wait() })
	e.ctx, e.cancel = ctx, cancel
	rt, err := e.runtime(fe.flow.Id)
	if err != nil {
		t.Fatal(err)
	}
	return fe, rt
}

// statusesBySource lists the flow's transactions as source id:status, in
// the order they were stored.
func (fe *flowEnv) statusesBySource(t testing.TB) string {
	t.Helper()
	var rows []struct {
		SourceID string `db:"source_id"`
		Status   string `db:"status"`
	}
	if err := fe.app.DB().NewQuery("SELECT source_id, status FROM transactions WHERE flow = {:flow} ORDER BY rowid").
		Bind(dbx.Params{"flow": fe.flow.Id}).All(&rows); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.SourceID+":"+r.Status)
	}
	return fmt.Sprint(out)
}

// TestHandedOverRecordsNeedNoClaim: webhook records that the intake hands
// over are written without the dispatcher claiming: neither their commit
// nor the workers falling idle makes it look at the inbox again.
func TestHandedOverRecordsNeedNoClaim(t *testing.T) {
	cfg := fastEngine
	cfg.PollEvery = time.Hour // no claims on a clock
	fe := newFlowEnvWith(t, cfg, connectors.Product, nil)
	e := fe.sb.engine
	rt, err := e.runtime(fe.flow.Id)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the dispatcher's first claim", func() bool { return e.claims.Load() > 0 })
	before := e.claims.Load()
	for i := range 10 {
		id := fmt.Sprintf("p%d", i)
		key := "s:" + id
		if err := e.intake(rt, "", key, []connectors.Record{{ID: id, Data: product("SKU-"+id, "Chair")}}, func() {}); err != nil {
			t.Fatal(err)
		}
		eventually(t, id+" written", func() bool { return fe.target.Writes() == i+1 })
	}
	if n := e.claims.Load() - before; n > 0 {
		t.Errorf("the dispatcher claimed %d times for records handed over to it", n)
	}
}

// TestAHugePageIsClaimedToo: a source may return a page of more records
// than SQLite takes bound parameters in one statement (32,766); its open
// lanes, and the xrefs of the records handed over, are read with the list
// of keys as one parameter (textList), whatever its length.
func TestAHugePageIsClaimedToo(t *testing.T) {
	fe, rt := newDispatcherlessFlowEnv(t, connectors.Product)
	e := fe.sb.engine
	const n = 33_000
	page := connectors.Page{Records: make([]connectors.Record, n)}
	for i := range page.Records {
		page.Records[i] = connectors.Record{ID: fmt.Sprintf("p%d", i), Data: product(fmt.Sprintf("SKU-%d", i), "Chair")}
	}
	stored := make(chan error, 1)
	items := pageItems(t, e, rt, page)
	go func() { stored <- e.commitPage(rt, "", page, items) }()
	var got []claimed
	take := func(part []claimed) {
		if len(part) > handoffPart {
			t.Fatalf("handed over %d records at once; want at most %d", len(part), handoffPart)
		}
		got = append(got, part...)
	}
	for done := false; !done; {
		select {
		case part := <-e.handoff:
			take(part)
		case err := <-stored:
			if err != nil {
				t.Fatal(err)
			}
			done = true
		}
	}
	for len(e.handoff) > 0 { // the last parts wait in the hand-over
		take(<-e.handoff)
	}
	if len(got) != n {
		t.Fatalf("handed over %d records of %d", len(got), n)
	}
	if err := attachXrefs(e.stmts, e.app(), got, e.flowScope); err != nil { // all at once, as the dispatcher does
		t.Fatal(err)
	}
}

// pageItems returns the inbox items of a page's records.
func pageItems(t *testing.T, e *Engine, rt *flowRuntime, page connectors.Page) []inboxItem {
	t.Helper()
	items, err := e.inboxItems(rt, "", page.Records)
	if err != nil {
		t.Fatal(err)
	}
	return items
}
