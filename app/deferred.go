package app

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// A run of a flow from a file source to a target that publishes its
// output in two steps (a file target) stores a page's records once, with
// their outcomes, instead of twice (running when read, then again with
// the outcome). It hands the page's records to the workers unstored, and
// the flush that makes their output final stores them in the SQLite
// transaction that records that output, with the page's cursor and the
// run's counts:
//
//   - nothing is lost: the cursor moves only with the records before it, so
//     after a crash the run reads the pages again, and their output, which
//     was never published, is removed at the next start;
//   - nothing is written twice: a record's output is published only after
//     the commit that stores the record;
//   - a flush that finds records of a page not finished yet stores them
//     running, leased to this process, as a claim would; their outcomes are
//     then recorded as any other's, after that commit;
//   - a page is handed over unstored only when each of its records can be
//     claimed at once: readable, and alone in its lane among the flow's
//     unfinished transactions and the pages not stored yet; and when the
//     source wants no acknowledgement of it (a file's last page, after which
//     the file is archived). Another page is stored as it is read, once the
//     pages before it are stored.
//   - a file source receives no webhooks: no record of the flow comes but
//     through its runs, which know the lanes of the pages not stored yet.

// deferredRows are the pages of a flow's runs handed over unstored, in the
// order they were read.
type deferredRows struct {
	mu     sync.Mutex
	pages  []*deferredPage
	lanes  map[string]bool // lanes of the records of pages not stored yet
	kept   int             // outcomes the pages keep
	total  int             // records of the pages
	since  time.Time       // when the oldest of pages was handed over
	closed bool            // the runtime is retired: no page begins
	failed bool            // storing pages failed as the engine stopped
	// reserved counts the flushes that wait for the pages' outcomes
	// (flushWhole): no page begins meanwhile.
	reserved int
	asked    bool // a run asked for a flush of its full pages (flushFullPages)
	// changed is closed, and replaced, when every record of the pages has
	// its outcome kept, and when a flush takes the pages.
	changed chan struct{}
}

// deferredPage is one page handed over unstored.
type deferredPage struct {
	rt     *flowRuntime
	run    string
	cursor string
	items  []inboxItem
	kept   []outcome // by item: its outcome, once known and kept (has)
	has    []bool
	taken  bool // a flush took it: outcomes are recorded as any other's
	done   chan struct{}
	stored bool // set before done is closed: its commit stored it
}

// deferredClaim ties a claim to the unstored page it came from.
type deferredClaim struct {
	page *deferredPage
	i    int
}

// begin registers p as handed over, unless the runtime is retired or one
// of p's lanes holds a record of a page not stored yet. It waits while a
// flush waits for the pages' outcomes.
func (d *deferredRows) begin(ctx context.Context, p *deferredPage) bool {
	begun := false
	d.wait(ctx, func() bool {
		if d.reserved > 0 {
			return false
		}
		begun = d.register(p)
		return true
	})
	return begun
}

// register registers p as begun when it can; d.mu is held.
func (d *deferredRows) register(p *deferredPage) bool {
	if d.closed {
		return false
	}
	for _, it := range p.items {
		if d.lanes[it.lane] {
			return false
		}
	}
	if d.lanes == nil {
		d.lanes = map[string]bool{}
	}
	for _, it := range p.items {
		d.lanes[it.lane] = true
	}
	if len(d.pages) == 0 {
		d.since = time.Now()
	}
	d.pages = append(d.pages, p)
	d.total += len(p.items)
	return true
}

// keep keeps the outcome of a claim of an unstored page for the flush that
// stores the page, and returns how many outcomes the pages keep. It keeps
// nothing once a flush took the page, nor a written outcome (rt non-nil)
// of a write to another runtime's target than the page's.
func (c *deferredClaim) keep(rt *flowRuntime, o outcome) (bool, int) {
	p := c.page
	d := &p.rt.deferred
	d.mu.Lock()
	defer d.mu.Unlock()
	if p.taken || (rt != nil && rt != p.rt) {
		return false, 0
	}
	o.tx.Payloads, p.items[c.i].input = "", "" // the outcome's payloads hold the input
	p.kept[c.i], p.has[c.i] = o, true
	d.kept++
	if d.kept == d.total {
		d.signal()
	}
	return true, d.kept
}

