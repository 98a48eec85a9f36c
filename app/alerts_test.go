package app

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/mailer"

	"github.com/switchboard-app/switchboard/connectors"
)

// failOne makes the target refuse the next write for good, and reads the
// product with the given SKU through the flow.
func (fe *flowEnv) failOne(t *testing.T, sku string) {
	t.Helper()
	fe.target.FailNext(connectors.Permanent(fmt.Errorf("422 %s has no tax class", sku)))
	fe.source.Add(connectors.Product, "id-"+sku, product(sku, "Chair"))
	fe.run(t)
}

// setAlertEmails sets the alert addresses of the flow's integration.
func (fe *flowEnv) setAlertEmails(t *testing.T, list string) {
	t.Helper()
	integ, err := fe.app.FindRecordById("integrations", fe.flow.GetString("integration"))
	if err != nil {
		t.Fatal(err)
	}
	integ.Set("alert_emails", list)
	if err := fe.app.Save(integ); err != nil {
		t.Fatal(err)
	}
}

// alertState reads the flow's row in the alerts collection.
func (fe *flowEnv) alertState(t *testing.T) *core.Record {
	t.Helper()
	rec, err := fe.app.FindFirstRecordByData("alerts", "flow", fe.flow.Id)
	if err != nil {
		return nil
	}
	return rec
}

// waitAlertTried waits until the alerter has dealt with the failures so
// far: it either mailed them or says why it did not.
func (fe *flowEnv) waitAlertTried(t *testing.T) *core.Record {
	t.Helper()
	var rec *core.Record
	eventually(t, "the alerter to try", func() bool {
		rec = fe.alertState(t)
		return rec != nil && (rec.GetString("unsent_reason") != "" || !rec.GetDateTime("last_sent").IsZero())
	})
	return rec
}

// refuseMail makes every mail go to an SMTP server that is not there.
func refuseMail(t *testing.T, fe *flowEnv) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	fe.app.OnMailerSend().Bind(&hook.Handler[*core.MailerEvent]{Id: "refuse", Func: func(e *core.MailerEvent) error {
		e.Mailer = &mailer.SMTPClient{Host: "127.0.0.1", Port: port}
		return e.Next()
	}})
}

// TestUnsentAlertKeepsItsFailuresForTheFirstMailThatGoesOut: an alert that
// cannot be mailed (no addresses, no mail server, the server refuses it)
// does not use up the throttle: the failure it held goes into the first
// mail that is sent, at once.
func TestUnsentAlertKeepsItsFailuresForTheFirstMailThatGoesOut(t *testing.T) {
	tests := []struct {
		name         string
		reason       string
		prevent, fix func(t *testing.T, fe *flowEnv)
	}{
		{"no alert addresses", "no alert addresses",
			func(t *testing.T, fe *flowEnv) { fe.setAlertEmails(t, "") },
			func(t *testing.T, fe *flowEnv) { fe.setAlertEmails(t, "owner@example.com") }},
		{"no mail server", "no mail server is configured",
			func(t *testing.T, fe *flowEnv) { fe.app.Settings().SMTP.Enabled = false },
			func(t *testing.T, fe *flowEnv) { fe.app.Settings().SMTP.Enabled = true }},
		{"the mail server refuses", "the mail server did not take the alert",
			refuseMail,
			func(t *testing.T, fe *flowEnv) { fe.app.OnMailerSend().Unbind("refuse") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := newFlowEnv(t, connectors.Product, nil)
			tt.prevent(t, fe)
			fe.failOne(t, "SKU-1")
			fe.waitStatuses(t, map[string]int{StatusFailed: 1})
			rec := fe.waitAlertTried(t)
			if n := fe.app.TestMailer.TotalSend(); n != 0 {
				t.Errorf("%d mails sent, want none", n)
			}
			if got := rec.GetString("unsent_reason"); !strings.Contains(got, tt.reason) {
				t.Errorf("the alert state says %q, want %q", got, tt.reason)
			}
			tt.fix(t, fe)
			fe.failOne(t, "SKU-2")
			eventually(t, "an alert mail", func() bool { return fe.app.TestMailer.TotalSend() > 0 })
			first := fe.app.TestMailer.FirstMessage()
			if !strings.Contains(first.Text, "422 SKU-1 has no tax class") {
				t.Fatalf("the first mail %q: %q does not hold the failure the unsent alert held", first.Subject, first.Text)
			}
			eventually(t, "the reason to be cleared", func() bool { return fe.alertState(t).GetString("unsent_reason") == "" })
		})
	}
}

