package app

import (
	"testing"
	"time"
)

// TestRunNowWhileARunStartsNamesThatRun: a second run asked for while the
// first is starting (its run not stored yet) is answered with the first
// run's id once it has one, not with an empty id; and when the first does
// not start after all, the second starts.
func TestRunNowWhileARunStartsNamesThatRun(t *testing.T) {
	cases := []struct {
		name    string
		first   func(l *runLocks) // how the first run's start ends
		wantRun string
		wantOK  bool
	}{
		{"the first run starts", func(l *runLocks) { l.set("f", "r1") }, "r1", false},
		{"the first run does not start", func(l *runLocks) { l.release("f") }, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newRunLocks()
			if _, ok := l.acquire("f"); !ok {
				t.Fatal("the first run was refused")
			}
			type answer struct {
				run string
				ok  bool
			}
			second := make(chan answer, 1)
			go func() {
				run, ok := l.acquire("f")
				second <- answer{run, ok}
			}()
			time.Sleep(20 * time.Millisecond) // the second asks while the first starts
			tc.first(l)
			select {
			case got := <-second:
				if got.run != tc.wantRun || got.ok != tc.wantOK {
					t.Fatalf("the second got (%q, %v), want (%q, %v)", got.run, got.ok, tc.wantRun, tc.wantOK)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the second run waits for ever")
			}
		})
	}
}
