package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/connectors"
)

// countStatusUpdates makes the database count the updates that change a
// transaction's status from running, and returns how to read the count.
func countStatusUpdates(t *testing.T, fe *flowEnv) func() int {
	t.Helper()
	for _, q := range []string{
		`CREATE TABLE test_status_updates (id TEXT NOT NULL)`,
		`CREATE TRIGGER test_status_updated AFTER UPDATE OF status ON transactions
			WHEN old.status = 'running' BEGIN INSERT INTO test_status_updates (id) VALUES (new.id); END`,
	} {
		if _, err := fe.app.DB().NewQuery(q).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	return func() int {
		var n int
		if err := fe.app.DB().NewQuery(`SELECT COUNT(*) FROM test_status_updates`).Row(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// TestARunsRecordsAreStoredOnceWithTheirOutcomes: a run of a file into a
// file target stores its pages' records once, with their outcomes, instead
// of storing them running and then updating them; every row is still
// written to the files once, stored succeeded and counted on its run.
func TestARunsRecordsAreStoredOnceWithTheirOutcomes(t *testing.T) {
	cfg := fastEngine
	cfg.FlushRecords = 2500
	fe := newFlowEnvWith(t, cfg, connectors.Product, benchMapping)
	root, err := CreateFilesDir(fe.app.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	// Pages of 1,000 rows (filePageSize). The last is stored as it is read,
	// and so are the first and the second when the reader meets them before
	// the target is open (it meets the third once the workers took all of
	// the first, and wrote nearly all of it). On a busy machine the reader
	// may meet one more page before the workers took the one before it:
	// one page more is allowed, while storing every record twice (4,500)
	// still fails.
	const n = 4500
	storedAsRead := 3*filePageSize + n%filePageSize
	writeBenchCSV(t, filepath.Join(root, "in", "products.csv"), n)
	fe.pointSource(t, fe.saveConnection(t, "Supplier files", "folder", map[string]any{"folder": "in"}, nil))
	folder := fe.benchTarget(t, root)
	updates := countStatusUpdates(t, fe)
	run := fe.run(t)
	fe.waitSucceededSlowly(t, n)
	seen, fullest := publishedSKUs(t, folder, n)
	for i := range n {
		if sku := fmt.Sprintf("SKU-%07d", i); seen[sku] != 1 {
			t.Fatalf("%s written %d times", sku, seen[sku])
		}
	}
	if most := cfg.FlushRecords + cfg.Workers; fullest > most { // as TestABacklogIsFlushedWhileItLastsAndWrittenOnce
		t.Errorf("a file holds %d records; a flush holds at most %d", fullest, most)
	}
	if got := updates(); got > storedAsRead {
		t.Errorf("%d of %d transactions were stored running and updated with their outcome; want at most %d", got, n, storedAsRead)
	}
	eventually(t, "the run to end", func() bool {
		var read int
		var finished string
		err := fe.app.DB().NewQuery(`SELECT read, finished FROM runs WHERE id = {:id}`).Bind(dbx.Params{"id": run}).Row(&read, &finished)
		return err == nil && read == n && finished != ""
	})
}

// deferredEnv is a flow from a file source (or, fromApp, from an app) to
// a file target whose runtime has the target open, in an engine without
// dispatcher: the test takes what a run hands over (e.handoff) and
// processes it.
func deferredEnv(t *testing.T, fromApp bool) (*flowEnv, *flowRuntime, string) {
	t.Helper()
	fe, _ := newDispatcherlessFlowEnv(t, connectors.Product)
	if !fromApp {
		fe.pointSource(t, fe.saveConnection(t, "Supplier files", "folder", map[string]any{"folder": "in"}, nil))
	}
	folder := fe.writeFolder(t, "shop", nil)
	e := fe.sb.engine
	rt, err := e.runtime(fe.flow.Id)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.openTarget(rt); err != nil {
		t.Fatal(err)
	}
	return fe, rt, folder
}

// productPage is a page of products p<from> … p<to-1>.
func productPage(from, to int, cursor string) connectors.Page {
	page := connectors.Page{Cursor: cursor}
	for i := from; i < to; i++ {
		page.Records = append(page.Records, connectors.Record{ID: fmt.Sprintf("p%d", i), Data: product(fmt.Sprintf("SKU-%d", i), "Chair")})
	}
	return page
}

// handOverUnstored hands a page over unstored, as a run does, and returns
// the page and its claims.
func handOverUnstored(t *testing.T, e *Engine, rt *flowRuntime, page connectors.Page) (*deferredPage, []claimed) {
	t.Helper()
	items := pageItems(t, e, rt, page)
	got := make(chan *deferredPage, 1)
	go func() { got <- e.deferPage(rt, "", page, items) }()
	select {
	case claims := <-e.handoff:
		return <-got, claims
	case p := <-got:
		t.Fatalf("the page was not handed over unstored (%v)", p)
	case <-time.After(time.Minute):
		t.Fatal("waited a minute for the page to be handed over")
	}
	return nil, nil
}

// TestAPageHandedOverUnstoredWakesNoClaim: a run that hands a page over
// unstored does not wake the dispatcher to claim, as it does after storing
// a page: the page's records are in the hand-over, none in the inbox, and
// the claim would wait for the writer's connection, behind a flush's
// commit, while the workers waited for records.
func TestAPageHandedOverUnstoredWakesNoClaim(t *testing.T) {
	fe, rt, _ := deferredEnv(t, false)
	e := fe.sb.engine
	select {
	case <-e.wake:
	default:
	}
	stream := &gatedPages{pages: []connectors.Page{productPage(0, 2, "after-p1")}, asked: make(chan int)}
	read := make(chan error, 1)
	go func() { read <- e.readPages(rt, "", stream) }()
	waitFor(t, "the run to ask for the first page", stream.asked)
	claims := waitFor(t, "the page's records", e.handoff)
	waitFor(t, "the run to ask for the next page", stream.asked) // done with the first
	select {
	case <-e.wake:
		t.Error("the run woke the dispatcher after a page it handed over unstored")
	default:
	}
	for _, c := range claims {
		e.process(c)
	}
	if err := waitFor(t, "the run to end", read); err != nil {
		t.Fatal(err)
	}
}

// gatedPages is a stream of pages that tells, on asked, each time the run
// asks for a page, and waits until the test takes that.
type gatedPages struct {
	pages []connectors.Page
	asked chan int
	next  int
}

func (s *gatedPages) Next(ctx context.Context) (connectors.Page, error) {
	select {
	case s.asked <- s.next:
	case <-ctx.Done():
		return connectors.Page{}, ctx.Err()
	}
	if s.next == len(s.pages) {
		return connectors.Page{}, connectors.ErrEndOfInput
	}
	s.next++
	return s.pages[s.next-1], nil
}

func (s *gatedPages) Close() error { return nil }

// TestAPagesXrefsAreReadAsItIsHandedOver: the run reads the xrefs of a
// page it hands over unstored on a reading connection, while another holds
// the writer's, and the dispatcher has none to read. (The dispatcher read
// them on the writer's connection, after the commit of a flush of many
// rows, while the workers waited for records.)
func TestAPagesXrefsAreReadAsItIsHandedOver(t *testing.T) {
	fe, rt, _ := deferredEnv(t, false)
	e := fe.sb.engine
	p, claims := handOverUnstored(t, e, rt, productPage(0, 3, "after-p2"))
	for _, c := range claims {
		e.process(c)
	}
	e.flush(rt)
	<-p.done
	var xrefs []struct {
		SourceID string `db:"source_id"`
		Hash     string `db:"hash"`
	}
	if err := fe.app.DB().NewQuery(`SELECT source_id, hash FROM xrefs WHERE hash != ''`).All(&xrefs); err != nil {
		t.Fatal(err)
	}
	hashes := map[string]string{}
	for _, x := range xrefs {
		hashes[x.SourceID] = x.Hash
	}
	if len(hashes) != 3 {
		t.Fatalf("xrefs %v; want one for each of p0, p1, p2", hashes)
	}

	writer, err := fe.app.NonconcurrentDB().(*dbx.DB).Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Rollback()
	_, again := handOverUnstored(t, e, rt, productPage(0, 3, "after-p2"))
	for _, c := range again {
		if !c.xrefRead || c.xref.Hash != hashes[c.SourceID] {
			t.Errorf("%s: handed over with xref %+v (read: %v); want hash %q", c.SourceID, c.xref, c.xrefRead, hashes[c.SourceID])
		}
	}
}

// TestAFlushStoresTheRecordsItFindsUnfinishedRunning: a flush stores the
// records of a page handed over unstored whose outcomes it has, with them,
// and the others running, leased to this process, with the page's cursor;
// those are then recorded as any claim's, and each record is written once.
func TestAFlushStoresTheRecordsItFindsUnfinishedRunning(t *testing.T) {
	fe, rt, folder := deferredEnv(t, false)
	e := fe.sb.engine
	p, claims := handOverUnstored(t, e, rt, productPage(0, 4, "after-p3"))
	for _, c := range claims[:2] {
		if o := e.process(c); !o.held {
			t.Fatalf("%s: %+v; want a held write", c.SourceID, o)
		}
	}
	e.flush(rt)
	<-p.done
	if !p.stored {
		t.Fatal("the flush did not store the page")
	}
	if got, want := fe.statusesBySource(t), "[p0:succeeded p1:succeeded p2:running p3:running]"; got != want {
		t.Fatalf("stored %s; want %s", got, want)
	}
	if cursor, _ := e.cursor(fe.flow.Id); cursor != "after-p3" {
		t.Errorf("cursor %q; want the page's", cursor)
	}
	for _, c := range claims[2:] {
		e.process(c)
	}
	e.flush(rt)
	if got, want := fe.statusesBySource(t), "[p0:succeeded p1:succeeded p2:succeeded p3:succeeded]"; got != want {
		t.Fatalf("stored %s; want %s", got, want)
	}
	seen, _ := writtenSKUs(t, folder)
	for i := range 4 {
		if sku := fmt.Sprintf("SKU-%d", i); seen[sku] != 1 {
			t.Fatalf("%s written %d times: %v", sku, seen[sku], seen)
		}
	}
}

// TestAPageIsStoredAsItIsReadWhenItsRecordsCannotBeClaimed: a page is
// handed over unstored only when each of its records can be claimed at
// once and the source wants no acknowledgement of it.
func TestAPageIsStoredAsItIsReadWhenItsRecordsCannotBeClaimed(t *testing.T) {
	fe, rt, _ := deferredEnv(t, false)
	e := fe.sb.engine
	handOverUnstored(t, e, rt, productPage(0, 2, "")) // p0 and p1 wait unstored
	before, _ := e.inboxItems(rt, "", []connectors.Record{{ID: "p9", Data: product("SKU-9", "Lamp")}})
	if _, _, err := insertTransactions(nil, fe.app, before, time.Now()); err != nil { // p9 waits pending
		t.Fatal(err)
	}
	ack := func(page connectors.Page) connectors.Page {
		page.Ack = func(ctx context.Context) error { return nil }
		return page
	}
	unreadable := productPage(5, 7, "")
	unreadable.Records[1] = connectors.Record{ID: "p6", Err: errors.New("a quote is not closed"), Raw: `"SKU-6`}
	twice := productPage(5, 7, "")
	twice.Records[1].ID = "p5"
	tests := []struct {
		name string
		page connectors.Page
	}{
		{"a record of an unstored page's lane", productPage(1, 3, "")},
		{"a record of an unfinished transaction's lane", productPage(8, 10, "")},
		{"a record that could not be read", unreadable},
		{"two records of one lane", twice},
		{"a page to acknowledge", ack(productPage(5, 7, ""))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := pageItems(t, e, rt, tt.page)
			got := make(chan *deferredPage, 1)
			go func() { got <- e.deferPage(rt, "", tt.page, items) }()
			select {
			case <-e.handoff:
				t.Fatal("handed over unstored")
			case p := <-got:
				if p != nil {
					t.Fatal("begun unstored")
				}
			}
		})
	}
}

// TestOnlyAFileSourcesPagesAreHandedOverUnstored: the records of a source
// that is not a file may also come by webhook, whose intake knows only the
// lanes stored: its pages are stored as they are read.
func TestOnlyAFileSourcesPagesAreHandedOverUnstored(t *testing.T) {
	fe, rt, _ := deferredEnv(t, true)
	e := fe.sb.engine
	page := productPage(0, 2, "")
	if p := e.deferPage(rt, "", page, pageItems(t, e, rt, page)); p != nil {
		t.Fatal("a page of an app's records was handed over unstored")
	}
}

// failInsertsOf makes the database refuse to store the transaction of the
// record with the given source id until the returned function is called.
func failInsertsOf(t *testing.T, fe *flowEnv, sourceID string) (heal func()) {
	t.Helper()
	for _, q := range []string{
		`CREATE TABLE test_failing (on_ INTEGER NOT NULL)`,
		`INSERT INTO test_failing (on_) VALUES (1)`,
		`CREATE TRIGGER test_fail_insert BEFORE INSERT ON transactions
			WHEN new.source_id = '` + sourceID + `' AND (SELECT COUNT(*) FROM test_failing) > 0
			BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
	} {
		if _, err := fe.app.DB().NewQuery(q).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		if _, err := fe.app.DB().NewQuery(`DELETE FROM test_failing`).Execute(); err != nil {
			t.Fatal(err)
		}
	}
}

// failingFlush is a flush, on a goroutine, of a page of p0 and p1 handed
// over unstored and written, whose commit fails until heal is called.
type failingFlush struct {
	fe      *flowEnv
	rt      *flowRuntime
	folder  string
	page    *deferredPage
	heal    func()
	flushed chan struct{}
}

// startFailingFlush starts a failingFlush and waits until its commit
// failed once.
func startFailingFlush(t *testing.T) failingFlush {
	t.Helper()
	fe, rt, folder := deferredEnv(t, false)
	e := fe.sb.engine
	f := failingFlush{fe: fe, rt: rt, folder: folder, heal: failInsertsOf(t, fe, "p1"), flushed: make(chan struct{})}
	var claims []claimed
	f.page, claims = handOverUnstored(t, e, rt, productPage(0, 2, "after-p1"))
	for _, c := range claims {
		e.process(c)
	}
	go func() { e.flush(rt); close(f.flushed) }()
	eventually(t, "the commit to fail", func() bool {
		return len(fe.logs.entries(t, "storing the records of a file's pages: tried again")) > 0
	})
	return f
}

// TestAPageIsStoredOnceTheDatabaseTakesItAgain: the records of a page
// handed over unstored exist nowhere else, so a flush whose commit fails
// tries it again until it stores them; its files are published only then.
func TestAPageIsStoredOnceTheDatabaseTakesItAgain(t *testing.T) {
	f := startFailingFlush(t)
	if seen, _ := writtenSKUs(t, f.folder); len(seen) != 0 {
		t.Fatalf("published before the records were stored: %v", seen)
	}
	f.heal()
	<-f.flushed
	if !f.page.stored {
		t.Fatal("the page was not stored")
	}
	if got, want := f.fe.statusesBySource(t), "[p0:succeeded p1:succeeded]"; got != want {
		t.Fatalf("stored %s; want %s", got, want)
	}
	if seen, _ := writtenSKUs(t, f.folder); seen["SKU-0"] != 1 || seen["SKU-1"] != 1 {
		t.Fatalf("written %v; want each record once", seen)
	}
}

// TestPagesNotStoredAsTheEngineStopsAreReadAgain: when the engine stops
// while a flush cannot store its pages, nothing more of the flow is stored
// or published, and the cursor stays where it was: the next run reads the
// pages again.
func TestPagesNotStoredAsTheEngineStopsAreReadAgain(t *testing.T) {
	f := startFailingFlush(t)
	e := f.fe.sb.engine
	e.cancel()
	<-f.flushed
	if f.page.stored || !f.rt.deferred.hasFailed() {
		t.Fatalf("stored %v, failed %v; want the page not stored and the flow's pages dropped", f.page.stored, f.rt.deferred.hasFailed())
	}
	if got := f.fe.statusesBySource(t); got != "[]" {
		t.Fatalf("stored %s; want nothing", got)
	}
	if cursor, _ := e.cursor(f.fe.flow.Id); cursor != "" {
		t.Errorf("cursor %q; want none", cursor)
	}
	e.flush(f.rt) // the stop's flush publishes nothing
	if seen, _ := writtenSKUs(t, f.folder); len(seen) != 0 {
		t.Fatalf("published %v", seen)
	}
}
