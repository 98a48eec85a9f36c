package app

import (
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
