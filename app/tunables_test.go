package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestTunablesTakeEffectAndOutliveARestart: an admin's alert throttle and
// retention win over the environment's at once, and again after a start.
func TestTunablesTakeEffectAndOutliveARestart(t *testing.T) {
	env := newTestEnv(t)
	env.sb.engine.cfg = EngineConfig{AlertEvery: 15 * time.Minute, Retention: 30 * 24 * time.Hour}.withDefaults()
	if got := env.sb.Tunables(); got.AlertEvery != 15*time.Minute || got.RetentionDays != 30 {
		t.Fatalf("before saving: %+v, want the environment's", got)
	}
	want := Tunables{AlertEvery: time.Hour, RetentionDays: 90}
	if err := env.sb.SaveTunables(want); err != nil {
		t.Fatal(err)
	}
	if env.sb.engine.alertInterval() != time.Hour || env.sb.engine.retention() != 90*24*time.Hour {
		t.Fatalf("in force: %v, %v", env.sb.engine.alertInterval(), env.sb.engine.retention())
	}
	env.sb.engine.tuned.set(Tunables{}) // as a new process starts
	if err := env.sb.engine.loadTunables(); err != nil {
		t.Fatal(err)
	}
	if got := env.sb.Tunables(); got != want {
		t.Fatalf("after a start: %+v, want %+v", got, want)
	}
}

func TestTunablesOutOfBoundsAreRefused(t *testing.T) {
	env := newTestEnv(t)
	for _, bad := range []Tunables{{AlertEvery: time.Second, RetentionDays: 30}, {AlertEvery: time.Hour, RetentionDays: 0},
		{AlertEvery: 48 * time.Hour, RetentionDays: 99999}, {AlertEvery: time.Hour, RetentionDays: 30, BusinessZone: "Mars/Olympus"},
		{AlertEvery: time.Hour, RetentionDays: 30, BusinessZone: "Local"}} {
		var te *TunablesError
		if err := env.sb.SaveTunables(bad); !errors.As(err, &te) || len(te.Fields) == 0 {
			t.Errorf("%+v: %v, want a refusal naming the fields", bad, err)
		}
	}
	if _, err := readMeta(env.app, tunablesKey); err == nil {
		t.Fatal("refused settings were stored")
	}
}

// TestTunablesBoundedForAForm: what the environment sets beyond a form's
// bounds is offered within them, so the form can be sent again; what is
// within them is offered as it is.
func TestTunablesBoundedForAForm(t *testing.T) {
	cases := []struct{ in, want Tunables }{
		{Tunables{AlertEvery: 30 * time.Second, RetentionDays: 30}, Tunables{AlertEvery: time.Minute, RetentionDays: 30}},
		{Tunables{AlertEvery: 90 * time.Second, RetentionDays: 5000}, Tunables{AlertEvery: 2 * time.Minute, RetentionDays: maxRetentionDays}},
		{Tunables{AlertEvery: 48 * time.Hour, RetentionDays: 0}, Tunables{AlertEvery: maxAlertEvery, RetentionDays: 1}},
		{Tunables{AlertEvery: 15 * time.Minute, RetentionDays: 90}, Tunables{AlertEvery: 15 * time.Minute, RetentionDays: 90}},
	}
	for _, tc := range cases {
		got := tc.in.Bounded()
		if got != tc.want {
			t.Errorf("%+v bounded = %+v, want %+v", tc.in, got, tc.want)
		}
		if problems := got.Check(); len(problems) > 0 {
			t.Errorf("%+v bounded = %+v, which a save refuses: %v", tc.in, got, problems)
		}
	}
}

// TestBusinessZoneReachesTheMappingsAtOnce: an order placed at 00:30 in
// Amsterdam on 1 January is written on 31 December (UTC, as read) until
// the business time zone is set to Europe/Amsterdam, and on 1 January
// from the save on, by a flow compiled before it; the zone outlives a
// restart, and an unknown one is refused naming the field.
func TestBusinessZoneReachesTheMappingsAtOnce(t *testing.T) {
	fe := newFlowEnv(t, connectors.Order, map[string]any{"mapping": map[string]any{"out": []any{
		map[string]any{"target": "date", "expr": `format_time(to_business_zone(ordered_at), "date")`}}}})
	order := map[string]any{"number": "1001", "currency": "EUR", "ordered_at": "2026-12-31T23:30:00Z",
		"lines": []any{map[string]any{"sku": "A", "quantity": 1, "unit_price": "10.00"}}, "totals": map[string]any{"total": "10.00"}}
	date := func() any {
		t.Helper()
		rt, err := fe.sb.engine.runtime(fe.flow.Id)
		if err != nil {
			t.Fatal(err)
		}
		res, err := rt.program.Run(order)
		if err != nil {
			t.Fatal(err)
		}
		return res.Output["date"]
	}
	if got := date(); got != "2026-12-31" {
		t.Fatalf("without a business time zone: %v, want 2026-12-31", got)
	}
	var te *TunablesError
	if err := fe.sb.SaveTunables(Tunables{AlertEvery: time.Hour, RetentionDays: 30, BusinessZone: "Mars/Olympus"}); !errors.As(err, &te) ||
		!strings.Contains(te.Fields["business_zone"], `"Mars/Olympus"`) || !strings.Contains(err.Error(), "business_zone") {
		t.Fatalf("an unknown zone: %v, want a refusal naming business_zone", err)
	}
	want := Tunables{AlertEvery: time.Hour, RetentionDays: 30, BusinessZone: "Europe/Amsterdam"}
	if err := fe.sb.SaveTunables(want); err != nil {
		t.Fatal(err)
	}
	if got := date(); got != "2027-01-01" {
		t.Fatalf("with Europe/Amsterdam: %v, want 2027-01-01", got)
	}
	fe.sb.engine.tuned.set(Tunables{}) // as a new process starts
	if err := fe.sb.engine.loadTunables(); err != nil {
		t.Fatal(err)
	}
	if got := fe.sb.Tunables(); got != want {
		t.Fatalf("after a start: %+v, want %+v", got, want)
	}
}
