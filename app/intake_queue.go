package app

import (
	"context"
	"sync/atomic"
	"time"
)

// intakeWait bounds how long the first delivery of a batch waits for
// company while webhook calls keep coming.
const intakeWait = 5 * time.Millisecond

// intakeQueue hands webhook deliveries to the intake committer, which
// commits many in one SQLite transaction (group commit).
//
// With one core the committer would take each delivery as soon as it is
// queued, before any other call had a turn, and pay for a commit per call.
// So while calls keep coming (a delivery queued within the wait of the
// last batch) or are under way (counted from their start until their
// delivery is queued or refused), the first delivery of a batch waits up
// to the wait for the others. A delivery after a quiet spell, with no call
// under way, is committed at once.
type intakeQueue struct {
	ch       chan *intakeRequest
	arriving atomic.Int64
	left     chan struct{} // a call stopped being counted
	wait     time.Duration
	last     time.Time // when the last batch was taken

	batches, deliveries atomic.Int64 // taken so far, for the benchmarks
}

func newIntakeQueue() *intakeQueue {
	return &intakeQueue{ch: make(chan *intakeRequest, intakeBatch), left: make(chan struct{}, 1), wait: intakeWait}
}

// arrive counts a call under way; the returned func, called once when its
// delivery is queued or the call ends without one, stops counting it.
func (q *intakeQueue) arrive() (done func()) {
	q.arriving.Add(1)
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			q.arriving.Add(-1)
			select {
			case q.left <- struct{}{}:
			default:
			}
		}
	}
}

// next returns the next batch: the first delivery to come, with those
// queued after it until the batch is full, or until no call is under way
// and, while calls keep coming, the first has waited the queue's wait. It
// returns nil when ctx ends first.
func (q *intakeQueue) next(ctx context.Context) []*intakeRequest {
	var first *intakeRequest
	select {
	case <-ctx.Done():
		return nil
	case first = <-q.ch:
	}
	now := time.Now()
	busy := now.Sub(q.last) < q.wait
	batch := q.collect(first, busy)
	q.last = time.Now()
	q.batches.Add(1)
	q.deliveries.Add(int64(len(batch)))
	return batch
}

// collect adds to first what is queued until the batch is full, or until
// no call is under way and (when busy) the wait has passed.
func (q *intakeQueue) collect(first *intakeRequest, busy bool) []*intakeRequest {
	batch := []*intakeRequest{first}
	timer := time.NewTimer(q.wait)
	defer timer.Stop()
	timeout := timer.C
	for len(batch) < intakeBatch {
		select {
		case req := <-q.ch:
			batch = append(batch, req)
			continue
		default:
		}
		if !busy && q.arriving.Load() <= 0 {
			return batch
		}
		select {
		case req := <-q.ch:
			batch = append(batch, req)
		case <-q.left: // look again: it may have been the last
		case <-timeout:
			return batch
		}
	}
	return batch
}
