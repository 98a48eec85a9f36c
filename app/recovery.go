package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// After a start, a file target (a connectors.Publisher) is recovered once,
// before its first write: the output an earlier process committed but did
// not publish is published, and what it prepared without committing is
// removed. At start, the targets with committed output are recovered at
// once, so that their records become visible even when nothing more is
// written to them.

// recoveryBook remembers the target connections recovered since the start,
// and keeps one recovery of a connection at a time.
type recoveryBook struct {
	mu    sync.Mutex
	done  map[string]bool
	locks map[string]*sync.Mutex
}

func newRecoveryBook() *recoveryBook {
	return &recoveryBook{done: map[string]bool{}, locks: map[string]*sync.Mutex{}}
}

// isDone reports whether conn was recovered; otherwise it returns the
// lock to recover it under.
func (b *recoveryBook) isDone(conn string) (bool, *sync.Mutex) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done[conn] {
		return true, nil
	}
	l, ok := b.locks[conn]
	if !ok {
		l = &sync.Mutex{}
		b.locks[conn] = l
	}
	return false, l
}

func (b *recoveryBook) markDone(conn string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done[conn] = true
}

// openTarget returns the flow's open target, recovered when this is its
// connection's first write since the start. A recovery that fails is the
// target connection's failure: blame names it.
func (e *Engine) openTarget(rt *flowRuntime) (w connectors.Writer, blame string, err error) {
	if w, err = rt.targetWriter(e.sb); err != nil {
		return nil, "", err
	}
	if err := e.recoverTarget(rt, w); err != nil {
		return nil, rt.target.Id, err
	}
	return w, "", nil
}

// recoverTarget recovers the flow's target connection before its first
// write after the start, when its connector publishes in two steps.
func (e *Engine) recoverTarget(rt *flowRuntime, w connectors.Writer) error {
	p, ok := w.(connectors.Publisher)
	if !ok {
		return nil
	}
	if err := e.recoverConnection(rt.target.Id, p); err != nil {
		return fmt.Errorf("finishing the files an earlier run left in %q: %w", rt.target.GetString("name"), err)
	}
	return nil
}

// recoverConnection publishes the output earlier processes committed to
// the connection and did not publish, then lets the connector remove what
// they left besides; once done, it is not done again.
func (e *Engine) recoverConnection(conn string, p connectors.Publisher) error {
	done, lock := e.recovered.isDone(conn)
	if done {
		return nil
	}
	lock.Lock()
	defer lock.Unlock()
	if done, _ := e.recovered.isDone(conn); done {
		return nil
	}
	left, err := e.committedOutput()
	if err != nil {
		return err
	}
	var prepared []connectors.Prepared
	for _, l := range left[conn] {
		prepared = append(prepared, l.Prepared)
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	if err := p.Recover(ctx, prepared); err != nil {
		return err
	}
	for _, l := range left[conn] {
		if err := deleteMeta(e.app(), l.key); err != nil {
			return fmt.Errorf("forgetting published files: %w", err)
		}
	}
	if len(prepared) > 0 {
		e.logger().Info("published the files an earlier run committed", slog.String("connection", conn), slog.Int("batches", len(prepared)))
	}
	e.recovered.markDone(conn)
	return nil
}

// leftOutput is committed output an earlier process did not publish.
type leftOutput struct {
	publishRecord
	key string
}

// committedOutput reads, by target connection, the committed output that
// processes before this one did not publish.
func (e *Engine) committedOutput() (map[string][]leftOutput, error) {
	var rows []struct {
		Key   string `db:"key"`
		Value string `db:"value"`
	}
	err := e.app().DB().NewQuery(`SELECT key, value FROM sb_meta WHERE key LIKE {:prefix} AND created < {:started} ORDER BY created`).
		Bind(dbx.Params{"prefix": publishKeyPrefix + "%", "started": sqlTime(e.started)}).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("reading files to publish: %w", err)
	}
	out := map[string][]leftOutput{}
	for _, r := range rows {
		var l leftOutput
		if err := json.Unmarshal([]byte(r.Value), &l.publishRecord); err != nil {
			return nil, fmt.Errorf("reading files to publish (%s): %w", r.Key, err)
		}
		l.key = r.Key
		out[l.Target] = append(out[l.Target], l)
	}
	return out, nil
}

// recoverTargets, at start, recovers every target connection of a flow
// whose connector publishes in two steps, and every connection with
// committed output: what an earlier process committed is published, and
// what it left besides (temporaries, local buffers) is removed, even when
// nothing more is written to the target. Entries of a connection that was
// deleted meanwhile are forgotten.
func (e *Engine) recoverTargets() {
	if e.sb.Ready() != nil {
		return // secrets cannot be opened: the first write recovers, once they can
	}
	left, err := e.committedOutput()
	if err != nil {
		e.logger().Error("recovering file targets", slog.String("error", err.Error()))
		return
	}
	var targets []string
	if err := e.app().DB().NewQuery("SELECT DISTINCT target FROM flows").Column(&targets); err != nil {
		e.logger().Error("recovering file targets", slog.String("error", err.Error()))
		return
	}
	for conn := range left { // a flow deleted since may have left some
		if !slices.Contains(targets, conn) {
			targets = append(targets, conn)
		}
	}
	for _, conn := range targets {
		rec, err := e.app().FindRecordById(connectionsCollection, conn)
		if err != nil { // the connection is gone: nowhere to publish
			for _, l := range left[conn] {
				_ = deleteMeta(e.app(), l.key)
			}
			continue
		}
		if e.ctx.Err() != nil {
			return
		}
		if err := e.recoverAtStart(rec); err != nil {
			e.logger().Warn("recovering a file target at start: tried again before its next write",
				slog.String("connection", rec.GetString("name")), slog.String("error", e.sb.redactorOf(rec).text(err.Error())))
		}
	}
}

// recoverAtStart recovers one connection, when its connector publishes in
// two steps.
func (e *Engine) recoverAtStart(rec *core.Record) error {
	c, err := e.sb.OpenConnection(rec)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	p, ok := c.(connectors.Publisher)
	if !ok {
		return nil
	}
	return e.recoverConnection(rec.Id, p)
}