// signal wakes the runs waiting for a change; d.mu is held.
func (d *deferredRows) signal() {
	if d.changed != nil {
		close(d.changed)
		d.changed = nil
	}
}

// wait waits until done, which it calls with d.mu held, reports true; it
// reports false when ctx ends first.
func (d *deferredRows) wait(ctx context.Context, done func() bool) bool {
	for {
		d.mu.Lock()
		if done() {
			d.mu.Unlock()
			return true
		}
		if d.changed == nil {
			d.changed = make(chan struct{})
		}
		ch := d.changed
		d.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
}

// lane is the lane of the claim's record.
func (c *deferredClaim) lane() string { return c.page.items[c.i].lane }

// reserve makes the pages' runs wait before they begin another page,
// until the flush that reserved takes the pages (take) or lets them be
// (unreserve).
func (d *deferredRows) reserve() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reserved++
}

// unreserve ends a reservation whose flush does not run.
func (d *deferredRows) unreserve() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reserved--
	d.signal()
}

// waitFinished waits until every record of the pages has its outcome kept,
// or ctx ends.
func (d *deferredRows) waitFinished(ctx context.Context) {
	d.wait(ctx, func() bool { return d.kept == d.total })
}

// take hands the pages to a flush, which stores them, and ends the flush's
// reservation if it made one.
func (d *deferredRows) take(reserved bool) []*deferredPage {
	d.mu.Lock()
	defer d.mu.Unlock()
	if reserved {
		d.reserved--
	}
	d.asked = false
	pages := d.pages
	d.pages, d.kept, d.total = nil, 0, 0
	for _, p := range pages {
		p.taken = true
	}
	d.signal()
	return pages
}

// ended tells the pages' runs whether their commit stored them, and lets
// their lanes go. Once pages could not be stored, no page begins and none
// is stored any more (dropFlush).
func (d *deferredRows) ended(pages []*deferredPage, stored bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !stored && len(pages) > 0 {
		d.failed, d.closed = true, true
	}
	for _, p := range pages {
		for _, it := range p.items {
			delete(d.lanes, it.lane)
		}
		p.stored = stored
		close(p.done)
	}
}

// due reports whether pages wait: for longer than age or, with age 0
// (the engine is idle), with every outcome kept.
func (d *deferredRows) due(now time.Time, age time.Duration) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.pages) == 0 {
		return false
	}
	if age == 0 {
		return d.kept == d.total
	}
	return now.Sub(d.since) >= age
}

// keptLen is how many outcomes the pages keep.
func (d *deferredRows) keptLen() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.kept
}

// hasFailed reports whether storing pages failed (ended).
func (d *deferredRows) hasFailed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.failed
}

// close retires the runtime: no page begins in it from now on.
func (d *deferredRows) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
}

// claims returns the page's records (each with a lease) as the claims of
// a first attempt.
func (p *deferredPage) claims(stored time.Time) []claimed {
	out := leasedClaims(p.items, stored)
	for i := range out {
		out[i].deferred = &deferredClaim{page: p, i: i}
	}
	return out
}

// outcomes returns the outcomes the page keeps.
func (p *deferredPage) outcomes() []outcome {
	if !slices.Contains(p.has, false) {
		return p.kept
	}
	var kept []outcome
	for i := range p.kept {
		if p.has[i] {
			kept = append(kept, p.kept[i])
		}
	}
	return kept
}

// unfinished returns the page's records whose outcomes it does not keep,
// leased until `until`.
func (p *deferredPage) unfinished(until time.Time) []inboxItem {
	var out []inboxItem
	for i, it := range p.items {
		if !p.has[i] {
			it.lease = until
			out = append(out, it)
		}
	}
	return out
}

