package shopify

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// overlap is how far before the latest change seen the next run asks, so
// that a record changed while a run read is not missed.
const overlap = time.Minute

// maxSeen bounds the records the cursor remembers from the overlap.
const maxSeen = 500

// cursor is a flow's position in a list, kept as JSON: the run's lower
// bound, the latest change it saw, the page within the run, and the
// records changed in the last minute before the latest change, with when:
// the next run asks from a minute before (the overlap), and skips those
// it finds unchanged.
type cursor struct {
	Since string            `json:"since,omitempty"`
	Max   string            `json:"max,omitempty"`
	After string            `json:"after,omitempty"`
	Done  bool              `json:"done,omitempty"`
	Prev  map[string]string `json:"prev,omitempty"` // the last run's last minute
	Seen  map[string]string `json:"seen,omitempty"` // this run's last minute
}

func parseCursor(s string) (cursor, error) {
	var c cursor
	if s == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return c, connectors.Permanent(fmt.Errorf("the flow's cursor %q was not written by the shopify connector", s))
	}
	if c.Done {
		return cursor{}, nil
	}
	return c, nil
}

func (c cursor) String() string {
	data, _ := json.Marshal(c)
	return string(data)
}

// from is the lower bound of this run's query: the last run's latest
// change less the overlap; zero for a first run.
func (c cursor) from() time.Time {
	t, err := time.Parse(time.RFC3339Nano, c.Since)
	if err != nil {
		return time.Time{}
	}
	return t.Add(-overlap)
}

// note records a record read as changed at updated, and reports whether
// the last run read it already, unchanged (in the overlap).
func (c *cursor) note(id string, updated time.Time) bool {
	stamp := updated.UTC().Format(time.RFC3339Nano)
	if c.Prev[id] == stamp {
		return true
	}
	latest, _ := time.Parse(time.RFC3339Nano, c.Max)
	if updated.After(latest) {
		c.Max, latest = stamp, updated
	}
	if updated.Before(latest.Add(-overlap)) {
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
		if t, err := time.Parse(time.RFC3339Nano, stamp); err == nil && !t.Before(latest.Add(-overlap)) {
			out[id] = stamp
		}
	}
	return out
}

// finished is the cursor the next run starts from: the latest change
// seen, and the records of its last minute. A list read whole each time
// (not incremental) starts over.
func (c cursor) finished(incremental bool) cursor {
	if !incremental {
		return cursor{Done: true}
	}
	next := cursor{Since: c.Since}
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
