package page

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/since"
)

// state is a list's position, kept in the flow's cursor as JSON; a
// Cursor style that resumes and reads nothing incrementally keeps the
// app's token as it is. An incremental list keeps its changes with
// package since; Pos is the next page's position within the run: a page
// number, an offset, a cursor token or an address.
type state struct {
	since.State
	// Done says that the last run read to the end: the next starts over.
	Done bool `json:"done,omitempty"`
}

func rawCursor(o Options) bool { return o.Style == Cursor && o.Resume && !o.incremental() }

func parseState(cursor string, o Options) (state, error) {
	var st state
	switch {
	case cursor == "":
	case strings.HasPrefix(cursor, "{"):
		if err := json.Unmarshal([]byte(cursor), &st); err != nil {
			return state{}, connectors.Permanent(fmt.Errorf("the flow's cursor %q was not written by this list's paging", cursor))
		}
	default: // an app's token, kept as it is
		st.Pos = cursor
	}
	if st.Done {
		st = state{}
	}
	if st.Since == "" && st.Pos == "" && o.incremental() && !o.From.IsZero() {
		st.Since = o.From.UTC().Format(time.RFC3339Nano)
	}
	st.Overlap = o.Overlap
	return st, nil
}

// String is the cursor to keep.
func (st state) String(o Options) string {
	if rawCursor(o) {
		return st.Pos
	}
	data, _ := json.Marshal(st)
	return string(data)
}

// finished is the state a run leaves for the next, given the position
// after its last page.
func (st state) finished(o Options, next string) state {
	switch {
	case o.incremental():
		return state{State: st.Finished()}
	case o.Resume:
		if next == "" {
			next = st.Pos
		}
		return state{State: since.State{Pos: next}}
	}
	return state{Done: true}
}

// seen notes the latest change among a page's records. The records are
// not remembered: those read again in the overlap are skipped by the
// engine's delta hash.
func (st *state) seen(items []any, o Options) {
	if o.UpdatedPath == "" {
		return
	}
	for _, it := range items {
		t, ok := parseTime(rest.LookupString(it, o.UpdatedPath))
		if !ok && o.CreatedPath != "" {
			t, _ = parseTime(rest.LookupString(it, o.CreatedPath))
		}
		st.Take("", t)
	}
}

// timeLayouts are the ways apps write when a record changed.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04:05Z07:00"}

// unixMilliFrom is the least Unix time read as milliseconds rather than
// seconds: in seconds it would be the year 33658.
const unixMilliFrom = 1e12

// parseTime reads a time as apps write it, or a Unix time in seconds or
// milliseconds.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if secs, err := strconv.ParseInt(s, 10, 64); err == nil && secs >= unixMilliFrom {
		return time.UnixMilli(secs), true
	} else if err == nil && secs > 0 {
		return time.Unix(secs, 0), true
	}
	return time.Time{}, false
}
