package app

import (
	"context"
	"testing"
	"time"
)

// TestIntakeQueueWaitsForCallsUnderWay: deliveries of calls that were under
// way when the first was queued share its batch, so that many calls share
// one commit; a call alone is committed at once.
func TestIntakeQueueWaitsForCallsUnderWay(t *testing.T) {
	tests := []struct {
		name  string
		calls int
	}{
		{"one call", 1},
		{"two calls", 2},
		{"many calls", 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newIntakeQueue()
			q.wait = time.Hour // the batch must end because every call was queued, not by the wait
			done := make([]func(), tt.calls)
			for i := range done {
				done[i] = q.arrive()
			}
			q.ch <- &intakeRequest{delivery: "0"}
			done[0]()
			for i := 1; i < tt.calls; i++ {
				go func() {
					q.ch <- &intakeRequest{delivery: "later"}
					done[i]()
				}()
			}
			batch := q.next(context.Background())
			if len(batch) != tt.calls {
				t.Fatalf("the batch holds %d deliveries, want all %d", len(batch), tt.calls)
			}
		})
	}
}

// TestIntakeQueueCallEndingWithoutDelivery: a call refused before its
// delivery is queued (a bad signature) stops being waited for.
func TestIntakeQueueCallEndingWithoutDelivery(t *testing.T) {
	q := newIntakeQueue()
	q.wait = time.Hour
	refused := q.arrive()
	first := q.arrive()
	q.ch <- &intakeRequest{delivery: "0"}
	first()
	first() // a second call changes nothing
	go refused()
	if batch := q.next(context.Background()); len(batch) != 1 {
		t.Fatalf("the batch holds %d deliveries, want 1", len(batch))
	}
	if n := q.arriving.Load(); n != 0 {
		t.Fatalf("%d calls still counted", n)
	}
}

// TestIntakeQueueBatchIsBounded: a batch never holds more than intakeBatch
// deliveries, however many calls are under way.
func TestIntakeQueueBatchIsBounded(t *testing.T) {
	q := newIntakeQueue()
	q.wait = time.Hour
	_ = q.arrive() // a call still under way
	go func() {
		for range intakeBatch + 5 {
			q.ch <- &intakeRequest{}
		}
	}()
	if batch := q.next(context.Background()); len(batch) != intakeBatch {
		t.Fatalf("the batch holds %d deliveries, want %d", len(batch), intakeBatch)
	}
}

// TestIntakeQueueStops: next returns nil once its context ends.
func TestIntakeQueueStops(t *testing.T) {
	q := newIntakeQueue()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if batch := q.next(ctx); batch != nil {
		t.Fatalf("got a batch of %d from a stopped queue", len(batch))
	}
}
