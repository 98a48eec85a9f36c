package app

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/connectors"
)

// ConnReconnect is the status of a connection that works only once a
// person connects it again (an OAuth2 refresh token the app revoked).
const ConnReconnect = "reconnect_needed"

// reconnectBook keeps the connections waiting for a person to connect them
// again. Their flows claim nothing meanwhile; their transactions wait
// (retrying) instead of failing one by one; one alert goes out; and when
// the connection is connected again, the waiting transactions are due at
// once.
type reconnectBook struct {
	e         *Engine
	mu        sync.Mutex
	held      map[string]bool
	connected map[string]time.Time // when a person last connected it
}

func newReconnectBook(e *Engine) *reconnectBook {
	return &reconnectBook{e: e, held: map[string]bool{}, connected: map[string]time.Time{}}
}

// load takes up the connections that waited when the appliance stopped.
func (r *reconnectBook) load() error {
	recs, err := r.e.app().FindAllRecords(connectionsCollection, dbx.HashExp{"status": ConnReconnect})
	if err != nil {
		return fmt.Errorf("loading connections to reconnect: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range recs {
		r.held[rec.Id] = true
	}
	return nil
}

// isHeld reports whether a connection waits to be connected again.
func (r *reconnectBook) isHeld(conn string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.held[conn]
}

// list returns the connections waiting to be connected again.
func (r *reconnectBook) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.held))
	for conn := range r.held {
		out = append(out, conn)
	}
	return out
}

// need holds a connection whose attempt, begun at start, found that it
// must be connected again: its status says so, with msg, and its
// integrations' people get one mail. An attempt begun before the last
// connect says nothing of the new connect and is ignored.
func (r *reconnectBook) need(conn, msg string, start time.Time) {
	r.mu.Lock()
	if r.held[conn] || start.Before(r.connected[conn]) {
		r.mu.Unlock()
		return
	}
	r.held[conn] = true
	r.mu.Unlock()
	e := r.e
	e.dropActive()
	name := conn
	if rec, err := e.app().FindRecordById(connectionsCollection, conn); err == nil {
		msg, name = e.sb.redactorOf(rec).text(msg), rec.GetString("name")
	}
	e.logger().Warn("connection must be connected again: its flows wait", slog.String("connection", conn), slog.String("error", msg))
	e.saveConnectionHealth(conn, ConnReconnect, msg, 0, false)
	subject := fmt.Sprintf("Switchboard: %q must be connected again, its flows wait", name)
	body := fmt.Sprintf("%q refused Switchboard's authorization: %s\n\nIts flows wait and nothing is lost. "+
		"Open the connection and press Connect; the records that waited are sent then.\n", name, msg)
	r.mailIntegrations(conn, subject, body)
}

// reconnected resumes a connection a person has just connected again.
func (r *reconnectBook) reconnected(conn string) {
	r.mu.Lock()
	delete(r.held, conn)
	r.connected[conn] = time.Now()
	r.mu.Unlock()
	r.e.alerts.dropReconnectMail(conn)
	r.e.connectionUp(conn)
}

func (r *reconnectBook) mailIntegrations(conn, subject, body string) {
	v := connectionView{What: subject, Detail: body}
	r.e.alerts.connectionMail(conn, alertMail{subject: subject, html: render(connectionHTML, v), text: subject + ".\n\n" + body + "\n"}, true)
}

// awaitReconnect turns an attempt that found its connection must be
// connected again into a wait: not a failure of the record.
func (e *Engine) awaitReconnect(o outcome) outcome {
	o.status, o.class, o.reconnect = StatusRetrying, connectors.ClassTransient, true
	o.next = time.Now().Add(e.cfg.BackoffMax)
	return o
}