// TestAlertCountsOnlyFailuresStillFailed: failures resolved by hand or
// retried with success before the mail goes out are not in it.
func TestAlertCountsOnlyFailuresStillFailed(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.setAlertEmails(t, "")
	for _, sku := range []string{"SKU-1", "SKU-2", "SKU-3"} { // written in any order: the error names none
		fe.target.FailNext(connectors.Permanent(errors.New("422 no tax class")))
		fe.source.Add(connectors.Product, "id-"+sku, product(sku, "Chair"))
	}
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusFailed: 3})
	fe.waitAlertTried(t)
	resolveByHand(t, fe, "id-SKU-1")
	retried, _ := fe.app.FindFirstRecordByData("transactions", "source_id", "id-SKU-2")
	if n, err := fe.sb.engine.Retry(dbx.HashExp{"id": retried.Id}); err != nil || n != 1 {
		t.Fatalf("Retry = %d, %v", n, err)
	}
	fe.waitStatuses(t, map[string]int{StatusFailed: 1, StatusResolved: 1, StatusSucceeded: 1})
	fe.setAlertEmails(t, "owner@example.com")
	eventually(t, "an alert mail", func() bool { return fe.app.TestMailer.TotalSend() > 0 })
	msg := fe.app.TestMailer.FirstMessage()
	if msg.Subject != "1 product failed in Source -> Target" || !strings.Contains(msg.Text, "SKU-3") ||
		strings.Contains(msg.Text+msg.HTML, "SKU-1") || strings.Contains(msg.Text+msg.HTML, "SKU-2") {
		t.Fatalf("mail %q: %q; want SKU-3 alone", msg.Subject, msg.Text)
	}
}

// resolveByHand marks a failed transaction resolved, as the resolve route
// does.
func resolveByHand(t *testing.T, fe *flowEnv, sourceID string) {
	t.Helper()
	_, err := fe.app.DB().Update("transactions", dbx.Params{"status": StatusResolved, "note": "resolved by hand",
		"updated": sqlTime(time.Now())}, dbx.HashExp{"source_id": sourceID, "status": StatusFailed}).Execute()
	if err != nil {
		t.Fatal(err)
	}
}

// TestFailureMailSaysWhatFailedAndLinksToActivity: the subject says what
// happened in words, the mail names the failures (ten, then a count), has
// an HTML part with a link to the flow's failed transactions on the
// Activity page and a text part, and holds no secret.
func TestFailureMailSaysWhatFailedAndLinksToActivity(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.app.Settings().Meta.AppURL = "https://switchboard.example.com/"
	const secret = "tok-9f8e7d6c5b4a"
	fe.setTargetToken(t, secret)
	fe.setAlertEmails(t, "")
	for i := range 12 {
		sku := fmt.Sprintf("SKU-%d-%s", i, secret)
		fe.target.FailNext(connectors.Permanent(fmt.Errorf("401 token %s expired", secret)))
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(sku, "Chair"))
	}
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusFailed: 12})
	fe.setAlertEmails(t, "owner@example.com")
	eventually(t, "an alert mail", func() bool { return fe.app.TestMailer.TotalSend() > 0 })
	msg := fe.app.TestMailer.FirstMessage()
	link := "https://switchboard.example.com/activity?flow=" + fe.flow.Id + "&status=failed"
	checks := []struct {
		what string
		ok   bool
	}{
		{"the subject says what failed where", msg.Subject == "12 products failed in Source -> Target"},
		{"the HTML links to the failed transactions", strings.Contains(msg.HTML, `<a href="`+strings.ReplaceAll(link, "&", "&amp;")+`">`)},
		{"the text part holds the link", strings.Contains(msg.Text, link)},
		{"ten failures are named", strings.Count(msg.Text, "401 token") == 10 && strings.Count(msg.HTML, "<li>") == 10},
		{"the rest are counted", strings.Contains(msg.Text, "And 2 more.") && strings.Contains(msg.HTML, "And 2 more.")},
		{"no secret", !strings.Contains(msg.Subject+msg.Text+msg.HTML, secret)},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: subject %q\ntext:\n%s\nhtml:\n%s", c.what, msg.Subject, msg.Text, msg.HTML)
		}
	}
}

