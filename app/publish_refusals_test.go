package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/memory"
)

// refusingPublisher is a bufferedTarget that is a Publisher refusing for
// good to put its files in place while refusing is set, as a folder it
// may not write does.
type refusingPublisher struct{ bufferedTarget }

var (
	refusing     atomic.Bool
	publishTries atomic.Int64
	refusingSpec = connectors.Spec{Name: "refusing", Title: "Refusing", Category: connectors.CategoryFiles,
		Auth: []connectors.AuthKind{connectors.AuthNone}, Fields: bufferedSpec.Fields, Writes: connectors.Entities()}
)

func newRefusing(cfg connectors.Config, _ connectors.Env) (connectors.Connector, error) {
	return &refusingPublisher{bufferedTarget{name: cfg.String("store")}}, nil
}

func (p *refusingPublisher) Prepare(context.Context) (connectors.Prepared, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return connectors.Prepared(fmt.Sprintf("%d writes", len(p.buf))), nil
}

func (p *refusingPublisher) Publish(ctx context.Context, _ connectors.Prepared) error {
	publishTries.Add(1)
	if refusing.Load() {
		return connectors.Permanent(errors.New("rename out/products.csv: permission denied"))
	}
	return p.Flush(ctx)
}

func (p *refusingPublisher) Recover(context.Context, []connectors.Prepared) error { return nil }

// TestATargetRefusingItsFilesForGoodIsShownAndMailed: a file target that
// refuses for good to put written files in place (a folder it may not
// write) was only logged, at every idle moment of the dispatcher, while
// its records showed written and nothing reached it. Its connection now
// shows failing with the cause, the integration is mailed once, the files
// are tried again once a probe interval, and once the target takes them
// the connection is ok again.
func TestATargetRefusingItsFilesForGoodIsShownAndMailed(t *testing.T) {
	cfg := fastEngine
	cfg.FlushRecords = 1
	cfg.ProbeEvery = time.Hour // no try again but the test's
	fe := newFlowEnvWith(t, cfg, connectors.Product, nil)
	store := fmt.Sprintf("refusing-%d", storeSeq.Add(1))
	fe.retarget(t, refusingSpec, newRefusing, store)
	refusing.Store(true)
	publishTries.Store(0)
	fe.source.Add(connectors.Product, "p0", product("SKU-0", "Chair"))
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
	target := fe.flow.GetString("target")
	connStatus := func() (string, string) {
		rec, err := fe.app.FindRecordById(connectionsCollection, target)
		if err != nil {
			t.Fatal(err)
		}
		return rec.GetString("status"), rec.GetString("status_message")
	}
	eventually(t, "the connection to show the refusal", func() bool {
		status, _ := connStatus()
		return status == ConnFailing
	})
	if _, msg := connStatus(); !strings.Contains(msg, "permission denied") {
		t.Errorf("status message %q; want the cause", msg)
	}
	eventually(t, "a mail about the refused files", func() bool { return fe.app.TestMailer.TotalSend() == 1 })
	if m := fe.app.TestMailer.LastMessage(); !strings.Contains(m.Subject, "refuses the written files") ||
		!strings.Contains(m.Text, "permission denied") {
		t.Errorf("mail %q: %q; want the refusal and its cause", m.Subject, m.Text)
	}

	tries := publishTries.Load()
	for range 5 {
		fe.sb.engine.flushIdleTargets()
	}
	if got := publishTries.Load(); got != tries {
		t.Errorf("%d tries more within the probe interval; want none", got-tries)
	}

	refusing.Store(false)
	fe.sb.engine.refusals.set(target, time.Now().Add(-2*time.Hour)) // a probe interval has passed
	eventually(t, "the files to be taken", func() bool {
		fe.sb.engine.flushIdleTargets()
		return memory.Open(store).Len() == 1
	})
	eventually(t, "the connection to be ok again", func() bool {
		status, _ := connStatus()
		return status == ConnOK
	})
	if n := fe.app.TestMailer.TotalSend(); n != 1 {
		t.Errorf("%d mails; want the one about the refusal", n)
	}
}
