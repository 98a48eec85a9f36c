package app

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// attentionPrefix begins the status message of a connection held until a
// person fixes it; a restart finds such connections by it.
const attentionPrefix = "Its flows wait until this is fixed: "

// attention holds a connection whose attempt, begun at start, failed in a
// way only a person can fix (connectors.NeedsAttention: a certificate
// that cannot be verified): its status is failing with msg, its flows
// claim nothing and their records wait (retrying, none fails), the
// integrations' people get one mail, and a probe tests it every
// ProbeEvery; when a test passes (a probe's, or a person's), the waiting
// records are due at once. It is mailed again only after work with the
// connection has succeeded since. An attempt begun before the connection
// last answered is stale and ignored.
func (h *healthBook) attention(conn, msg string, start time.Time) {
	h.mu.Lock()
	if h.failing[conn] || start.Before(h.answered[conn]) {
		h.mu.Unlock()
		return
	}
	h.failing[conn] = true
	mail := !h.warned[conn]
	h.warned[conn] = true
	h.mu.Unlock()
	h.e.connectionFailing(conn, msg, mail)
}

// connectionFailing records that a connection needs a person: its status
// and, when mail is set, an alert. msg says why, without the connection's
// secrets.
func (e *Engine) connectionFailing(conn, msg string, mail bool) {
	e.dropActive()
	name := conn
	if rec, err := e.app().FindRecordById(connectionsCollection, conn); err == nil {
		msg, name = e.sb.redactorOf(rec).text(msg), rec.GetString("name")
	}
	e.logger().Warn("connection needs attention: its flows wait until it is fixed", slog.String("connection", conn), slog.String("error", msg))
	e.saveConnectionHealth(conn, ConnFailing, attentionPrefix+msg, 0, false)
	if !mail {
		return
	}
	subject := fmt.Sprintf("Switchboard: %q needs attention, its flows wait", name)
	body := fmt.Sprintf("%q cannot be used until this is fixed: %s.\n\nIts flows wait and nothing is lost. "+
		"Switchboard tests the connection every %s and sends the records that waited once a test passes; "+
		"test it yourself once it is fixed to resume at once.\n", name, strings.TrimSuffix(msg, "."), e.cfg.ProbeEvery)
	v := connectionView{What: subject, Detail: body}
	e.alerts.connectionMail(conn, alertMail{subject: subject, html: render(connectionHTML, v), text: subject + ".\n\n" + body}, false)
}

// awaitAttention turns an attempt that found its connection needs a
// person into a wait: not a failure of the record.
func (e *Engine) awaitAttention(o outcome) outcome {
	o.status, o.class, o.attention = StatusRetrying, connectors.ClassTransient, true
	o.next = time.Now().Add(e.cfg.BackoffMax)
	return o
}
