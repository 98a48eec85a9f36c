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
