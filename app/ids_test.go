package app

import (
	"regexp"
	"testing"
	"time"
)

func TestNewIDIsAPocketBaseIDInTimeOrder(t *testing.T) {
	pattern := regexp.MustCompile(`^[a-z0-9]{15}$`)
	now := time.Now()
	first, second := idAt(now), idAt(now.Add(time.Millisecond))
	if !pattern.MatchString(first) || !pattern.MatchString(second) {
		t.Fatalf("ids %q, %q do not match %s", first, second, pattern)
	}
	if first[:9] >= second[:9] {
		t.Fatalf("ids %q, %q are not in time order", first, second)
	}
	seen := map[string]bool{}
	for range 10000 {
		id := newID()
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

// TestIDsOfOneInstantAreDistinctAndInOrder: a batch's rows are given ids
// of the same instant; they never meet, and they sort in the order they
// were made. With 6 random characters each, 200,000 of them met about
// nine times.
func TestIDsOfOneInstantAreDistinctAndInOrder(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	prev := ""
	for i := range 200_000 {
		id := idAt(at)
		if id <= prev {
			t.Fatalf("id %d %q does not sort after the one before, %q", i, id, prev)
		}
		prev = id
	}
}

// TestIDTimeSeparatesEarlierIDs: every id made before a time sorts before
// its idTime, every id made at it or after sorts after, as the pruning of
// deliveries by their ids needs (retention.go).
func TestIDTimeSeparatesEarlierIDs(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		made   time.Time
		before bool
	}{
		{at.Add(-72 * time.Hour), true},
		{at.Add(-time.Millisecond), true},
		{at, false},
		{at.Add(time.Millisecond), false},
		{at.Add(72 * time.Hour), false},
	} {
		for range 100 {
			if id := idAt(tc.made); (id < idTime(at)) != tc.before {
				t.Fatalf("an id made at %s (%s) sorts before %s: %v; want %v", tc.made, id, idTime(at), !tc.before, tc.before)
			}
		}
	}
}
