package app

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestConnectionsReuseTheirConnectionsToAnApp writes records to an app
// from as many goroutines as the engine has workers: every write after
// the first of each goroutine must reuse a kept connection, as it would
// reuse a TLS session with a real app. Go's default transport keeps two
// idle connections per host and opened a new one for nearly every write.
func TestConnectionsReuseTheirConnectionsToAnApp(t *testing.T) {
	env := newTestEnv(t)
	workers, writes := env.sb.engine.cfg.Workers, 25
	var opened atomic.Int64
	together := newBarrier(workers)
	sink := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		together.wait() // every writer's call is under way at once
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"x1"}`)
	}))
	sink.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	sink.Start()
	defer sink.Close()
	rec := env.saveConnection(t, "Sink", "http", map[string]any{"base_url": sink.URL, "max_in_flight": workers}, nil)
	conn, err := env.sb.OpenConnection(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	writer := conn.(connectors.Writer)
	var wg sync.WaitGroup
	errs := make(chan error, workers*writes)
	for w := range workers {
		wg.Go(func() {
			for i := range writes {
				data := map[string]any{"number": fmt.Sprintf("%d-%d", w, i)}
				if _, err := writer.Write(context.Background(), connectors.WriteRequest{Entity: "order", Data: data}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := opened.Load(); got > int64(workers) {
		t.Errorf("%d writers opened %d connections for %d writes; want at most one each", workers, got, workers*writes)
	}
}

// barrier lets n callers through at a time, once all n have come.
type barrier struct {
	mu      sync.Mutex
	cond    *sync.Cond
	n, come int
	round   int
}

func newBarrier(n int) *barrier {
	b := &barrier{n: n}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *barrier) wait() {
	b.mu.Lock()
	defer b.mu.Unlock()
	round := b.round
	if b.come++; b.come == b.n {
		b.come, b.round = 0, b.round+1
		b.cond.Broadcast()
		return
	}
	for round == b.round {
		b.cond.Wait()
	}
}
