package app

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// scriptedPublisher publishes output unless told to refuse it, and keeps
// the order in which it published.
type scriptedPublisher struct {
	mu        sync.Mutex
	refuse    map[connectors.Prepared]bool
	published []connectors.Prepared
}

func (p *scriptedPublisher) Prepare(context.Context) (connectors.Prepared, error) { return "", nil }

func (p *scriptedPublisher) Publish(_ context.Context, prepared connectors.Prepared) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.refuse[prepared] {
		return connectors.Transient(errors.New("rename refused"))
	}
	p.published = append(p.published, prepared)
	return nil
}

func (p *scriptedPublisher) Recover(context.Context, []connectors.Prepared) error { return nil }

func (p *scriptedPublisher) Flush(context.Context) error { return nil }

// TestOutputIsPublishedInTheOrderItWasCommitted: output whose publishing
// failed is published before any output committed after it, even when
// that newer output could be published first. (The newer one was; the
// older one, published at the next flush, then replaced a file of the
// same name, a stock list or a per-record file, with its older content.)
func TestOutputIsPublishedInTheOrderItWasCommitted(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	e := fe.sb.engine
	rt, err := e.runtime(fe.flow.Id)
	if err != nil {
		t.Fatal(err)
	}
	p := &scriptedPublisher{refuse: map[connectors.Prepared]bool{"older": true}}
	ctx := context.Background()
	e.publish(ctx, rt, p, pendingPublish{key: publishKeyPrefix + "older", prepared: "older"}) // the first flush
	e.republish(ctx, rt, p)                                                                   // the second flush
	e.publish(ctx, rt, p, pendingPublish{key: publishKeyPrefix + "newer", prepared: "newer"})
	if len(p.published) != 0 {
		t.Fatalf("published %v while older output waited; want nothing published before it", p.published)
	}
	p.mu.Lock()
	p.refuse = nil
	p.mu.Unlock()
	e.republish(ctx, rt, p) // the third flush
	if want := []connectors.Prepared{"older", "newer"}; !slices.Equal(p.published, want) {
		t.Fatalf("published %v; want %v", p.published, want)
	}
	if len(rt.unpublished) != 0 {
		t.Fatalf("%d outputs still wait after all were published", len(rt.unpublished))
	}
}
