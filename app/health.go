package app

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Connection statuses, as kept in connections.status.
const (
	ConnUnknown = "unknown"
	ConnOK      = "ok"
	ConnDown    = "down"
	ConnFailing = "failing"
)

// connAttention are the statuses of a connection that holds its flows
// or failed its last test.
var connAttention = []string{ConnDown, ConnFailing, ConnReconnect}

// ConnNeedsAttention reports whether a connection's status asks for a
// person: it is down, failed its last test, or waits to be connected
// again. The Overview lists such connections, and the metrics report them
// as not up.
func ConnNeedsAttention(status string) bool { return slices.Contains(connAttention, status) }

// ConnAttentionStatuses returns the statuses ConnNeedsAttention takes.
func ConnAttentionStatuses() []string { return slices.Clone(connAttention) }

// healthBook tracks the failures of each connection and marks a connection
// down when it keeps failing: its flows pause, a probe tests it every
// ProbeEvery, and its flows resume when it answers. A probe only proves the
// app answers, not that writes work: after one, the connection is on
// probation and its next failure takes it down again at once. The owner
// gets one mail when an outage starts and one when real work succeeds
// again, however often the connection flaps meanwhile.
//
// What counts as one failure: one attempt at work with the connection that
// ends in a transient error (a write of one record, a flush of a buffering
// target however many records it held, a run's read), counted against the
// connection, never per record. Two rules keep one outage from being
// counted many times:
//   - an attempt begun before the connection last answered is stale: it
//     says nothing about the connection now and is not counted;
//   - a failure that ends less than ProbeEvery after the last counted one
//     is the same outage seen again (parallel workers, retries in quick
//     succession) and is not counted.
//
// DownAfter counted failures with no success between mark the connection
// down, so an outage is called after at least (DownAfter-1) × ProbeEvery of
// failing.
type healthBook struct {
	e         *Engine
	mu        sync.Mutex
	fails     map[string]int
	counted   map[string]time.Time // when the last counted failure ended
	down      map[string]bool
	probation map[string]bool
	mailed    map[string]bool      // an outage mail went out and no recovery mail yet
	answered  map[string]time.Time // when the connection last answered
	failing   map[string]bool      // held until a person fixes it (attention.go)
	warned    map[string]bool      // its attention mail went out and no work succeeded since
}

func newHealthBook(e *Engine) *healthBook {
	return &healthBook{e: e, fails: map[string]int{}, counted: map[string]time.Time{}, down: map[string]bool{},
		probation: map[string]bool{}, mailed: map[string]bool{}, answered: map[string]time.Time{},
		failing: map[string]bool{}, warned: map[string]bool{}}
}

// seen notes that the connection answered at t; the mutex is held.
func (h *healthBook) seen(conn string, t time.Time) {
	if t.After(h.answered[conn]) {
		h.answered[conn] = t
	}
}

// load takes up the connections that were down, or held until a person
// fixes them, when the appliance stopped.
func (h *healthBook) load() error {
	recs, err := h.e.app().FindAllRecords(connectionsCollection, dbx.HashExp{"status": []any{ConnDown, ConnFailing}})
	if err != nil {
		return fmt.Errorf("loading connection health: %w", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range recs {
		switch {
		case r.GetString("status") == ConnDown:
			h.down[r.Id], h.mailed[r.Id] = true, true
			h.fails[r.Id] = r.GetInt("failures")
		case strings.HasPrefix(r.GetString("status_message"), attentionPrefix):
			h.failing[r.Id], h.warned[r.Id] = true, true
		}
	}
	return nil
}

// isDown reports whether a connection is marked down.
func (h *healthBook) isDown(conn string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.down[conn]
}

// isHeld reports whether a connection's flows wait for it: it is down, or
// held until a person fixes it.
func (h *healthBook) isHeld(conn string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.down[conn] || h.failing[conn]
}

// downList lists the connections that are down or held until a person
// fixes them: their flows claim nothing, and a probe tests them.
func (h *healthBook) downList() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.down)+len(h.failing))
	for id := range h.down {
		out = append(out, id)
	}
	for id := range h.failing {
		if !h.down[id] {
			out = append(out, id)
		}
	}
	return out
}