// deferPage hands a page's records to the workers unstored, when the
// flow's target publishes its output in two steps and each record can be
// claimed at once, and returns the page; nil when the page is to be stored
// as it is read.
func (e *Engine) deferPage(rt *flowRuntime, runID string, page connectors.Page, items []inboxItem) *deferredPage {
	if len(items) == 0 || len(items) > min(handoffPart, e.cfg.FlushRecords) || page.Ack != nil ||
		!e.readsFiles(rt) || !rt.publishes() || !e.claimablePage(rt) {
		return nil
	}
	lanes := make([]string, 0, len(items))
	for _, it := range items {
		if it.err != "" {
			return nil
		}
		lanes = append(lanes, it.lane)
	}
	if !e.lanesFree(rt, lanes) {
		return nil
	}
	e.flushFullPages(rt, len(items))
	now := time.Now()
	items = slices.Clone(items) // the page is stored as it is read if it does not begin here
	p := &deferredPage{rt: rt, run: runID, cursor: page.Cursor, items: items,
		kept: make([]outcome, len(items)), has: make([]bool, len(items)), done: make(chan struct{})}
	for i := range p.items {
		it := &p.items[i]
		it.id, it.handedOver, it.lease = idAt(now), true, now.Add(e.cfg.Lease)
		it.record = connectors.Record{ID: it.record.ID, Key: it.record.Key} // its data is in its input
	}
	if !e.running() || !rt.deferred.begin(e.ctx, p) {
		return nil
	}
	claims := p.claims(now)
	e.readPageXrefs(rt, claims)
	e.sendHandoff(claims)
	return p
}

// readPageXrefs reads the xrefs of a page's claims on a reading
// connection, before the run hands them over: the dispatcher would read
// them on the writer's connection, after any flush's commit, while the
// workers wait for records. The page began (begin), so every earlier
// record of its lanes is stored with its xref. When the read fails, the
// dispatcher reads them.
func (e *Engine) readPageXrefs(rt *flowRuntime, claims []claimed) {
	idx := make([]int, len(claims))
	for i := range idx {
		idx[i] = i
	}
	scope, err := rt.scopeID(e.app())
	switch {
	case err != nil:
	case scope == 0:
		noXrefs(claims, idx)
	default:
		var rows *dbx.Rows
		rows, err = e.app().ConcurrentDB().NewQuery(claimXrefsSQL).Bind(xrefParams(scope, claims, idx)).Rows()
		if err == nil {
			err = scanXrefs(rows.Rows, claims, idx)
		}
	}
	if err != nil {
		e.logger().Warn("reading a page's xrefs: read again as it is dispatched", slog.String("error", err.Error()))
	}
}

// flushFullPages starts a flush beside the run when the pages handed over
// unstored, the writes the runtime holds and the next page of `next`
// records would be more than a flush's worth (FlushRecords): a file
// target's file holds no more. The flush waits for the pages' outcomes,
// the next page waits for the flush to take them, and the flush's commit
// goes on while the workers write that page.
func (e *Engine) flushFullPages(rt *flowRuntime, next int) {
	d := &rt.deferred
	held := rt.heldLen()
	d.mu.Lock()
	full := d.total > 0 && held+d.total+next > e.cfg.FlushRecords && !d.asked
	if full {
		d.asked = true
		d.reserved++ // taken over by the flush below: the next page waits for it
	}
	d.mu.Unlock()
	if full {
		goWith(&e.wg, func() { e.flushReserved(rt) })
	}
}

// flushReserved is flushFromRun for pages its caller reserved.
func (e *Engine) flushReserved(rt *flowRuntime) {
	e.flushGate.RLock()
	defer e.flushGate.RUnlock()
	if !e.running() {
		rt.deferred.unreserve() // the engine's stop stores the pages
		return
	}
	rt.deferred.waitFinished(e.ctx)
	e.flushPages(rt, true)
}

// lanesFree reports whether the lanes are distinct and hold no unfinished
// transaction of the flow (read on a reading connection: only this run
// adds to the flow's lanes while it runs).
func (e *Engine) lanesFree(rt *flowRuntime, lanes []string) bool {
	seen := make(map[string]bool, len(lanes))
	for _, lane := range lanes {
		if seen[lane] {
			return false
		}
		seen[lane] = true
	}
	var open []string
	err := e.app().ConcurrentDB().NewQuery(openLanesSQL).
		Bind(dbx.Params{"flow": rt.flow.Id, "lanes": textList(lanes)}).Column(&open)
	if err != nil {
		e.logger().Warn("reading open lanes: the page is stored as it is read", slog.String("error", err.Error()))
		return false
	}
	return len(open) == 0
}

