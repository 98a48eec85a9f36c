package app

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
)

// leaseKeeper knows the transactions this process holds, from their claim
// until their outcome is recorded (in flight, or written to a buffering
// target and waiting for its flush), and when each lease ends. The lease
// loop extends the leases that would end soon, so that no other claim takes
// a transaction this process still holds, however long a flush or a write
// waits.
type leaseKeeper struct {
	mu   sync.Mutex
	ends map[string]time.Time // transaction id -> the end of its lease

	// recording is held by a claim until what it took is held, and by the
	// recording of outcomes until their transactions are dropped, so that
	// neither falls between the other's two steps: a claim that reads a
	// transaction after its outcome was committed (a retry that came due)
	// must find it no longer held, or it would strand it as running until
	// its lease ran out; and a claim that read it before must not find it
	// dropped, or it would process it a second time.
	recording sync.Mutex
}

func newLeaseKeeper() *leaseKeeper { return &leaseKeeper{ends: map[string]time.Time{}} }

// holdNew notes claimed transactions and the end of their lease, and
// returns those this process did not hold already. A transaction it still
// holds (written to a buffering target and waiting for its flush, or in
// flight) is claimed again when its lease ran out in the database before
// the lease loop extended it, on a machine too busy to run the loop in
// time: it must not be processed a second time while the first is alive.
func (k *leaseKeeper) holdNew(until time.Time, claims []claimed) []claimed {
	k.mu.Lock()
	defer k.mu.Unlock()
	fresh := make([]claimed, 0, len(claims))
	for _, c := range claims {
		_, held := k.ends[c.ID]
		k.ends[c.ID] = until
		if !held {
			fresh = append(fresh, c)
		}
	}
	return fresh
}

// claim runs a claim that leases transactions until the given time, and
// returns those it took that this process did not hold already (see
// holdNew), now held.
func (k *leaseKeeper) claim(until time.Time, claim func() ([]claimed, error)) ([]claimed, error) {
	k.recording.Lock()
	defer k.recording.Unlock()
	got, err := claim()
	if err != nil {
		return nil, err
	}
	return k.holdNew(until, got), nil
}

// record runs commit, which records the outcomes of batch, then forgets
// their transactions, with no claim in between.
func (k *leaseKeeper) record(batch []outcome, commit func()) {
	k.recording.Lock()
	defer k.recording.Unlock()
	commit()
	k.drop(batch)
}

// drop forgets transactions whose outcome was recorded (or lost: a lost
// outcome's transaction is taken up again when its lease ends).
func (k *leaseKeeper) drop(batch []outcome) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, o := range batch {
		delete(k.ends, o.tx.ID)
	}
}

// due returns the transactions whose lease ends before t.
func (k *leaseKeeper) due(t time.Time) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var ids []string
	for id, end := range k.ends {
		if end.Before(t) {
			ids = append(ids, id)
		}
	}
	return ids
}

// extended notes new lease ends for transactions still held.
func (k *leaseKeeper) extended(ids []string, until time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, id := range ids {
		if _, ok := k.ends[id]; ok {
			k.ends[id] = until
		}
	}
}

// leaseLoop extends, every quarter of a lease, the leases of the
// transactions this process holds that would end within half a lease.
func (e *Engine) leaseLoop() {
	every := max(e.cfg.Lease/4, 10*time.Millisecond)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-tick.C:
		}
		if err := e.extendLeases(time.Now()); err != nil {
			e.logger().Error("extending leases", slog.String("error", err.Error()))
		}
	}
}

// leaseChunk bounds the transactions one UPDATE extends.
const leaseChunk = 500

// extendLeases extends the leases that end within half a lease of now.
func (e *Engine) extendLeases(now time.Time) error {
	ids := e.leases.due(now.Add(e.cfg.Lease / 2))
	until := now.Add(e.cfg.Lease)
	for start := 0; start < len(ids); start += leaseChunk {
		chunk := ids[start:min(start+leaseChunk, len(ids))]
		params := dbx.Params{"until": sqlTime(until)}
		names := make([]string, len(chunk))
		for i, id := range chunk {
			names[i] = fmt.Sprintf("{:t%d}", i)
			params[fmt.Sprintf("t%d", i)] = id
		}
		_, err := e.app().DB().NewQuery(`UPDATE transactions SET next_attempt = {:until}
			WHERE status = 'running' AND id IN (` + strings.Join(names, ", ") + `)`).Bind(params).Execute()
		if err != nil {
			return fmt.Errorf("extending %d leases: %w", len(chunk), err)
		}
		e.leases.extended(chunk, until)
	}
	return nil
}
