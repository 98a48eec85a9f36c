package app

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// Tunables are the engine settings an admin changes on the Settings page
// without a restart. The environment gives their defaults
// (SWITCHBOARD_ALERT_INTERVAL, SWITCHBOARD_RETENTION_DAYS); a value saved
// here wins over it. Zero means "the environment's".
type Tunables struct {
	// AlertEvery is the least time between two failure mails of a flow.
	AlertEvery time.Duration `json:"alert_every"`
	// RetentionDays is how long finished activity is kept.
	RetentionDays int `json:"retention_days"`
	// BusinessZone is the IANA name of the zone the business keeps its
	// books in: the mappings write the calendar dates of times in it
	// (to_business_zone). Empty: none, a time keeps the zone it was read
	// in, as before the setting was made.
	BusinessZone string `json:"business_zone,omitempty"`
}

// The bounds of the tunables.
const (
	minAlertEvery    = time.Minute
	maxAlertEvery    = 24 * time.Hour
	maxRetentionDays = 3650
)

// tunablesKey is where the saved tunables live in sb_meta.
const tunablesKey = "engine_settings"

// tuned holds the saved tunables for the engine to read while it runs.
type tuned struct {
	alertEvery atomic.Int64 // nanoseconds; 0: the environment's
	retention  atomic.Int64 // nanoseconds; 0: the environment's
	zone       atomic.Value // string: the business time zone; "": none
}

func (t *tuned) set(v Tunables) {
	t.alertEvery.Store(int64(v.AlertEvery))
	t.retention.Store(int64(time.Duration(v.RetentionDays) * 24 * time.Hour))
	t.zone.Store(v.BusinessZone)
}

// businessZone is the business time zone, "" when none is set.
func (t *tuned) businessZone() string {
	zone, _ := t.zone.Load().(string)
	return zone
}

// alertInterval is the least time between two failure mails of a flow.
func (e *Engine) alertInterval() time.Duration {
	if v := e.tuned.alertEvery.Load(); v > 0 {
		return time.Duration(v)
	}
	return e.cfg.AlertEvery
}

// retention is how long finished activity is kept.
func (e *Engine) retention() time.Duration {
	if v := e.tuned.retention.Load(); v > 0 {
		return time.Duration(v)
	}
	return e.cfg.Retention
}

// Tunables returns the tunables in force: the saved ones, else the
// environment's.
func (s *Switchboard) Tunables() Tunables {
	return Tunables{AlertEvery: s.engine.alertInterval(), RetentionDays: int(s.engine.retention() / (24 * time.Hour)),
		BusinessZone: s.engine.tuned.businessZone()}
}

// Bounded is t brought within the bounds a save accepts, for a form to
// offer: the interval rounded up to whole minutes, each value clamped. The
// environment may set what a form cannot (SWITCHBOARD_ALERT_INTERVAL=30s,
// a retention of 5,000 days), and a form showing it as it is could not
// be sent again.
func (t Tunables) Bounded() Tunables {
	every := (t.AlertEvery + time.Minute - 1).Truncate(time.Minute)
	return Tunables{AlertEvery: min(max(every, minAlertEvery), maxAlertEvery),
		RetentionDays: min(max(t.RetentionDays, 1), maxRetentionDays), BusinessZone: t.BusinessZone}
}

// Check says what is wrong with tunables, field by field.
func (t Tunables) Check() map[string]string {
	problems := map[string]string{}
	if t.AlertEvery < minAlertEvery || t.AlertEvery > maxAlertEvery {
		problems["alert_every"] = fmt.Sprintf("between %s and %s", minAlertEvery, maxAlertEvery)
	}
	if t.RetentionDays < 1 || t.RetentionDays > maxRetentionDays {
		problems["retention_days"] = fmt.Sprintf("from 1 to %d days", maxRetentionDays)
	}
	if !knownZone(t.BusinessZone) {
		problems["business_zone"] = fmt.Sprintf("an IANA time zone name such as Europe/Amsterdam, or empty (not %q)", truncate(t.BusinessZone, 80))
	}
	return problems
}

// knownZone reports whether name is empty or an IANA time zone; "Local",
// the machine's own, is none: the books' days would move with the host.
func knownZone(name string) bool {
	if name == "" {
		return true
	}
	_, err := time.LoadLocation(name)
	return err == nil && !strings.EqualFold(name, "local")
}

// TunablesError says which tunables cannot be saved, and why.
type TunablesError struct {
	// Fields holds what is wrong, by field ("alert_every", "retention_days",
	// "business_zone").
	Fields map[string]string
}

// Error lists the fields and what they must be.
func (e *TunablesError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, name := range slices.Sorted(maps.Keys(e.Fields)) {
		parts = append(parts, name+" must be "+e.Fields[name])
	}
	return strings.Join(parts, "; ")
}

// SaveTunables checks and keeps the tunables, and puts them in force at
// once: a changed business time zone recompiles every flow's mappings.
func (s *Switchboard) SaveTunables(t Tunables) error {
	if problems := t.Check(); len(problems) > 0 {
		return &TunablesError{Fields: problems}
	}
	data, err := json.Marshal(t)
	if err != nil {
		return err
	}
	if err := writeMeta(s.app, tunablesKey, string(data)); err != nil {
		return fmt.Errorf("saving the engine settings: %w", err)
	}
	before, zone := s.engine.retention(), s.engine.tuned.businessZone()
	s.engine.tuned.set(t)
	if s.engine.retention() < before {
		s.engine.pruneSoon()
	}
	if t.BusinessZone != zone {
		s.engine.forget("")
	}
	return nil
}

// loadTunables puts the saved tunables in force, at start.
func (e *Engine) loadTunables() error {
	raw, err := readMeta(e.app(), tunablesKey)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the engine settings: %w", err)
	}
	var t Tunables
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		return fmt.Errorf("reading the engine settings: %w", err)
	}
	e.tuned.set(t)
	return nil
}
