package demo_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/app/demo"
)

// TestSucceededRecordsReachTheFileByShutdown: a file target's records are
// recorded as succeeded only once the file holding them is delivered, which
// happens as soon as the workers are idle, without waiting for a poll, and
// at the latest when the engine stops.
func TestSucceededRecordsReachTheFileByShutdown(t *testing.T) {
	slow := fastEngine
	slow.PollEvery = time.Hour // flushes happen only when a wake finds the queue empty
	s := newServerWith(t, slow)
	res, _ := runDemo(t, s)
	time.Sleep(200 * time.Millisecond)
	outbox := filepath.Join(res.Dir, demo.OutboxDir)
	before, _ := shopProducts(t, outbox)
	s.sb.Engine().Stop()
	after, _ := shopProducts(t, outbox)
	if len(after) != len(wantProducts) {
		t.Fatalf("%d records succeeded; %d were in the shop's files after the run settled, %d after Stop",
			len(wantProducts), len(before), len(after))
	}
}
