package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/connectors/httpjson/fake"
)

// TestACertificateToFixHoldsTheConnection: an app whose certificate has
// expired was "no answer", retried as an outage for three days and mailed
// as "not answering". Its connection shows failing with the host and the
// certificate's problem, one mail goes out, the records wait, and once the
// certificate is renewed a probe finds it and they are written.
func TestACertificateToFixHoldsTheConnection(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	ca, now := conntest.NewAuthority(t, "Shop CA"), time.Now()
	shop := fake.New()
	srv := conntest.ServeTLS(t, shop, ca.Issue(t, now.Add(-48*time.Hour), now.Add(-time.Hour), "127.0.0.1"))
	target := fe.saveConnection(t, "Shop", "http", map[string]any{"base_url": srv.URL, "tls_ca": ca.PEM()}, nil)
	fe.pointTarget(t, target)
	for i := range 5 {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%d", i), "Chair"))
	}
	fe.run(t)
	eventually(t, "the shop's connection to fail", func() bool {
		rec, err := fe.app.FindRecordById(connectionsCollection, target.Id)
		return err == nil && rec.GetString("status") == ConnFailing
	})
	eventually(t, "the records to wait", func() bool { return fe.statuses(t)[StatusRetrying] == 5 })
	eventually(t, "the mail", func() bool { return fe.app.TestMailer.TotalSend() > 0 })
	rec, _ := fe.app.FindRecordById(connectionsCollection, target.Id)
	msg := rec.GetString("status_message")
	if !strings.Contains(msg, "the certificate of 127.0.0.1 expired on") || fe.sb.engine.health.isDown(target.Id) {
		t.Fatalf("status message %q, down %v; want the certificate named, not an outage", msg, fe.sb.engine.health.isDown(target.Id))
	}
	if got := fe.statuses(t); got[StatusFailed] != 0 {
		t.Fatalf("transactions by status %v: none may fail", got)
	}
	if m := fe.app.TestMailer.FirstMessage(); fe.app.TestMailer.TotalSend() != 1 || !strings.Contains(m.Subject, "needs attention") ||
		!strings.Contains(m.Text, "expired on") {
		t.Fatalf("%d mails, the first %q: want one about the certificate", fe.app.TestMailer.TotalSend(), m.Subject)
	}

	srv.SetCertificate(ca.Issue(t, now.Add(-time.Hour), now.Add(48*time.Hour), "127.0.0.1")) // renewed
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 5})
	if rec, _ := fe.app.FindRecordById(connectionsCollection, target.Id); rec.GetString("status") != ConnOK || shop.Created() != 5 {
		t.Fatalf("status %q, %d products in the shop; want ok and 5", rec.GetString("status"), shop.Created())
	}
	if n := fe.app.TestMailer.TotalSend(); n != 1 {
		t.Fatalf("%d mails, want only the one about the certificate", n)
	}
}

// TestAnOutageThatComesBackWithABadCertificateNeedsAttention: an app down
// that came back with an expired certificate stayed "not answering", its
// probe failing for ever without a word of the certificate. The probe
// finds it, the connection shows failing with the cause, a person's test
// that fails keeps it held (across a restart too), and one that passes
// resumes its flows.
func TestAnOutageThatComesBackWithABadCertificateNeedsAttention(t *testing.T) {
	cfg := fastEngine
	cfg.ProbeEvery = time.Hour // no probe runs but the test's
	fe := newFlowEnvWith(t, cfg, connectors.Product, nil)
	ca, now := conntest.NewAuthority(t, "Shop CA"), time.Now()
	srv := conntest.ServeTLS(t, fake.New(), ca.Issue(t, now.Add(-48*time.Hour), now.Add(-time.Hour), "127.0.0.1"))
	target := fe.saveConnection(t, "Shop", "http", map[string]any{"base_url": srv.URL, "tls_ca": ca.PEM()}, nil)
	fe.pointTarget(t, target)
	markTargetDown(t, fe, cfg.ProbeEvery)
	h := fe.sb.engine.health
	h.probe(target.Id)
	status := func() (string, string) {
		rec, err := fe.app.FindRecordById(connectionsCollection, target.Id)
		if err != nil {
			t.Fatal(err)
		}
		return rec.GetString("status"), rec.GetString("status_message")
	}
	if st, msg := status(); st != ConnFailing || !strings.Contains(msg, "the certificate of 127.0.0.1 expired on") || h.isDown(target.Id) || !h.isHeld(target.Id) {
		t.Fatalf("after the probe: status %q (%q), down %v, held %v; want failing with the certificate, held", st, msg, h.isDown(target.Id), h.isHeld(target.Id))
	}
	if _, err := fe.sb.TestConnectionByID(t.Context(), target.Id); err != nil {
		t.Fatal(err)
	}
	restarted := newHealthBook(fe.sb.engine)
	if err := restarted.load(); err != nil || !restarted.isHeld(target.Id) {
		t.Fatalf("a restart after a failed test: held %v (%v); want held", restarted.isHeld(target.Id), err)
	}
	srv.SetCertificate(ca.Issue(t, now.Add(-time.Hour), now.Add(48*time.Hour), "127.0.0.1"))
	if _, err := fe.sb.TestConnectionByID(t.Context(), target.Id); err != nil {
		t.Fatal(err)
	}
	if st, _ := status(); st != ConnOK || h.isHeld(target.Id) {
		t.Fatalf("after a passing test: status %q, held %v; want ok, resumed", st, h.isHeld(target.Id))
	}
}

// TestAPassingTestResumesAConnectionWaitingToBeConnectedAgain: a
// connection waiting to be connected again whose authorization works
// again without a connect (a Xero organisation connected in Xero itself)
// passed its test and showed "ok", while its flows waited for a connect
// that nobody would press: they resume with the test.
func TestAPassingTestResumesAConnectionWaitingToBeConnectedAgain(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	target := fe.flow.GetString("target")
	fe.sb.engine.reconnects.need(target, "reconnect needed: no Xero organisation is connected to this app", time.Now())
	for i := range 3 {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%d", i), "Chair"))
	}
	fe.run(t)
	eventually(t, "the records to be read", func() bool { return fe.statuses(t)[StatusPending] == 3 })
	if res, err := fe.sb.TestConnectionByID(t.Context(), target); err != nil || !res.OK {
		t.Fatalf("test = %+v, %v", res, err)
	}
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 3})
	if rec, _ := fe.app.FindRecordById(connectionsCollection, target); rec.GetString("status") != ConnOK {
		t.Fatalf("status %q, want ok", rec.GetString("status"))
	}
}

// TestARunOfASourceWaitingToBeConnectedAgainCallsNothing: a run of a
// source that waits to be connected again called its app with the
// credentials it had refused, at every tick of the schedule; it stops
// at once, saying why.
func TestARunOfASourceWaitingToBeConnectedAgainCallsNothing(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.sb.engine.reconnects.need(fe.flow.GetString("source"), "reconnect needed: the app refused the refresh token", time.Now())
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Chair"))
	run := fe.run(t)
	eventually(t, "the run to finish", func() bool {
		rec, err := fe.app.FindRecordById("runs", run)
		return err == nil && !rec.GetDateTime("finished").IsZero()
	})
	rec, _ := fe.app.FindRecordById("runs", run)
	if !strings.Contains(rec.GetString("error"), "must be connected again") || rec.GetInt("read") != 0 || len(fe.statuses(t)) != 0 {
		t.Fatalf("run error %q, %d read, transactions %v; want the run stopped before reading", rec.GetString("error"), rec.GetInt("read"), fe.statuses(t))
	}
}
