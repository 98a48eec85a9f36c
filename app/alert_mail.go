package app

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"

	"github.com/switchboard-app/switchboard/connectors"
)

// Why an alert could not be mailed.
var (
	errNoRecipients = errors.New("the integration has no alert addresses (alert_emails)")
	errNoMailServer = errors.New("no mail server is configured (PocketBase's settings, Mail settings: SMTP)")
)

// mailList is how many failures a mail names; it counts the rest.
const mailList = 10

// alertMail is one alert: its subject, and its body as HTML and as text.
type alertMail struct {
	subject, html, text string
}

// failureReport is what a failure mail tells: the flow's transactions that
// failed from since until cutoff and are failed still.
type failureReport struct {
	count  int
	first  []failedItem // the first mailList of them, oldest first
	cutoff time.Time
}

// failedItem is one failed transaction as a mail names it.
type failedItem struct {
	Key   string `db:"key"`
	Error string `db:"error"`
}

// failuresSince reads a flow's transactions that failed since a time and
// are failed still. It reads inside a write transaction, and every write
// that fails a transaction stamps it inside its own: so every failure
// stamped before the cutoff has committed when it is read, and every later
// one is stamped at the cutoff or after. The next mail starts at this
// cutoff, missing none and repeating none.
func failuresSince(app core.App, flowID string, since time.Time) (failureReport, error) {
	var rep failureReport
	err := app.RunInTransaction(func(tx core.App) error {
		rep.cutoff = time.Now()
		params := dbx.Params{"flow": flowID, "since": sqlTime(since), "cutoff": sqlTime(rep.cutoff)}
		const where = ` FROM transactions WHERE flow = {:flow} AND status = 'failed' AND updated >= {:since} AND updated < {:cutoff}`
		if err := tx.DB().NewQuery("SELECT COUNT(*)" + where).Bind(params).Row(&rep.count); err != nil {
			return err
		}
		return tx.DB().NewQuery("SELECT key, error" + where + " ORDER BY updated, id LIMIT " + strconv.Itoa(mailList)).
			Bind(params).All(&rep.first)
	})
	if err != nil {
		return rep, fmt.Errorf("reading the failures of flow %s: %w", flowID, err)
	}
	return rep, nil
}

// failureMail words a failure report, through the redaction that the
// flow's error texts went through.
func failureMail(rt *flowRuntime, rep failureReport, link string) alertMail {
	clean := rt.redact.text
	v := failureView{
		What: fmt.Sprintf("%d %s failed in %s -> %s", rep.count, entityNoun(rt.entity, rep.count),
			clean(rt.source.GetString("name")), clean(rt.target.GetString("name"))),
		Flow:        clean(rt.flow.GetString("name")),
		Integration: clean(rt.integration.GetString("name")),
		More:        rep.count - len(rep.first),
		Link:        link,
	}
	for _, f := range rep.first {
		v.Items = append(v.Items, failedItem{Key: clean(f.Key), Error: truncate(clean(f.Error), 500)})
	}
	return alertMail{subject: v.What, html: render(failureHTML, v), text: v.plain()}
}

// failureView is what the failure mail's templates show.
type failureView struct {
	What, Flow, Integration string
	Items                   []failedItem
	More                    int
	Link                    string
}

var failureHTML = template.Must(template.New("failures").Parse(`<p><strong>{{.What}}</strong>: they will not be retried by themselves.</p>
<p>Flow {{.Flow}}, integration {{.Integration}}.</p>
<ul>{{range .Items}}
<li><strong>{{.Key}}</strong>: {{.Error}}</li>{{end}}
</ul>{{if .More}}
<p>And {{.More}} more.</p>{{end}}
<p><a href="{{.Link}}">See the failed transactions</a>, fix the cause and retry them.</p>
`))

func (v failureView) plain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: they will not be retried by themselves.\n\nFlow %s, integration %s.\n\n", v.What, v.Flow, v.Integration)
	for _, it := range v.Items {
		fmt.Fprintf(&b, "- %s: %s\n", it.Key, it.Error)
	}
	if v.More > 0 {
		fmt.Fprintf(&b, "And %d more.\n", v.More)
	}
	fmt.Fprintf(&b, "\nSee the failed transactions, fix the cause and retry them:\n%s\n", v.Link)
	return b.String()
}

// connectionView is what a connection's outage and recovery mails show.
type connectionView struct {
	What, Detail string
}

var connectionHTML = template.Must(template.New("connection").Parse(`<p><strong>{{.What}}</strong>.</p>
<p>{{.Detail}}</p>
`))