// setTargetToken gives the target connection and its store an access token.
func (fe *flowEnv) setTargetToken(t *testing.T, token string) {
	t.Helper()
	rec, err := fe.app.FindRecordById(connectionsCollection, fe.flow.GetString("target"))
	if err != nil {
		t.Fatal(err)
	}
	ring, err := fe.sb.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := ring.Seal(token, secretContext("token"))
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("secrets", map[string]string{"token": sealed})
	if err := fe.app.Save(rec); err != nil {
		t.Fatal(err)
	}
	fe.target.SetToken(token)
}

// TestAlertAddressesAreCheckedOnSave: an integration's alert addresses
// are checked when they are saved, however they are saved (the REST API,
// an import, Go), and a list with one that is no address is refused,
// naming it, instead of being kept and its alerts going nowhere without a
// word. A list saved before stays until it is changed: saving the
// integration's other fields does not trip over it.
func TestAlertAddressesAreCheckedOnSave(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	integ, err := fe.app.FindRecordById("integrations", fe.flow.GetString("integration"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		list string
		bad  string // the part the refusal names; "" when taken
		want int    // the addresses mailed
	}{
		{"", "", 0},
		{"ops@example.com", "", 1},
		{"ops@example.com, boss@example.com", "", 2},
		{"ops@example.com; boss@example.com", "", 2},
		{"ops@example.com\nboss@example.com", "", 2},
		{"ops@example.com boss@example.com", "", 2},
		{"Ops Team <ops@example.com>, boss@example.com", "", 2},
		{`"Doe, Jo" <jo@example.com>`, "", 1},
		{"ops at example.com", "ops at example.com", 0},
		{"ops(at)example.com", "ops(at)example.com", 0},
		{"ops@example.com, nobody", "nobody", 0},
	}
	for _, tt := range tests {
		t.Run(tt.list, func(t *testing.T) {
			integ.Set("alert_emails", tt.list)
			err := fe.app.Save(integ)
			if tt.bad == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got := len(parseAddresses(tt.list)); got != tt.want {
					t.Fatalf("%d addresses mailed, want %d", got, tt.want)
				}
				return
			}
			var errs validation.Errors
			if !errors.As(err, &errs) || errs["alert_emails"] == nil || !strings.Contains(errs["alert_emails"].Error(), strconv.Quote(tt.bad)) {
				t.Fatalf("saving %q: %v; want a refusal of alert_emails naming %q", tt.list, err, tt.bad)
			}
		})
	}
	integ.Set("alert_emails", "ops at example.com")
	if err := fe.app.SaveNoValidate(integ); err != nil {
		t.Fatal(err)
	}
	integ, _ = fe.app.FindRecordById("integrations", integ.Id)
	integ.Set("name", "Renamed")
	if err := fe.app.Save(integ); err != nil {
		t.Fatalf("a list stored before refused a save that leaves it alone: %v", err)
	}
}

