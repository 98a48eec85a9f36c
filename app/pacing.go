package app

import (
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// pauseBook keeps the connections whose apps asked to be left alone for a
// while (a 429, with or without Retry-After). A rate limit is not an
// outage: the connection is not marked down, nobody is mailed and no
// transaction fails; its flows claim nothing until the pause ends, and the
// refused transactions are tried again then.
type pauseBook struct {
	e      *Engine
	mu     sync.Mutex
	until  map[string]time.Time
	timers map[string]*time.Timer
}

func newPauseBook(e *Engine) *pauseBook {
	return &pauseBook{e: e, until: map[string]time.Time{}, timers: map[string]*time.Timer{}}
}

// pause holds the connection's flows until t; a later pause extends it.
func (p *pauseBook) pause(conn string, t time.Time) {
	p.mu.Lock()
	if !t.After(p.until[conn]) || !t.After(time.Now()) {
		p.mu.Unlock()
		return
	}
	p.until[conn] = t
	if old := p.timers[conn]; old != nil {
		old.Stop()
	}
	p.timers[conn] = time.AfterFunc(time.Until(t), p.e.resume)
	p.mu.Unlock()
	p.e.dropActive()
	p.e.logger().Info("connection rate limited: its flows wait, nothing is marked down",
		slog.String("connection", conn), slog.Time("until", t))
}

// end returns when the connection's pause ends; zero when there is none.
func (p *pauseBook) end(conn string) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.until[conn]
}

// list returns the connections paused now.
func (p *pauseBook) list() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	out := make([]string, 0, len(p.until))
	for conn, t := range p.until {
		if now.Before(t) {
			out = append(out, conn)
			continue
		}
		delete(p.until, conn)
		delete(p.timers, conn)
	}
	return out
}

// resume lets paused flows claim again once a pause is over.
func (e *Engine) resume() {
	e.dropActive()
	e.Wake()
}

// rateLimited turns a rate-limited attempt into a wait: the transaction is
// tried again when the app said, or after the usual backoff when it did
// not, and is not counted as a failure of the connection.
func (e *Engine) rateLimited(o outcome, err error) outcome {
	wait, limited := connectors.IsRateLimited(err)
	if !limited || o.status != StatusRetrying {
		return o
	}
	if wait = e.appWait(wait); wait <= 0 {
		wait = e.backoff(roundOf(o).attempts)
	}
	o.next = time.Now().Add(wait)
	o.pausedUntil = o.next
	return o
}

// pauseRead holds a source that refused a read with a rate limit, and
// reports whether err was one: then it is not a failure of the source.
func (e *Engine) pauseRead(conn string, err error) bool {
	wait, limited := connectors.IsRateLimited(err)
	if !limited {
		return false
	}
	if wait = e.appWait(wait); wait <= 0 {
		wait = e.cfg.BackoffBase
	}
	e.pauses.pause(conn, time.Now().Add(wait))
	return true
}

// maxReadPauses is how many rate limits in a row a run waits out before it
// stops; the next run goes on from its cursor.
const maxReadPauses = 10

// waitOutReadLimit waits, when a page read was refused with a rate limit,
// until the source's pause is over, and reports whether the page should be
// asked for again (a stream may be asked again after a rate limit).
func (e *Engine) waitOutReadLimit(conn string, err error, limits *int) bool {
	if err == nil {
		*limits = 0
		return false
	}
	if *limits >= maxReadPauses || !e.pauseRead(conn, err) {
		return false
	}
	*limits++
	timer := time.NewTimer(time.Until(e.pauses.end(conn)))
	defer timer.Stop()
	select {
	case <-e.ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// waitOutPause waits, before a run's first call, until its source's pause
// is over: a run that began while the app asked to be left alone (a
// schedule's tick after a 429) would be refused again, and extend the
// pause. A stop ends the wait with the engine's error.
func (e *Engine) waitOutPause(rt *flowRuntime) error {
	until := e.pauses.end(rt.source.Id)
	if !until.After(time.Now()) {
		return nil
	}
	e.logger().Info("run waits for its source's rate limit", slog.String("flow", rt.flow.GetString("name")), slog.Time("until", until))
	timer := time.NewTimer(time.Until(until))
	defer timer.Stop()
	select {
	case <-e.ctx.Done():
		return e.ctx.Err()
	case <-timer.C:
		return nil
	}
}

// held returns the connections whose flows claim nothing for now without
// being down: rate limited, or waiting to be connected again.
func (e *Engine) held() []string {
	return append(e.pauses.list(), e.reconnects.list()...)
}
