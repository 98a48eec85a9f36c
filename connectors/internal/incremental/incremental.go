// Package incremental is the cursor of the app connectors' incremental
// reads: a run asks for the records changed since a minute before the
// latest change the last run saw (the Overlap), and skips those of that
// minute it finds unchanged; within a run the cursor holds the position of
// the next page, so that a run stopped after a committed page goes on from
// there.
package incremental

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// Overlap is how far before the latest change seen the next run asks, so
// that a record changed while a run read is not missed.
const Overlap = time.Minute

// maxSeen bounds the records the cursor remembers from the overlap.
const maxSeen = 500

// Cursor is a flow's position in a list, kept as JSON: the run's lower
// bound, the latest change it saw, the page within the run, and the
// records changed in the last minute before the latest change, with when:
// the next run asks from a minute before (the Overlap), and skips those
// it finds unchanged.
type Cursor struct {
	Since string            `json:"since,omitempty"`
	Max   string            `json:"max,omitempty"`
	After string            `json:"after,omitempty"`
	Done  bool              `json:"done,omitempty"`
	Prev  map[string]string `json:"prev,omitempty"` // the last run's last minute
	Seen  map[string]string `json:"seen,omitempty"` // this run's last minute
}

// Parse reads a flow's cursor; connector names who writes it, for the
// error.
func Parse(s, connector string) (Cursor, error) {
	var c Cursor
	if s == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return c, connectors.Permanent(fmt.Errorf("the flow's cursor %q was not written by the %s connector", s, connector))
	}
	if c.Done {
		return Cursor{}, nil
	}
	return c, nil
}

// String is the cursor to keep.
func (c Cursor) String() string {
	data, _ := json.Marshal(c)
	return string(data)
}

// From is the lower bound of this run's query: the last run's latest
// change less the overlap; zero for a first run.
func (c Cursor) From() time.Time {
	t, err := time.Parse(time.RFC3339Nano, c.Since)
	if err != nil {
		return time.Time{}
	}
	return t.Add(-Overlap)
}

// Note records a record read as changed at updated, and reports whether
// the last run read it already, unchanged (in the Overlap).
func (c *Cursor) Note(id string, updated time.Time) bool {
	stamp := updated.UTC().Format(time.RFC3339Nano)
	if c.Prev[id] == stamp {
		return true
	}
	latest, _ := time.Parse(time.RFC3339Nano, c.Max)
	if updated.After(latest) {
		c.Max, latest = stamp, updated
	}
	if updated.Before(latest.Add(-Overlap)) {
		return false
	}
	if c.Seen == nil {
		c.Seen = map[string]string{}
	}
	if len(c.Seen) >= maxSeen {
		c.Seen = within(c.Seen, latest)
	}
	if len(c.Seen) < maxSeen {
		c.Seen[id] = stamp
	}
	return false
}

// within keeps the records changed in the minute up to latest.
func within(seen map[string]string, latest time.Time) map[string]string {
	out := map[string]string{}
	for id, stamp := range seen {
		if t, err := time.Parse(time.RFC3339Nano, stamp); err == nil && !t.Before(latest.Add(-Overlap)) {
			out[id] = stamp
		}
	}
	return out
}

// Finished is the cursor the next run starts from: the latest change
// seen, and the records of its last minute. A list read whole each time
// (not incremental) starts over.
func (c Cursor) Finished(incremental bool) Cursor {
	if !incremental {
		return Cursor{Done: true}
	}
	next := Cursor{Since: c.Since}
	if c.Max != "" {
		next.Since = c.Max
	}
	latest, _ := time.Parse(time.RFC3339Nano, next.Since)
	next.Prev = within(c.Seen, latest)
	for id, stamp := range within(c.Prev, latest) {
		next.Prev[id] = stamp
	}
	if len(next.Prev) == 0 {
		next.Prev = nil
	}
	return next
}