// ok records that real work with a connection, begun at start, succeeded.
func (h *healthBook) ok(conn string, start time.Time) {
	h.mu.Lock()
	h.seen(conn, start)
	wasDown, hadFails, mailed := h.down[conn], h.fails[conn] > 0, h.mailed[conn]
	delete(h.down, conn)
	delete(h.fails, conn)
	delete(h.counted, conn)
	delete(h.probation, conn)
	delete(h.mailed, conn)
	if len(h.warned) > 0 {
		delete(h.warned, conn)
	}
	h.mu.Unlock()
	switch {
	case wasDown:
		h.e.connectionUp(conn)
	case hadFails:
		h.e.saveConnectionHealth(conn, ConnOK, "", 0, false)
	}
	if mailed {
		h.e.alerts.connection(conn, false, "")
	}
}

// probeOK records that a down or failing connection answered its probe
// (or a person's test): its flows resume, on probation.
func (h *healthBook) probeOK(conn string) {
	h.mu.Lock()
	h.seen(conn, time.Now())
	wasDown := h.down[conn] || h.failing[conn]
	delete(h.down, conn)
	delete(h.failing, conn)
	delete(h.fails, conn)
	delete(h.counted, conn)
	h.probation[conn] = true
	h.mu.Unlock()
	if wasDown {
		h.e.connectionUp(conn)
	}
}

// failed records a transient failure of an attempt begun at start and
// ended at end; see healthBook for what is counted.
func (h *healthBook) failed(conn, msg string, start, end time.Time) {
	h.mu.Lock()
	if h.failing[conn] || !h.counts(conn, start, end) { // held for a person already: no outage besides
		h.mu.Unlock()
		return
	}
	h.counted[conn] = end
	h.fails[conn]++
	n := h.fails[conn]
	goesDown := (n >= h.e.cfg.DownAfter || h.probation[conn]) && !h.down[conn]
	mail := goesDown && !h.mailed[conn]
	if goesDown {
		h.down[conn], h.mailed[conn] = true, true
		delete(h.probation, conn)
	}
	h.mu.Unlock()
	if goesDown {
		h.e.connectionDown(conn, msg, n, mail)
	}
}

// counts reports whether a failure counts against the connection: its
// attempt began after the connection last answered, and it ended at least
// ProbeEvery after the last counted failure. The mutex is held.
func (h *healthBook) counts(conn string, start, end time.Time) bool {
	if start.Before(h.answered[conn]) {
		return false // stale: the connection answered since this attempt began
	}
	last, ok := h.counted[conn]
	return !ok || end.Sub(last) >= h.e.cfg.ProbeEvery
}

// probeLoop tests down connections until they answer.
func (h *healthBook) probeLoop() {
	ticker := time.NewTicker(h.e.cfg.ProbeEvery)
	defer ticker.Stop()
	for {
		select {
		case <-h.e.ctx.Done():
			return
		case <-ticker.C:
			for _, conn := range h.downList() {
				h.probe(conn)
			}
		}
	}
}

// probe tests a down connection and ends its outage when it answers. A
// connection deleted meanwhile has no outage left; one that cannot be read
// (the database failing) stays down until a later probe reads it.
func (h *healthBook) probe(conn string) {
	rec, err := h.e.app().FindRecordById(connectionsCollection, conn)
	if isNoRows(err) {
		h.mu.Lock()
		delete(h.down, conn)
		delete(h.failing, conn)
		h.mu.Unlock()
		return
	}
	if err != nil {
		h.e.logger().Error("probing a down connection: reading it", slog.String("connection", conn), slog.String("error", err.Error()))
		return
	}
	ctx, cancel := context.WithTimeout(h.e.ctx, testTimeout)
	defer cancel()
	start := time.Now()
	switch res := h.e.sb.TestConnection(ctx, rec); {
	case res.OK:
		h.probeOK(conn)
	case res.NeedsAttention && h.isDown(conn):
		h.downNeedsAttention(conn, res.Message, start)
	}
}

// downNeedsAttention turns an outage whose probe found what only a person
// fixes (the app back with an expired certificate) into a connection held
// until it is fixed: the probe would otherwise say "not answering" for
// ever. The outage's recovery mail is not owed any more.
func (h *healthBook) downNeedsAttention(conn, msg string, start time.Time) {
	h.mu.Lock()
	delete(h.down, conn)
	delete(h.fails, conn)
	delete(h.counted, conn)
	delete(h.mailed, conn)
	h.mu.Unlock()
	h.attention(conn, msg, start)
}