// connection mails every integration that uses a connection that went
// down or came back; msg says why it is down.
func (a *alerter) connection(connID string, down bool, msg string) {
	conn, err := a.e.app().FindRecordById(connectionsCollection, connID)
	if err != nil {
		return
	}
	name := conn.GetString("name")
	v := connectionView{What: name + " is back: its flows resume",
		Detail: name + " answers again. The flows that use it have resumed, and the records that waited are being sent now."}
	if down {
		v = connectionView{What: name + " is not answering: its flows are paused",
			Detail: fmt.Sprintf("%s keeps failing: %s. Its flows are paused and nothing is lost: Switchboard tests it every %s and resumes by itself when it answers.",
				name, strings.TrimSuffix(msg, "."), a.e.cfg.ProbeEvery)}
	}
	a.connectionMail(connID, alertMail{subject: v.What, html: render(connectionHTML, v), text: v.What + ".\n\n" + v.Detail + "\n"}, false)
}

// filesRefused mails every integration that uses a connection that
// refused, for good, to put the files of flow in place; msg says why.
func (a *alerter) filesRefused(connID, flow, msg string) {
	conn, err := a.e.app().FindRecordById(connectionsCollection, connID)
	if err != nil {
		return
	}
	name := conn.GetString("name")
	v := connectionView{What: name + " refuses the written files: they wait",
		Detail: fmt.Sprintf("%s refused to put in place the files that flow %s wrote: %s. Nothing is lost: the records are written "+
			"and their files wait, and Switchboard tries them again, oldest first, until the target takes them. Fix the cause (the folder's permissions, a file there that may not be replaced) and they follow.",
			name, flow, strings.TrimSuffix(msg, "."))}
	a.connectionMail(connID, alertMail{subject: v.What, html: render(connectionHTML, v), text: v.What + ".\n\n" + v.Detail + "\n"}, false)
}

// connectionMail mails every integration that uses a connection about it
// (an outage, a recovery, a lost authorization); what the mail server
// refused is tried again every minute, until a newer mail of the
// connection replaces it, or, for a mail asking for the connection to be
// connected again (reconnect), until it is.
func (a *alerter) connectionMail(connID string, m alertMail, reconnect bool) {
	integs, err := a.e.app().FindAllRecords("integrations", dbx.Or(dbx.HashExp{"a": connID}, dbx.HashExp{"b": connID}))
	if err != nil {
		a.e.logger().Error("finding the integrations to mail about a connection", slog.String("connection", connID),
			slog.String("error", err.Error()))
		return
	}
	// A newer mail of the connection replaces one still waiting: it tells
	// how the connection is now.
	pending := &connMail{m: m, integs: a.mailConnection(m, integs, true), reconnect: reconnect}
	a.mu.Lock()
	if len(pending.integs) > 0 {
		a.conns[connID] = pending
	} else {
		delete(a.conns, connID)
	}
	a.mu.Unlock()
}

// dropReconnectMail forgets a connection's mail asking for it to be
// connected again that still waits for the mail server: it has been.
func (a *alerter) dropReconnectMail(connID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if cm := a.conns[connID]; cm != nil && cm.reconnect {
		delete(a.conns, connID)
	}
}

// mailConnection mails a connection's alert to integrations and returns
// the ids of those whose mail the mail server did not take. An integration
// without alert addresses has nobody to wait for, and without a mail
// server configured no mail is expected: an old outage told once one is
// set would mislead. A first try logs why a mail did not go; the tries
// after it do not.
func (a *alerter) mailConnection(m alertMail, integs []*core.Record, first bool) []string {
	var unsent []string
	for _, integ := range integs {
		err := a.mail(integ, m)
		if err == nil {
			continue
		}
		msg := "connection alert not mailed"
		if !errors.Is(err, errNoRecipients) && !errors.Is(err, errNoMailServer) {
			unsent = append(unsent, integ.Id)
			msg += ": it is tried again every minute"
		}
		if first {
			a.e.logger().Warn(msg, slog.String("integration", integ.GetString("name")),
				slog.String("subject", m.subject), slog.String("reason", err.Error()))
		}
	}
	return unsent
}

// resendConnectionMails tries again the connections' mails that waited
// for the mail server; one replaced meanwhile by a newer mail is left.
func (a *alerter) resendConnectionMails() {
	a.mu.Lock()
	waiting := make(map[string]*connMail, len(a.conns))
	for conn, cm := range a.conns {
		waiting[conn] = cm
	}
	a.mu.Unlock()
	for conn, cm := range waiting {
		integs, err := a.e.app().FindRecordsByIds("integrations", cm.integs)
		if err != nil {
			continue
		}
		unsent := a.mailConnection(cm.m, integs, false)
		a.mu.Lock()
		if a.conns[conn] == cm {
			if len(unsent) > 0 {
				a.conns[conn] = &connMail{m: cm.m, integs: unsent, reconnect: cm.reconnect}
			} else {
				delete(a.conns, conn)
			}
		}
		a.mu.Unlock()
	}
}

