package since

import (
	"fmt"
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