// connectionDown pauses the connection's flows and, when mail is set,
// raises an alert. msg says why, without the connection's secrets.
func (e *Engine) connectionDown(conn, msg string, failures int, mail bool) {
	e.dropActive()
	if rec, err := e.app().FindRecordById(connectionsCollection, conn); err == nil {
		msg = e.sb.redactorOf(rec).text(msg)
	}
	e.logger().Warn("connection down: its flows pause until it answers", slog.String("connection", conn), slog.String("error", msg))
	e.saveConnectionHealth(conn, ConnDown, msg, failures, true)
	if mail {
		e.alerts.connection(conn, true, msg)
	}
}

// connectionUp resumes the connection's flows at once.
func (e *Engine) connectionUp(conn string) {
	e.dropActive()
	e.logger().Info("connection back: its flows resume", slog.String("connection", conn))
	e.saveConnectionHealth(conn, ConnOK, "", 0, false)
	if err := e.resumeRetries(conn); err != nil {
		e.logger().Error("resuming retries", slog.String("error", err.Error()))
	}
	e.Wake()
}

// resumeRetries makes the waiting retries of a connection's flows due now.
func (e *Engine) resumeRetries(conn string) error {
	_, err := e.app().DB().NewQuery(`UPDATE transactions SET next_attempt = {:now}
		WHERE status = 'retrying' AND flow IN (SELECT id FROM flows WHERE source = {:conn} OR target = {:conn})`).
		Bind(dbx.Params{"now": sqlTime(time.Now()), "conn": conn}).Execute()
	return err
}

// saveConnectionHealth records a connection's health (an outage, a
// recovery, a lost authorization) on the connection as it is now: read
// again in the write that records it, so that what a user saved meanwhile
// (a name, an address, a secret) is kept, not put back as the engine read
// it. A connection deleted meanwhile has nothing to record.
func (e *Engine) saveConnectionHealth(conn, status, msg string, failures int, down bool) {
	err := updateStoredConnection(e.app(), conn, func(rec *core.Record) {
		rec.Set("status", status)
		rec.Set("status_message", truncate(msg, 2000))
		rec.Set("failures", failures)
		rec.Set("checked", types.NowDateTime())
		if down {
			rec.Set("down_since", types.NowDateTime())
		} else {
			rec.Set("down_since", "")
		}
	})
	if err != nil {
		e.logger().Error("saving connection health", slog.String("connection", conn), slog.String("error", err.Error()))
	}
}

// activeFlows lists the flows whose work may be claimed: enabled (with
// their integration), with both connections up. The list is kept for a second, and dropped at once
// when a flow or a connection's health changes.
func (e *Engine) activeFlows() []string {
	e.active.mu.Lock()
	defer e.active.mu.Unlock()
	if e.active.ids != nil && time.Since(e.active.at) < time.Second {
		return e.active.ids
	}
	down := append(e.health.downList(), e.held()...)
	params := dbx.Params{}
	where := ""
	if len(down) > 0 {
		names := make([]string, len(down))
		for i, id := range down {
			names[i] = fmt.Sprintf("{:d%d}", i)
			params[fmt.Sprintf("d%d", i)] = id
		}
		list := strings.Join(names, ", ")
		where += " AND f.source NOT IN (" + list + ") AND f.target NOT IN (" + list + ")"
	}
	ids := []string{}
	if err := e.app().DB().NewQuery(enabledFlowsSQL + where + " ORDER BY f.id").Bind(params).Column(&ids); err != nil {
		e.logger().Error("listing active flows", slog.String("error", err.Error()))
		return nil
	}
	e.active.ids, e.active.at = ids, time.Now()
	return ids
}

// activeCache holds the last list of active flows.
type activeCache struct {
	mu  sync.Mutex
	ids []string
	at  time.Time
}

// dropActive makes the next claim list the active flows again.
func (e *Engine) dropActive() {
	e.active.mu.Lock()
	defer e.active.mu.Unlock()
	e.active.ids = nil
}
