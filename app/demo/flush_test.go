package demo_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/app"
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
	res, err := demo.Install(s.app, s.app.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.sb.Engine().RunFlow(res.FlowID, app.TriggerManual); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the run to settle", func() bool {
		st := s.statuses(t, res.FlowID)
		return st[app.StatusSucceeded] == len(wantProducts) && st[app.StatusFailed] == 1
	})
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
