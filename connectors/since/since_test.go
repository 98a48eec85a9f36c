package since

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// run reads the records (id -> change) as a connector does and returns
// the ids passed on and the state to keep.
func run(st State, records map[string]time.Time) ([]string, State) {
	var passed []string
	from, incremental := st.From()
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		at, ok := records[id]
		if !ok || (incremental && at.Before(from)) {
			continue
		}
		if st.Take(id, at) {
			passed = append(passed, id)
		}
	}
	return passed, st.Finished()
}

func TestTheOverlapIsReadOnce(t *testing.T) {
	now := time.Now()
	records := map[string]time.Time{"a": now.Add(-time.Hour), "b": now.Add(-30 * time.Second), "c": now.Add(-10 * time.Second)}
	passed, st := run(State{}, records)
	if fmt.Sprint(passed) != "[a b c]" {
		t.Fatalf("first run passed %v", passed)
	}
	if passed, _ := run(st, records); len(passed) != 0 {
		t.Fatalf("a run with nothing changed passed %v", passed)
	}
	records["d"] = now.Add(-20 * time.Second) // committed late, within the overlap
	records["b"] = now                        // changed
	records["e"] = now.Add(-2 * time.Hour)    // committed very late: before the overlap, missed
	passed, st = run(st, records)
	if fmt.Sprint(passed) != "[b d]" {
		t.Fatalf("second run passed %v, want the changed and the late record", passed)
	}
	if passed, _ := run(st, records); len(passed) != 0 {
		t.Fatalf("a third run passed %v", passed)
	}
}

func TestCursors(t *testing.T) {
	st, err := Parse("", "acme")
	if err != nil || st.Since != "" {
		t.Fatalf("Parse(\"\") = %+v, %v", st, err)
	}
	st.Take("a", time.Unix(1_800_000_000, 0))
	again, err := Parse(st.Finished().String(), "acme")
	if from, ok := again.From(); err != nil || !ok || !from.Equal(time.Unix(1_800_000_000, 0).Add(-Overlap)) {
		t.Fatalf("the kept cursor asks from %s, %v, %v", from, ok, err)
	}
	_, err = Parse("page=3", "acme")
	if class, _ := connectors.Classify(err); class != connectors.ClassPermanent || !strings.Contains(err.Error(), "not written by the acme connector") {
		t.Fatalf("a cursor of another connector: %v", err)
	}
}

// TestTheOverlapIsTheLists: a state with an overlap of its own asks from
// that far before the latest change, and remembers that far back.
func TestTheOverlapIsTheLists(t *testing.T) {
	latest := time.Date(2026, 5, 1, 8, 9, 0, 0, time.UTC)
	tests := []struct {
		overlap time.Duration
		from    time.Time
		seen    string
	}{
		{0, latest.Add(-time.Minute), "[b]"},
		{5 * time.Minute, latest.Add(-5 * time.Minute), "[a b]"},
	}
	for _, tt := range tests {
		st := State{Overlap: tt.overlap}
		st.Take("a", latest.Add(-3*time.Minute))
		st.Take("b", latest)
		next := st.Finished()
		var seen []string
		for id := range next.Seen {
			seen = append(seen, id)
		}
		slices.Sort(seen)
		if from, ok := next.From(); !ok || !from.Equal(tt.from) || fmt.Sprint(seen) != tt.seen {
			t.Errorf("overlap %s: asks from %s, %v; remembers %v; want %s and %s", tt.overlap, from, ok, seen, tt.from, tt.seen)
		}
	}
}

// TestRecordsWithoutAnIDMoveTheLatestChange: a list whose records have
// no id known to the reader still asks from its latest change.
func TestRecordsWithoutAnIDMoveTheLatestChange(t *testing.T) {
	at := time.Date(2026, 5, 1, 8, 9, 0, 0, time.UTC)
	var st State
	if !st.Take("", at) || !st.Take("", at) || !st.Take("x", time.Time{}) {
		t.Fatal("a record without an id or a time was not passed on")
	}
	next := st.Finished()
	if next.Since != "2026-05-01T08:09:00Z" || next.Seen != nil {
		t.Fatalf("the next run starts from %+v", next)
	}
}

// TestTooManyInTheOverlapAreReadAgain: past MaxSeen records within the
// overlap the cursor stops remembering them rather than grow.
func TestTooManyInTheOverlapAreReadAgain(t *testing.T) {
	at := time.Date(2026, 5, 1, 8, 9, 0, 0, time.UTC)
	var st State
	for i := range MaxSeen + 10 {
		st.Take(fmt.Sprint(i), at)
	}
	if next := st.Finished(); len(next.Seen) > MaxSeen || next.Since != "2026-05-01T08:09:00Z" {
		t.Fatalf("the cursor remembers %d records from %s", len(next.Seen), next.Since)
	}
}

// TestPassedKnowsTheRecordsOfThisRun: a record taken by this run is
// passed, at the time it was taken; changed since, or never taken, it is
// not.
func TestPassedKnowsTheRecordsOfThisRun(t *testing.T) {
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	var st State
	st.Take("a", at)
	st.Take("", at)
	tests := []struct {
		name string
		id   string
		at   time.Time
		want bool
	}{
		{"taken at that time", "a", at, true},
		{"changed since", "a", at.Add(time.Second), false},
		{"never taken", "b", at, false},
		{"without an id", "", at, false},
		{"without a time", "a", time.Time{}, false},
	}
	for _, tt := range tests {
		if got := st.Passed(tt.id, tt.at); got != tt.want {
			t.Errorf("%s: Passed(%q, %v) = %v; want %v", tt.name, tt.id, tt.at, got, tt.want)
		}
	}
}

func TestPositionRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		text string
		want Position
		back string
	}{
		{"", Position{Page: 1}, "1"},
		{"7", Position{Page: 7}, "7"},
		{"2025-03-01T10:04:59|3", Position{After: "2025-03-01T10:04:59", Page: 3}, "2025-03-01T10:04:59|3"},
		{"2025-03-01T10:04:59|x", Position{After: "2025-03-01T10:04:59", Page: 1}, "2025-03-01T10:04:59|1"},
		{"-2", Position{Page: 1}, "1"},
	} {
		got := ParsePosition(tc.text)
		if got != tc.want || got.String() != tc.back {
			t.Errorf("ParsePosition(%q) = %+v (%q), want %+v (%q)", tc.text, got, got.String(), tc.want, tc.back)
		}
		if next := got.NextPage(); next.After != got.After || next.Page != got.Page+1 {
			t.Errorf("%+v.NextPage() = %+v", got, next)
		}
	}
}
