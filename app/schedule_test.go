package app

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestSchedulesAreReadInUTC: a schedule without CRON_TZ= fires at its
// time in UTC, as the web UI's "every night at 2:00 UTC" says, whatever
// zone the machine or the viewer is in; the next runs shown are the ones
// the engine keeps, in the viewer's zone.
func TestSchedulesAreReadInUTC(t *testing.T) {
	newYork := time.FixedZone("UTC-5", -5*3600)
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).In(newYork) // Dec 31, 19:00 in the viewer's zone
	cases := []struct {
		schedule string
		want     time.Time
	}{
		{"0 2 * * *", time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)},
		{"@daily", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"30 * * * *", time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC)},
		{"@every 5m", time.Date(2026, 1, 1, 0, 5, 0, 0, time.UTC)},
		{"CRON_TZ=UTC 0 2 * * *", time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		runs, err := NextRuns(c.schedule, from, 1)
		if err != nil {
			t.Fatalf("%s: %v", c.schedule, err)
		}
		if !runs[0].Equal(c.want) {
			t.Errorf("%s: next run %s, want %s", c.schedule, runs[0].UTC(), c.want)
		}
		if runs[0].Location() != newYork {
			t.Errorf("%s: next run shown in %s, want the viewer's zone", c.schedule, runs[0].Location())
		}
	}

	fe := newFlowEnv(t, connectors.Product, map[string]any{"schedule": "0 2 * * *"})
	cr := fe.sb.engine.sched.cron
	if cr.Location() != time.UTC {
		t.Errorf("the engine reads schedules in %s, want UTC", cr.Location())
	}
	fe.sb.engine.sched.mu.Lock()
	id := fe.sb.engine.sched.entries[fe.flow.Id]
	fe.sb.engine.sched.mu.Unlock()
	if next := cr.Entry(id).Next; next.UTC().Hour() != 2 || next.UTC().Minute() != 0 {
		t.Errorf("the flow runs next at %s, want 02:00 UTC", next.UTC())
	}
}

// TestAnIntervalUnderASecondIsRefused: robfig/cron runs an @every interval
// under a second (a negative one, zero, milliseconds) every second, which
// is not what it says: a typo such as "@every -5m" would poll the source
// every second. Such a schedule is refused as the flow is saved.
func TestAnIntervalUnderASecondIsRefused(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	cases := []struct {
		schedule string
		refused  bool
	}{
		{"@every -5m", true},
		{"@every 0s", true},
		{"@every 500ms", true},
		{"CRON_TZ=UTC @every -1h", true},
		{"@every 1s", false},
		{"@every 5m", false},
		{"CRON_TZ=UTC @every 5m", false},
		{"*/5 * * * *", false},
	}
	for _, c := range cases {
		fe.flow.Set("schedule", c.schedule)
		err := fe.app.Save(fe.flow)
		if refused := err != nil; refused != c.refused {
			t.Errorf("%q: saved with error %v, want refused %v", c.schedule, err, c.refused)
			continue
		}
		if c.refused && !strings.Contains(err.Error(), "at least 1s") {
			t.Errorf("%q: refused with %q, which does not say what is allowed", c.schedule, err)
		}
		if _, err := NextRuns(c.schedule, time.Now(), 1); (err != nil) != c.refused {
			t.Errorf("%q: next runs error %v, want refused %v", c.schedule, err, c.refused)
		}
	}
}
