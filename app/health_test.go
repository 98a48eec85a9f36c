package app

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestHealthCountsFailedAttemptsOncePerProbeInterval: failures that end
// within one probe interval of the last counted one are the same outage
// seen again; only failures a probe interval apart add up to an outage.
func TestHealthCountsFailedAttemptsOncePerProbeInterval(t *testing.T) {
	const every = time.Hour // the probe interval; no probe runs during the test
	tests := []struct {
		name     string
		failures []time.Duration // when each failure ended, after the first attempt began
		down     bool
	}{
		{"eight workers failing at once are one failure", []time.Duration{0, 0, 0, 0, 0, 0, 0, 0}, false},
		{"failures within one probe interval are one failure", []time.Duration{0, every / 3, every * 2 / 3, every - 1}, false},
		{"two probe intervals of failing are three failures", []time.Duration{0, every, 2 * every}, true},
		{"a burst in each of three intervals is three failures", []time.Duration{0, 1, every, every + 1, 2 * every, 2*every + 1}, true},
		{"failures reported out of order count by when they ended", []time.Duration{0, every, every / 2, every * 3 / 2}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fastEngine
			cfg.ProbeEvery = every
			fe := newFlowEnvWith(t, cfg, connectors.Product, nil)
			target := fe.flow.GetString("target")
			begun := time.Now()
			for _, end := range tt.failures {
				fe.sb.engine.health.failed(target, "503", begun, begun.Add(end))
			}
			if got := fe.sb.engine.health.isDown(target); got != tt.down {
				t.Fatalf("down = %v after failures ending at %v, want %v", got, tt.failures, tt.down)
			}
		})
	}
}

// TestAFailedFlushIsOneFailure: a buffering target whose flush of 20
// records fails once has failed once, not 20 times: it is not marked down,
// and the records are written on the next flush.
func TestAFailedFlushIsOneFailure(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	store := fmt.Sprintf("buffered-%d", storeSeq.Add(1))
	fe.retarget(t, bufferedSpec, newBuffered, store)
	flushFailures.Lock()
	flushFailures.n = 1
	flushFailures.Unlock()
	for i := range 20 {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%d", i), "Chair"))
	}
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 20})
	// A down connection would have been mailed before any retry could run.
	assertNoOutageMail(t, fe)
}

// TestParallelFailuresOfOneOutageCountOnce: workers that fail on the same
// outage at the same time are one proof that the target is down, not one
// each; their records are retried and written.
func TestParallelFailuresOfOneOutageCountOnce(t *testing.T) {
	cfg := fastEngine
	cfg.ProbeEvery = time.Hour // every failure of this test falls within one interval
	fe := newFlowEnvWith(t, cfg, connectors.Product, nil)
	for range 8 {
		fe.target.FailNext(connectors.Transient(errors.New("503 Service Unavailable")))
	}
	for i := range 8 {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%d", i), "Chair"))
	}
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 8})
	if fe.sb.engine.health.isDown(fe.flow.GetString("target")) {
		t.Fatal("the target is down")
	}
	assertNoOutageMail(t, fe)
}

func assertNoOutageMail(t *testing.T, fe *flowEnv) {
	t.Helper()
	for _, m := range fe.app.TestMailer.Messages() {
		if strings.Contains(m.Subject, "is not answering") {
			t.Fatalf("the target was marked down: %q", m.Subject)
		}
	}
}

// TestATestOfADownConnectionKeepsOrEndsTheOutage: a person's test of a
// connection marked down that fails leaves it down (a "failing" status
// was forgotten as an outage on the next start: a second outage mail, no
// recovery mail), and one that passes resumes its flows at once, as a
// probe would.
func TestATestOfADownConnectionKeepsOrEndsTheOutage(t *testing.T) {
	tests := []struct {
		name   string
		outage bool
		status string
		down   bool
	}{
		{"a failing test keeps the outage", true, ConnDown, true},
		{"a passing test ends it", false, ConnOK, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fastEngine
			cfg.ProbeEvery = time.Hour // no probe runs during the test
			fe := newFlowEnvWith(t, cfg, connectors.Product, nil)
			target := markTargetDown(t, fe, cfg.ProbeEvery)
			if tt.outage {
				fe.target.SetOutage(connectors.Transient(errors.New("503 Service Unavailable")))
				defer fe.target.SetOutage(nil)
			}
			if _, err := fe.sb.TestConnectionByID(t.Context(), target); err != nil {
				t.Fatal(err)
			}
			rec, err := fe.app.FindRecordById(connectionsCollection, target)
			if err != nil {
				t.Fatal(err)
			}
			if got := rec.GetString("status"); got != tt.status {
				t.Errorf("status after the test = %q, want %q", got, tt.status)
			}
			if got := fe.sb.engine.health.isDown(target); got != tt.down {
				t.Errorf("down after the test = %v, want %v", got, tt.down)
			}
		})
	}
}

// TestAProbeEndsAnOutageOnlyWhenItsConnectionAnswersOrIsGone: a probe that
// cannot read its connection (the database busy or failing) leaves the
// outage as it is; it ended it before, and the flows resumed against a
// connection still down, without the recovery that should follow. A
// connection deleted meanwhile has no outage left.
func TestAProbeEndsAnOutageOnlyWhenItsConnectionAnswersOrIsGone(t *testing.T) {
	tests := []struct {
		name   string
		unread func(t *testing.T, fe *flowEnv, conn string) (restore func())
		down   bool
	}{
		{"the database failing keeps it down", func(t *testing.T, fe *flowEnv, _ string) func() {
			execSQL(t, fe, `ALTER TABLE connections RENAME TO connections_away`)
			return func() { execSQL(t, fe, `ALTER TABLE connections_away RENAME TO connections`) }
		}, true},
		{"a deleted connection is no longer down", func(t *testing.T, fe *flowEnv, conn string) func() {
			execSQL(t, fe, `DELETE FROM connections WHERE id = '`+conn+`'`)
			return func() {}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fastEngine
			cfg.ProbeEvery = time.Hour // no probe runs but the test's
			fe := newFlowEnvWith(t, cfg, connectors.Product, nil)
			target := markTargetDown(t, fe, cfg.ProbeEvery)
			restore := tt.unread(t, fe, target)
			fe.sb.engine.health.probe(target)
			restore()
			if got := fe.sb.engine.health.isDown(target); got != tt.down {
				t.Errorf("down after the probe = %v, want %v", got, tt.down)
			}
		})
	}
}

func execSQL(t *testing.T, fe *flowEnv, sql string) {
	t.Helper()
	if _, err := fe.app.DB().NewQuery(sql).Execute(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// markTargetDown counts failures of the flow's target, a probe interval
// apart, until it is down, and returns the target's id.
func markTargetDown(t *testing.T, fe *flowEnv, every time.Duration) string {
	t.Helper()
	target := fe.flow.GetString("target")
	begun := time.Now()
	for i := 0; i < 20 && !fe.sb.engine.health.isDown(target); i++ {
		fe.sb.engine.health.failed(target, "503", begun, begun.Add(time.Duration(i)*every))
	}
	if !fe.sb.engine.health.isDown(target) {
		t.Fatal("the target was never marked down")
	}
	return target
}