// awaitStored has the flush store p (and the pages before it) and waits
// for its commit; it reports whether the commit stored it. A run waits so
// before it stores a page as it is read and before it ends, so that its
// cursor moves in order and the flow's next run reads from where this one
// stopped.
func (e *Engine) awaitStored(p *deferredPage) bool {
	if p == nil {
		return true
	}
	e.flushFromRun(p.rt)
	select {
	case <-p.done:
		return p.stored
	case <-e.ctx.Done():
		return false
	}
}

// flushFromRun flushes rt from a run (or beside it), unless the engine
// stops (its own flush then stores the run's pages).
func (e *Engine) flushFromRun(rt *flowRuntime) {
	e.flushGate.RLock()
	defer e.flushGate.RUnlock()
	if e.running() {
		e.flushWhole(rt)
	}
}

// storePages stores taken pages in tx: the outcomes they keep, their
// unfinished records running (leased until `until`), their runs' counts
// and the flow's cursor of the last of them.
func (e *Engine) storePages(tx core.App, rt *flowRuntime, pages []*deferredPage, now, until time.Time) error {
	if len(pages) == 0 {
		return nil
	}
	reads := map[string]int{}
	cursor := ""
	for _, p := range pages {
		if err := recordOutcomes(e.stmts, tx, p.outcomes(), now, true); err != nil {
			return err
		}
		if _, _, err := insertTransactions(e.stmts, tx, p.unfinished(until), now); err != nil {
			return err
		}
		if err := countRead(e.stmts, tx, p.run, len(p.items), 0, now); err != nil {
			return err
		}
		reads[p.rt.source.Id] += len(p.items)
		cursor = cmp.Or(p.cursor, cursor)
	}
	if cursor != "" {
		if err := saveCursor(tx, rt.flow.Id, cursor, now); err != nil {
			return err
		}
	}
	return addUsage(e.stmts, tx, reads, "reads", now)
}

// leaseUnfinished holds the records of taken pages whose outcomes are not
// kept, which the flush stores running until `until`.
func (e *Engine) leaseUnfinished(pages []*deferredPage, until time.Time) {
	var claims []claimed
	for _, p := range pages {
		for i, kept := range p.has {
			if !kept {
				claims = append(claims, claimed{ID: p.items[i].id})
			}
		}
	}
	if len(claims) > 0 {
		e.leases.holdNew(until, claims)
	}
}

// pagesStored reports to the engine what storing pages did: records read,
// and the outcomes stored with them.
func (e *Engine) pagesStored(pages []*deferredPage) {
	for _, p := range pages {
		e.sb.metrics.recordsRead(p.rt, len(p.items))
		e.afterCommit(p.outcomes())
	}
}

// unflushedPages turns the written outcomes the pages keep into retries,
// when the flush that would have made their writes final failed.
func (e *Engine) unflushedPages(pages []*deferredPage, err error) {
	for _, p := range pages {
		for i := range p.kept {
			if p.has[i] && p.kept[i].held {
				p.kept[i] = e.unflushed(p.kept[i], err)
				p.kept[i].held = false
			}
		}
	}
}

// writtenIn counts the written outcomes the pages keep.
func writtenIn(pages []*deferredPage) int {
	n := 0
	for _, p := range pages {
		for i := range p.kept {
			if p.has[i] && p.kept[i].held {
				n++
			}
		}
	}
	return n
}

// storeRetryWait bounds the wait between attempts to store pages whose
// commit failed: their records exist nowhere else, so the flush tries
// until it stores them or the engine stops (the run then reads them
// again at the next start).
const storeRetryWait = 30 * time.Second

// waitToStoreAgain waits before the next attempt to store pages, and
// reports whether to make one.
func (e *Engine) waitToStoreAgain(attempt int, err error) bool {
	if !e.running() {
		return false
	}
	wait := min(time.Second<<min(attempt, 5), storeRetryWait)
	e.logger().Error("storing the records of a file's pages: tried again", slog.Duration("in", wait), slog.String("error", err.Error()))
	select {
	case <-time.After(wait):
		return true
	case <-e.ctx.Done():
		return false
	}
}

// waitForPage waits, for the claim of a page a flush took, until that
// flush's commit ended: it stores the record running, and an outcome
// recorded before it would find no row to record.
func waitForPage(c claimed) {
	if c.deferred != nil {
		<-c.deferred.page.done
	}
}
