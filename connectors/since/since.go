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
// end of a run keeps [State.Finished].
package since

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// Overlap is how far before the last run's latest change a run asks.
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

// From is the time to ask for changes from: the last run's latest change
// less the overlap; false on the first run, which reads everything.
func (st State) From() (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, st.Since)
	if err != nil {
		return time.Time{}, false
	}
	return t.Add(-Overlap), true
}

// Take notes a record read, changed at updated, and reports whether to
// pass it on: false for one the last run read within the overlap and
// unchanged since. A record without an id or a time is always passed on.
func (st *State) Take(id string, updated time.Time) bool {
	if id == "" || updated.IsZero() {
		return true
	}
	st.note(id, updated)
	return st.Seen[id] != updated.UnixMilli()
}

func (st *State) note(id string, updated time.Time) {
	latest, _ := time.Parse(time.RFC3339Nano, st.Max)
	if updated.After(latest) {
		latest = updated
		st.Max = updated.UTC().Format(time.RFC3339Nano)
	}
	if st.Near == nil {
		st.Near = map[string]int64{}
	}
	st.Near[id] = updated.UnixMilli()
	limit := latest.Add(-Overlap).UnixMilli()
	for k, at := range st.Near {
		if at < limit {
			delete(st.Near, k)
		}
	}
	if len(st.Near) > MaxSeen {
		st.Near = map[string]int64{} // too many to remember: they are read again
	}
}

// Finished is the state a run that read to the end leaves for the next.
func (st State) Finished() State {
	if st.Max == "" {
		return State{Since: st.Since, Seen: st.Seen}
	}
	return State{Since: st.Max, Seen: st.Near}
}
