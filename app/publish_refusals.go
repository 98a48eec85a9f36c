package app

import (
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// publishRefusedPrefix begins the status message of a connection that
// refused, for good, to put written files in place: a later publish that
// passes clears only a status it set.
const publishRefusedPrefix = "Written files cannot be put in place: "

// refusalBook remembers the connections whose last publish was refused for
// good, and when: a refusal is recorded and mailed once, not at every
// flush that tries the files again, and the files are tried again at most
// once a probe interval, not at every idle moment of the dispatcher.
type refusalBook struct {
	mu      sync.Mutex
	refused map[string]time.Time
}

// set marks conn refused at t and reports whether it was not before.
func (b *refusalBook) set(conn string, t time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, was := b.refused[conn]
	if b.refused == nil {
		b.refused = map[string]time.Time{}
	}
	b.refused[conn] = t
	return !was
}

// due reports whether conn's files may be tried again at now: it refused
// none, or its last refusal is every ago.
func (b *refusalBook) due(conn string, now time.Time, every time.Duration) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	last, ok := b.refused[conn]
	return !ok || now.Sub(last) >= every
}

// clear forgets conn's refusal and reports whether there was one.
func (b *refusalBook) clear(conn string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, was := b.refused[conn]
	delete(b.refused, conn)
	return was
}

// publishRefused records that a target refused for good to put a flow's
// committed files in place (a folder it may not write, a file it may not
// replace): the records are written and their files wait, tried again
// once a probe interval and at each start. The first refusal sets the connection's status to
// failing, which the Overview and the metrics show, and mails the
// integrations that use it; a connection down, waiting to be connected
// again, or held until it is fixed keeps that status.
func (e *Engine) publishRefused(conn, flow, msg string) {
	if !e.refusals.set(conn, time.Now()) {
		return
	}
	e.logger().Error("a target refuses the written files: they wait until it takes them",
		slog.String("connection", conn), slog.String("flow", flow), slog.String("error", msg))
	err := updateStoredConnection(e.app(), conn, func(rec *core.Record) {
		if ConnNeedsAttention(rec.GetString("status")) && rec.GetString("status") != ConnFailing ||
			strings.HasPrefix(rec.GetString("status_message"), attentionPrefix) {
			return
		}
		rec.Set("status", ConnFailing)
		rec.Set("status_message", truncate(publishRefusedPrefix+msg, 2000))
	})
	if err != nil {
		e.logger().Error("saving connection health", slog.String("connection", conn), slog.String("error", err.Error()))
	}
	e.alerts.filesRefused(conn, flow, msg)
}

// publishTaken records that a target put written files in place: a
// failing status its refusal set goes back to ok.
func (e *Engine) publishTaken(conn string) {
	if !e.refusals.clear(conn) {
		return
	}
	e.logger().Info("a target takes the written files again", slog.String("connection", conn))
	err := updateStoredConnection(e.app(), conn, func(rec *core.Record) {
		if rec.GetString("status") == ConnFailing && strings.HasPrefix(rec.GetString("status_message"), publishRefusedPrefix) {
			rec.Set("status", ConnOK)
			rec.Set("status_message", "")
		}
	})
	if err != nil {
		e.logger().Error("saving connection health", slog.String("connection", conn), slog.String("error", err.Error()))
	}
}
