package app

import (
	"fmt"
	"html"
	"log/slog"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"
	"github.com/pocketbase/pocketbase/tools/types"
)

// alerter mails the people set on an integration when transactions fail
// for good, at most once per flow per AlertEvery, with the count since the
// last mail; and when a connection goes down and comes back.
type alerter struct {
	e     *Engine
	mu    sync.Mutex
	flows map[string]*alertState
}

type alertState struct {
	lastSent time.Time
	unsent   int
	sample   string
}

func newAlerter(e *Engine) *alerter { return &alerter{e: e, flows: map[string]*alertState{}} }

// load takes up the throttle state, so a restart does not mail again.
func (a *alerter) load() error {
	recs, err := a.e.app().FindAllRecords("alerts")
	if err != nil {
		return fmt.Errorf("loading alert state: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range recs {
		a.flows[r.GetString("flow")] = &alertState{lastSent: r.GetDateTime("last_sent").Time(), unsent: r.GetInt("unsent")}
	}
	return nil
}

// failed counts n permanent failures of a flow and mails when the throttle
// allows.
func (a *alerter) failed(flow string, n int, sample string) {
	a.mu.Lock()
	st := a.flows[flow]
	if st == nil {
		st = &alertState{}
		a.flows[flow] = st
	}
	st.unsent += n
	if st.sample == "" {
		st.sample = sample
	}
	due := time.Since(st.lastSent) >= a.e.cfg.AlertEvery
	a.mu.Unlock()
	if due {
		a.sendFailures(flow)
	} else {
		a.persist(flow)
	}
}

// digestLoop mails the failures that the throttle held back.
func (a *alerter) digestLoop() {
	ticker := time.NewTicker(time.Minute)
	defer ticker.Stop()
	for {
		select {
		case <-a.e.ctx.Done():
			return
		case <-ticker.C:
			for _, flow := range a.due() {
				a.sendFailures(flow)
			}
		}
	}
}

func (a *alerter) due() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for flow, st := range a.flows {
		if st.unsent > 0 && time.Since(st.lastSent) >= a.e.cfg.AlertEvery {
			out = append(out, flow)
		}
	}
	return out
}

func (a *alerter) sendFailures(flowID string) {
	a.mu.Lock()
	st := a.flows[flowID]
	count, sample := st.unsent, st.sample
	st.unsent, st.sample, st.lastSent = 0, "", time.Now()
	a.mu.Unlock()
	defer a.persist(flowID)
	if count == 0 {
		return
	}
	flow, err := a.e.app().FindRecordById(flowsCollection, flowID)
	if err != nil {
		return
	}
	integ, err := a.e.app().FindRecordById("integrations", flow.GetString("integration"))
	if err != nil {
		return
	}
	name := flow.GetString("name")
	subject := fmt.Sprintf("Switchboard: %d %s failed in %q", count, plural(count, "record", "records"), name)
	body := fmt.Sprintf("%d %s of flow %q (%s) failed and will not be retried by themselves.\n\nFirst: %s\n\nSee them, fix the cause and retry: %s\n",
		count, plural(count, "record", "records"), name, integ.GetString("name"), sample, a.activityLink(flowID))
	a.mail(integ, subject, body)
}

// connection mails every integration that uses a connection that went
// down or came back.
func (a *alerter) connection(connID string, down bool, msg string) {
	conn, err := a.e.app().FindRecordById(connectionsCollection, connID)
	if err != nil {
		return
	}
	integs, err := a.e.app().FindAllRecords("integrations", dbx.Or(dbx.HashExp{"a": connID}, dbx.HashExp{"b": connID}))
	if err != nil {
		return
	}
	name := conn.GetString("name")
	subject := fmt.Sprintf("Switchboard: %q is back, its flows resume", name)
	body := fmt.Sprintf("%q answers again. The flows that use it have resumed, and the records that waited are being sent now.\n", name)
	if down {
		subject = fmt.Sprintf("Switchboard: %q is not answering, its flows are paused", name)
		body = fmt.Sprintf("%q keeps failing: %s\n\nIts flows are paused and nothing is lost: Switchboard tests it every %s and resumes by itself when it answers.\n",
			name, msg, a.e.cfg.ProbeEvery)
	}
	for _, integ := range integs {
		a.mail(integ, subject, body)
	}
}

// mail sends an alert to an integration's alert addresses, without the
// secrets of its connections.
func (a *alerter) mail(integ *core.Record, subject, text string) {
	clean := a.integrationRedactor(integ)
	subject, text = clean.text(subject), clean.text(text)
	to := recipients(integ.GetString("alert_emails"))
	if len(to) == 0 {
		a.e.logger().Info("alert not mailed: the integration has no alert addresses",
			slog.String("integration", integ.GetString("name")), slog.String("subject", subject))
		return
	}
	app := a.e.app()
	meta := app.Settings().Meta
	msg := &mailer.Message{
		From:    mail.Address{Name: meta.SenderName, Address: meta.SenderAddress},
		To:      to,
		Subject: subject,
		Text:    text,
		HTML:    "<pre style=\"font-family:inherit;white-space:pre-wrap\">" + html.EscapeString(text) + "</pre>",
	}
	if err := app.NewMailClient().Send(msg); err != nil {
		a.e.logger().Error("mailing an alert (check the SMTP settings)", slog.String("subject", subject), slog.String("error", err.Error()))
	}
}

// integrationRedactor is the redactor of an integration's connections.
func (a *alerter) integrationRedactor(integ *core.Record) redactor {
	conns, err := a.e.app().FindRecordsByIds(connectionsCollection, []string{integ.GetString("a"), integ.GetString("b")})
	if err != nil {
		return redactor{}
	}
	return a.e.sb.redactorOf(conns...)
}

func (a *alerter) activityLink(flowID string) string {
	base := strings.TrimRight(a.e.app().Settings().Meta.AppURL, "/")
	filter := url.QueryEscape(fmt.Sprintf(`flow="%s"&&status="failed"`, flowID))
	return base + "/_/#/collections?collection=transactions&filter=" + filter
}

func (a *alerter) persist(flowID string) {
	a.mu.Lock()
	st := *a.flows[flowID]
	a.mu.Unlock()
	app := a.e.app()
	rec, err := app.FindFirstRecordByData("alerts", "flow", flowID)
	if err != nil {
		col, err := app.FindCollectionByNameOrId("alerts")
		if err != nil {
			return
		}
		rec = core.NewRecord(col)
		rec.Set("flow", flowID)
	}
	if !st.lastSent.IsZero() {
		lastSent, _ := types.ParseDateTime(st.lastSent)
		rec.Set("last_sent", lastSent)
	}
	rec.Set("unsent", st.unsent)
	if err := app.Save(rec); err != nil {
		a.e.logger().Warn("saving alert state", slog.String("error", err.Error()))
	}
}

func recipients(list string) []mail.Address {
	var out []mail.Address
	for _, part := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' }) {
		if addr, err := mail.ParseAddress(part); err == nil {
			out = append(out, *addr)
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