// recipients returns an integration's alert addresses, or why no mail can
// go to them: none are set, or no mail server is.
func (a *alerter) recipients(integ *core.Record) ([]mail.Address, error) {
	to := parseAddresses(integ.GetString("alert_emails"))
	if len(to) == 0 {
		return nil, errNoRecipients
	}
	if smtp := a.e.app().Settings().SMTP; !smtp.Enabled || smtp.Host == "" {
		return nil, errNoMailServer
	}
	return to, nil
}

// mail sends an alert to an integration's alert addresses, without the
// secrets of its connections; an error says why it was not sent.
func (a *alerter) mail(integ *core.Record, m alertMail) error {
	to, err := a.recipients(integ)
	if err != nil {
		return err
	}
	clean := a.integrationRedactor(integ)
	m.subject, m.html, m.text = clean.text(m.subject), clean.text(m.html), clean.text(m.text)
	app := a.e.app()
	meta := app.Settings().Meta
	msg := &mailer.Message{
		From:    mail.Address{Name: meta.SenderName, Address: meta.SenderAddress},
		To:      to,
		Subject: m.subject,
		HTML:    m.html,
		Text:    m.text,
	}
	if err := app.NewMailClient().Send(msg); err != nil {
		return fmt.Errorf("the mail server did not take the alert: %w", err)
	}
	return nil
}

// integrationRedactor is the redactor of an integration's connections.
func (a *alerter) integrationRedactor(integ *core.Record) redactor {
	conns, err := a.e.app().FindRecordsByIds(connectionsCollection, []string{integ.GetString("a"), integ.GetString("b")})
	if err != nil {
		return redactor{}
	}
	return a.e.sb.redactorOf(conns...)
}

// activityLink is the address of the flow's failed transactions on the
// Activity page of the appliance (applianceURL: PocketBase's Application
// URL once set, else where serve listens).
func (a *alerter) activityLink(flowID string) string {
	return a.e.applianceURL() + "/activity?" + url.Values{"flow": {flowID}, "status": {StatusFailed}}.Encode()
}

func render(t *template.Template, data any) string {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return template.HTMLEscapeString(err.Error())
	}
	return b.String()
}

// parseAddresses reads an integration's alert addresses, leaving out the
// parts that are no address (a list saved before they were checked).
func parseAddresses(list string) []mail.Address {
	out, _ := alertAddresses(list)
	return out
}

// alertAddresses reads a list of alert addresses, separated by commas,
// semicolons, line breaks or spaces, with or without names ("Ops
// <ops@example.com>"), and returns them with the first part that is no
// address ("" when every part is one).
func alertAddresses(list string) ([]mail.Address, string) {
	norm := strings.NewReplacer(";", ",", "\r", ",", "\n", ",").Replace(list)
	if strings.TrimSpace(norm) == "" {
		return nil, ""
	}
	if addrs, err := mail.ParseAddressList(norm); err == nil {
		out := make([]mail.Address, len(addrs))
		for i, a := range addrs {
			out[i] = *a
		}
		return out, ""
	}
	var out []mail.Address
	bad := ""
	for _, part := range strings.Split(norm, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		if addr, err := mail.ParseAddress(part); err == nil {
			out = append(out, *addr)
			continue
		}
		for _, word := range strings.Fields(part) {
			addr, err := mail.ParseAddress(word)
			if err != nil {
				if bad == "" {
					bad = part
				}
				continue
			}
			out = append(out, *addr)
		}
	}
	return out, bad
}

// entityNouns name n records of an entity in a subject: one and many.
var entityNouns = map[connectors.Entity][2]string{
	connectors.Product:  {"product", "products"},
	connectors.Customer: {"customer", "customers"},
	connectors.Order:    {"order", "orders"},
	connectors.Stock:    {"stock update", "stock updates"},
	connectors.Invoice:  {"invoice", "invoices"},
	connectors.Shipment: {"shipment", "shipments"},
}

func entityNoun(e connectors.Entity, n int) string {
	noun, ok := entityNouns[e]
	if !ok {
		noun = [2]string{"record", "records"}
	}
	return plural(n, noun[0], noun[1])
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