// TestAnOutageMailWaitsForTheMailServer: a connection's outage mail that
// the mail server did not take was dropped, so that its owners, whose mail
// server was out with the network, heard of the outage never (or only of
// its end); it is tried again until the server takes it.
func TestAnOutageMailWaitsForTheMailServer(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	refuseMail(t, fe)
	fe.target.SetOutage(connectors.Transient(errors.New("503 Service Unavailable")))
	for i := range 20 {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%d", i), "Chair"))
	}
	fe.run(t)
	eventually(t, "the target to be marked down", func() bool {
		rec, _ := fe.app.FindFirstRecordByData(connectionsCollection, "name", "Target")
		return rec.GetString("status") == ConnDown
	})
	eventually(t, "the outage mail to be refused", func() bool {
		fe.logs.mu.Lock()
		defer fe.logs.mu.Unlock()
		return strings.Contains(fe.logs.buf.String(), "connection alert not mailed")
	})
	if n := fe.app.TestMailer.TotalSend(); n != 0 {
		t.Fatalf("%d mails sent through a mail server that refuses them", n)
	}
	fe.app.OnMailerSend().Unbind("refuse")
	eventually(t, "the outage mail", func() bool {
		fe.sb.engine.alerts.wake() // as the minute's retry would
		return fe.app.TestMailer.TotalSend() > 0
	})
	if got := fe.app.TestMailer.FirstMessage().Subject; !strings.Contains(got, "is not answering") {
		t.Fatalf("the first mail is %q, want the outage", got)
	}
	fe.target.SetOutage(nil)
}

// TestAReconnectMailWaitsForTheMailServer: the mail that says a connection
// must be connected again, which the mail server did not take, was
// dropped, and its flows waited with nobody told; it is tried again until
// the server takes it, as an outage mail is.
func TestAReconnectMailWaitsForTheMailServer(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	refuseMail(t, fe)
	target := fe.flow.GetString("target")
	fe.sb.engine.reconnects.need(target, "the refresh token was revoked", time.Now())
	if n := fe.app.TestMailer.TotalSend(); n != 0 {
		t.Fatalf("%d mails sent through a mail server that refuses them", n)
	}
	fe.app.OnMailerSend().Unbind("refuse")
	eventually(t, "the reconnect mail", func() bool {
		fe.sb.engine.alerts.wake() // as the minute's retry would
		return fe.app.TestMailer.TotalSend() > 0
	})
	if got := fe.app.TestMailer.FirstMessage().Subject; !strings.Contains(got, "must be connected again") {
		t.Fatalf("the first mail is %q, want the reconnect mail", got)
	}
}

// TestAFlowThatCannotBeLoadedStillHasItsFailuresMailed: a flow whose
// options no longer fit its connections fails its records, and those
// failures were never mailed: the mail needed the whole flow loaded, so
// the owner heard nothing of a flow failing everything. The mail needs
// only the flow's names.
func TestAFlowThatCannotBeLoadedStillHasItsFailuresMailed(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.setAlertEmails(t, "")
	fe.target.FailNext(connectors.Permanent(errors.New("422 no tax class")))
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusFailed: 1})
	fe.waitAlertTried(t)
	if _, err := fe.app.DB().NewQuery(`UPDATE flows SET options = '[1]' WHERE id = {:id}`).
		Bind(dbx.Params{"id": fe.flow.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	fe.setAlertEmails(t, "owner@example.com")
	eventually(t, "an alert mail", func() bool { return fe.app.TestMailer.TotalSend() > 0 })
	if got := fe.app.TestMailer.FirstMessage().Subject; got != "1 product failed in Source -> Target" {
		t.Fatalf("the mail is %q", got)
	}
}

// TestAReconnectMailNotYetSentIsDroppedOnceConnected: a mail saying a
// connection must be connected again, still waiting for the mail server
// when a person connects it, is not sent afterwards.
func TestAReconnectMailNotYetSentIsDroppedOnceConnected(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	refuseMail(t, fe)
	target := fe.flow.GetString("target")
	fe.sb.engine.reconnects.need(target, "the refresh token was revoked", time.Now())
	fe.sb.engine.reconnects.reconnected(target)
	fe.app.OnMailerSend().Unbind("refuse")
	fe.sb.engine.alerts.resendConnectionMails()
	for _, m := range fe.app.TestMailer.Messages() {
		if strings.Contains(m.Subject, "must be connected again") {
			t.Fatalf("mailed after the connection was connected again: %q", m.Subject)
		}
	}
}
