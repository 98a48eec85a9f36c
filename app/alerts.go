package app

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// alertRetryEvery is how often failures that could not be mailed, or that
// the throttle held back, are looked at again.
const alertRetryEvery = time.Minute

// alerter mails the people set on an integration (its alert_emails) when
// transactions of its flows fail for good, and when a connection goes down
// and comes back.
//
// Failure mails are throttled per flow: at most one per AlertEvery. A mail
// reports the flow's transactions that failed since the last mail went out
// and are failed still when it is composed: one resolved, or retried with
// success, meanwhile is left out. A mail that is not sent (the integration
// has no alert addresses, no mail server is configured, or the server
// refused it) does not use up the throttle: its failures stay counted and
// go into the first mail that can be sent, tried again every minute. So is
// a connection's outage, recovery or must-be-connected-again mail that the
// mail server refused,
// until a newer mail of the connection replaces it.
type alerter struct {
	e      *Engine
	kick   chan struct{}
	mu     sync.Mutex
	flows  map[string]*alertState
	saving sync.Mutex // one save of the state at a time, so a new row is made once
	// conns holds, by connection, its outage or recovery mail that some
	// integrations have not received: the mail server refused it. It is
	// tried again with the failure mails, until it goes out or a newer
	// mail of the same connection takes its place.
	conns map[string]*connMail
}

// connMail is a connection's mail waiting for the mail server.
type connMail struct {
	m         alertMail
	integs    []string // the integrations still to mail
	reconnect bool     // it asks for the connection to be connected again
}

// alertState is a flow's throttle, kept in the alerts collection.
type alertState struct {
	// lastSent is when the last mail was composed: the throttle, and the
	// start of the failures not mailed yet.
	lastSent time.Time
	// unsent counts the failures noticed since: while there are any, the
	// flow is looked at whenever the throttle allows.
	unsent int
	// reason says why the last try did not mail; "" once a mail went out.
	reason string
}

func newAlerter(e *Engine) *alerter {
	return &alerter{e: e, kick: make(chan struct{}, 1), flows: map[string]*alertState{}, conns: map[string]*connMail{}}
}

// load takes up the throttle state, so a restart neither mails again nor
// forgets failures not mailed yet.
func (a *alerter) load() error {
	recs, err := a.e.app().FindAllRecords("alerts")
	if err != nil {
		return fmt.Errorf("loading alert state: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range recs {
		a.flows[r.GetString("flow")] = &alertState{lastSent: r.GetDateTime("last_sent").Time(),
			unsent: r.GetInt("unsent"), reason: r.GetString("unsent_reason")}
	}
	return nil
}

// state returns a flow's state, made when missing; the mutex is held.
func (a *alerter) state(flow string) *alertState {
	st := a.flows[flow]
	if st == nil {
		st = &alertState{}
		a.flows[flow] = st
	}
	return st
}

// failed notes that n transactions of a flow failed for good; the mail
// goes out from digestLoop as soon as the throttle allows.
func (a *alerter) failed(flow string, n int) {
	a.mu.Lock()
	a.state(flow).unsent += n
	a.mu.Unlock()
	a.persist(flow)
	a.wake()
}

// wake makes digestLoop look at the flows at once: there are new failures,
// or alert addresses or the mail server changed.
func (a *alerter) wake() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// digestLoop mails the failures of every flow whose throttle allows, when
// told of new ones and every minute, until the engine stops.
func (a *alerter) digestLoop() {
	ticker := time.NewTicker(alertRetryEvery)
	defer ticker.Stop()
	for {
		for _, flow := range a.due() {
			a.sendFailures(flow)
		}
		a.resendConnectionMails()
		select {
		case <-a.e.ctx.Done():
			return
		case <-a.kick:
		case <-ticker.C:
		}
	}
}

func (a *alerter) due() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for flow, st := range a.flows {
		if st.unsent > 0 && time.Since(st.lastSent) >= a.e.alertInterval() {
			out = append(out, flow)
		}
	}
	return out
}

// sendFailures mails a flow's failures that are failed still, when there
// are any and a mail can be sent.
func (a *alerter) sendFailures(flowID string) {
	a.mu.Lock()
	st := a.state(flowID)
	since, taken := st.lastSent, st.unsent
	a.mu.Unlock()
	rt, err := a.e.loadFlowRecords(flowID)
	if err != nil {
		a.flowGone(flowID, err)
		return
	}
	if _, err := a.recipients(rt.integration); err != nil {
		a.settle(flowID, taken, time.Time{}, err)
		return
	}
	rep, err := failuresSince(a.e.app(), flowID, since)
	if err != nil {
		a.e.logger().Error("reading failures to mail", slog.String("flow", flowID), slog.String("error", err.Error()))
		return
	}
	if rep.count == 0 { // all resolved or retried meanwhile: nothing to tell
		a.settle(flowID, taken, time.Time{}, nil)
		return
	}
	err = a.mail(rt.integration, failureMail(rt, rep, a.activityLink(flowID)))
	a.settle(flowID, taken, rep.cutoff, err)
}

// settle records a try at mailing taken failures: a mail sent at cutoff
// moves the throttle there; without a mail (notSent says why) the failures
// stay counted for the next try.
func (a *alerter) settle(flowID string, taken int, cutoff time.Time, notSent error) {
	a.mu.Lock()
	st := a.state(flowID)
	before := st.reason
	if notSent != nil {
		st.reason = notSent.Error()
	} else {
		st.unsent, st.reason = max(0, st.unsent-taken), ""
		if !cutoff.IsZero() {
			st.lastSent = cutoff
		}
	}
	reason := st.reason
	a.mu.Unlock()
	if reason != "" && reason != before {
		a.e.logger().Warn("failures not mailed: they will be in the first mail that can be sent",
			slog.String("flow", flowID), slog.Int("failures", taken), slog.String("reason", reason))
	}
	a.persist(flowID)
}

// flowGone forgets the throttle of a deleted flow (its alerts row went
// with it); any other error is logged and the failures wait.
func (a *alerter) flowGone(flowID string, err error) {
	if a.e.exists(flowsCollection, flowID) {
		a.e.logger().Error("loading a flow to mail its failures", slog.String("flow", flowID), slog.String("error", err.Error()))
		return
	}
	a.mu.Lock()
	delete(a.flows, flowID)
	a.mu.Unlock()
}

// persist saves a flow's throttle state.
func (a *alerter) persist(flowID string) {
	a.saving.Lock()
	defer a.saving.Unlock()
	a.mu.Lock()
	st, ok := a.flows[flowID]
	if !ok {
		a.mu.Unlock()
		return
	}
	copied := *st
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
	if !copied.lastSent.IsZero() {
		lastSent, _ := types.ParseDateTime(copied.lastSent)
		rec.Set("last_sent", lastSent)
	}
	rec.Set("unsent", copied.unsent)
	rec.Set("unsent_reason", truncate(copied.reason, 2000))
	if err := app.Save(rec); err != nil {
		a.e.logger().Warn("saving alert state", slog.String("error", err.Error()))
	}
}
