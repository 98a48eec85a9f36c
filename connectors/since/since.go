// Package since keeps the position of an incremental read in a flow's
// cursor: each run asks an app for the records changed since the latest
// change the last run saw, less an overlap, so that a record changed
// during a read (or committed late, with an older time) is read by the
// next run and never missed. The records the last run read within the
// overlap are remembered (up to MaxSeen of them) and not passed on again
// unless they changed since, so an unchanged record is read once.
//
// A connector parses the flow's cursor with [Parse], asks its app for the
// records changed since [State.From], passes each record read through
// [State.Take], keeps its own position within a run in Pos, and at the
// end of a run keeps [State.Finished]. A list read whole every run
// (not by change time) takes nothing, and starts over after its end.
package since

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// Overlap is how far before the last run's latest change a run asks,
// unless a State says otherwise.
const Overlap = time.Minute

// MaxSeen bounds the records remembered within the overlap; beyond it
// they are read again (the engine's delta hash skips them).
const MaxSeen = 1000

// State is an incremental read's position, as the flow's cursor keeps it
// in JSON.
type State struct {
	// Since is the latest change the last run saw; "" before the first.
	Since string `json:"since,omitempty"`
	// Seen are the records the last run read within the overlap before
	// Since: id -> their change, in Unix milliseconds.
	Seen map[string]int64 `json:"seen,omitempty"`
	// Max and Near are the same of this run so far.
	Max  string           `json:"max,omitempty"`
	Near map[string]int64 `json:"near,omitempty"`
	// Pos is the connector's position within a run (the next page's
	// address, the last id read); "" at a run's start.
	Pos string `json:"pos,omitempty"`
	// Overlap is how far before Since a run asks; the package's Overlap
	// when 0. It is the list's setting, not kept in the cursor.
	Overlap time.Duration `json:"-"`
}

// Parse reads a flow's cursor; "" is the first run. A cursor that is not
// one of these is refused, naming the connector that should have
// written it.
func Parse(cursor, connector string) (State, error) {
	var st State
	if cursor == "" {
		return st, nil
	}
	if err := json.Unmarshal([]byte(cursor), &st); err != nil {
		return st, connectors.Permanent(fmt.Errorf("the flow's cursor %q was not written by the %s connector", cursor, connector))
	}
	return st, nil
}

// String is the cursor to keep.
func (st State) String() string {
	b, _ := json.Marshal(st)
	return string(b)
}

func (st State) overlap() time.Duration {
	if st.Overlap > 0 {
		return st.Overlap
	}
	return Overlap
}

// From is the time to ask for changes from: the last run's latest change
// less the overlap; false on the first run, which reads everything.
func (st State) From() (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, st.Since)
	if err != nil {
		return time.Time{}, false
	}
	return t.Add(-st.overlap()), true
}

// Take notes a record read, changed at updated, and reports whether to
// pass it on: false for one the last run read within the overlap and
// unchanged since. A record without a time is always passed on; one
// without an id moves the latest change but is not remembered.
func (st *State) Take(id string, updated time.Time) bool {
	if updated.IsZero() {
		return true
	}
	latest := st.latest(updated)
	if id == "" {
		return true
	}
	if st.Near == nil {
		st.Near = map[string]int64{}
	}
	st.Near[id] = updated.UnixMilli()
	if len(st.Near) > MaxSeen {
		st.Near = st.within(st.Near, latest)
		if len(st.Near) > MaxSeen {
			st.Near = nil // too many to remember: they are read again
		}
	}
	return st.Seen[id] != updated.UnixMilli()
}

// Passed reports whether this run passed on the record already, changed
// at updated: a list asked again from the latest change of its last page
// (so that a record changed during the read cannot shift one the run has
// not read onto a page it has) finds the records of that time twice. It
// knows the records Take remembers, those within the overlap of the
// run's latest change.
func (st State) Passed(id string, updated time.Time) bool {
	at, ok := st.Near[id]
	return ok && id != "" && !updated.IsZero() && at == updated.UnixMilli()
}

// latest notes a change and returns the latest one of this run.
func (st *State) latest(updated time.Time) time.Time {
	latest, _ := time.Parse(time.RFC3339Nano, st.Max)
	if updated.After(latest) {
		latest = updated
		st.Max = updated.UTC().Format(time.RFC3339Nano)
	}
	return latest
}

// within are the records of seen changed within the overlap before
// latest.
func (st State) within(seen map[string]int64, latest time.Time) map[string]int64 {
	limit := latest.Add(-st.overlap()).UnixMilli()
	out := make(map[string]int64, len(seen))
	for id, at := range seen {
		if at >= limit {
			out[id] = at
		}
	}
	return out
}

// Finished is the state a run that read to the end leaves for the next.
func (st State) Finished() State {
	if st.Max == "" {
		return State{Since: st.Since, Seen: st.Seen, Overlap: st.Overlap}
	}
	latest, _ := time.Parse(time.RFC3339Nano, st.Max)
	next := State{Since: st.Max, Seen: st.within(st.Near, latest), Overlap: st.Overlap}
	if len(next.Seen) == 0 {
		next.Seen = nil
	}
	return next
}
