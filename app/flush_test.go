package app

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/memory"
)

// bufferedSpec is a target that keeps writes until Flush, like a file.
var bufferedSpec = connectors.Spec{
	Name: "buffered", Title: "Buffered", Category: connectors.CategoryFiles,
	Auth:   []connectors.AuthKind{connectors.AuthNone},
	Fields: []connectors.Field{{Name: "store", Title: "Store", Type: connectors.TypeString, Required: true, Help: "Store name."}},
	Writes: connectors.Entities(),
}

// bufferedTarget delivers writes to a memory store on Flush, and can be
// made to fail its next flushes.
type bufferedTarget struct {
	name string
	mu   sync.Mutex
	buf  []connectors.WriteRequest
}

var flushFailures = struct {
	sync.Mutex
	n int
}{}

func newBuffered(cfg connectors.Config, _ connectors.Env) (connectors.Connector, error) {
	return &bufferedTarget{name: cfg.String("store")}, nil
}

func (b *bufferedTarget) Test(context.Context) (connectors.TestResult, error) {
	return connectors.TestResult{OK: true, Message: "ok"}, nil
}
func (b *bufferedTarget) Close() error { return nil }

func (b *bufferedTarget) Write(_ context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, req)
	return connectors.WriteResult{TargetID: "file:" + req.Key}, nil
}

func (b *bufferedTarget) Flush(ctx context.Context) error {
	b.mu.Lock()
	buf := b.buf
	b.buf = nil
	b.mu.Unlock()
	flushFailures.Lock()
	fail := flushFailures.n > 0
	if fail {
		flushFailures.n--
	}
	flushFailures.Unlock()
	if fail {
		return connectors.Transient(errors.New("upload refused: disk full"))
	}
	for _, req := range buf {
		if _, err := b.conn().Write(ctx, req); err != nil {
			return err
		}
	}
	return nil
}

func TestBufferedTargetRecordsSuccessOnlyAfterFlush(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	// Point the flow at a buffered target writing into a fresh store.
	store := fmt.Sprintf("buffered-%d", storeSeq.Add(1))
	fe.retarget(t, bufferedSpec, newBuffered, store)
	flushFailures.Lock()
	flushFailures.n = 1
	flushFailures.Unlock()
	for i := range 10 {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%d", i), "Chair"))
	}
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 10})
	delivered := memory.Open(store)
	if delivered.Len() != 10 {
		t.Fatalf("%d records delivered, want 10 (each once)", delivered.Len())
	}
	tx, _ := fe.app.FindFirstRecordByData("transactions", "source_id", "p0")
	p, _ := fe.sb.engine.payloads.decode(tx.GetString("payloads"))
	if len(p.Attempts) < 2 || p.Attempts[0].Error == "" {
		t.Fatalf("attempts %+v; want the failed flush recorded, then a success", p.Attempts)
	}
}

func (b *bufferedTarget) conn() *memory.Conn {
	c, _ := memory.New(connectors.Config{Values: map[string]any{"store": b.name}}, connectors.Env{})
	return c.(*memory.Conn)
}

// TestBufferedTargetKeepsWhatItIsGiven: a buffering target keeps each
// WriteRequest as it was given, maps and all, until Flush; with a mapping
// in and out, every record it delivers is whole, nested objects included.
func TestBufferedTargetKeepsWhatItIsGiven(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, pricedProductMapping())
	store := fmt.Sprintf("buffered-%d", storeSeq.Add(1))
	fe.retarget(t, bufferedSpec, newBuffered, store)
	const n = 10
	for i := range n {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), map[string]any{
			"sku": fmt.Sprintf("SKU-%d", i), "name": fmt.Sprintf("chair %d", i), "price": fmt.Sprintf("%d.00", 10+i)})
	}
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: n})
	delivered := memory.Open(store).Log()
	if len(delivered) != n {
		t.Fatalf("%d records delivered, want %d", len(delivered), n)
	}
	seen := map[string]bool{}
	for _, w := range delivered {
		code, _ := w.Data["code"].(string)
		var i int
		if _, err := fmt.Sscanf(code, "SKU-%d", &i); err != nil || seen[code] {
			t.Fatalf("delivered %v: want a record with a code not seen before", w.Data)
		}
		seen[code] = true
		want := fmt.Sprintf("map[code:SKU-%d price:map[amount:%.4f currency:EUR] title:CHAIR %d]", i, float64(10+i)*1.21, i)
		if got := fmt.Sprint(w.Data); got != want {
			t.Fatalf("delivered %s, want %s", got, want)
		}
	}
}

// publishingSpec is a target that publishes what it prepared in a second
// step, like the files connector, and whose Publish waits for the test.
var publishingSpec = connectors.Spec{
	Name: "publishing", Title: "Publishing", Category: connectors.CategoryFiles,
	Auth:   []connectors.AuthKind{connectors.AuthNone},
	Fields: bufferedSpec.Fields,
	Writes: connectors.Entities(),
}

// publishGate holds a publishingTarget's Publish until released, and tells
// the test when a Publish began and what was written.
var publishGate struct {
	publishing chan struct{}
	release    chan struct{}
	written    chan string
}

// closePublishGate makes the gate anew, closed: every Publish waits until
// the test ends (before its engine stops).
func closePublishGate(t *testing.T) {
	publishGate.publishing = make(chan struct{}, 1)
	publishGate.release = make(chan struct{})
	publishGate.written = make(chan string, 16)
	t.Cleanup(func() { close(publishGate.release) })
}

// publishingTarget is a bufferedTarget that is a Publisher.
type publishingTarget struct{ bufferedTarget }

func newPublishing(cfg connectors.Config, _ connectors.Env) (connectors.Connector, error) {
	return &publishingTarget{bufferedTarget{name: cfg.String("store")}}, nil
}

func (p *publishingTarget) Write(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	res, err := p.bufferedTarget.Write(ctx, req)
	publishGate.written <- req.Key
	return res, err
}

func (p *publishingTarget) Prepare(context.Context) (connectors.Prepared, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return connectors.Prepared(fmt.Sprintf("%d writes", len(p.buf))), nil
}

func (p *publishingTarget) Publish(ctx context.Context, _ connectors.Prepared) error {
	select {
	case publishGate.publishing <- struct{}{}:
	default:
	}
	<-publishGate.release
	return p.Flush(ctx)
}

func (p *publishingTarget) Recover(context.Context, []connectors.Prepared) error { return nil }

// TestAPublisherIsWrittenWhileItPublishes: once a flush has prepared a
// Publisher's output, the workers write to it again while the flush
// records the outcomes and publishes: those writes go to its next Prepare.
// (A slow upload or rename held every write to the target before.)
func TestAPublisherIsWrittenWhileItPublishes(t *testing.T) {
	fe, first := publishingFirstRecord(t)
	writeSecondRecord(t, fe, first, "a write while the first flush publishes")
}

// publishingFirstRecord is a flow into a Publisher whose worker flushes
// each record it writes, with a first record written and its flush
// publishing until the test ends; it returns that record's key.
func publishingFirstRecord(t *testing.T) (*flowEnv, string) {
	t.Helper()
	cfg := fastEngine
	cfg.FlushRecords = 1 // the worker that wrote a record flushes
	fe := newFlowEnvWith(t, cfg, connectors.Product, nil)
	closePublishGate(t)
	fe.retarget(t, publishingSpec, newPublishing, fmt.Sprintf("publishing-%d", storeSeq.Add(1)))
	fe.source.Add(connectors.Product, "p0", product("SKU-0", "Chair"))
	fe.run(t)
	first := waitFor(t, "the first write", publishGate.written)
	waitFor(t, "the first flush to publish", publishGate.publishing)
	return fe, first
}

// writeSecondRecord runs the flow of publishingFirstRecord with a second
// record, and waits for its write.
func writeSecondRecord(t *testing.T, fe *flowEnv, first, what string) {
	t.Helper()
	fe.source.Add(connectors.Product, "p1", product("SKU-1", "Table"))
	fe.run(t)
	if second := waitFor(t, what, publishGate.written); second == first {
		t.Fatalf("%q written again; want the second record written", second)
	}
}

// TestAFlushWithNothingToStoreLetsTheWritesGoOn: a flush that finds no
// write to make final, asked while an earlier flush of the target records
// and publishes, waits for that one without holding the target's writes.
// (It held them until the earlier flush had published: every worker
// writing to the target waited for that flush's commit, which for a file
// of many rows is most of the time.)
func TestAFlushWithNothingToStoreLetsTheWritesGoOn(t *testing.T) {
	fe, first := publishingFirstRecord(t)
	e := fe.sb.engine
	rt, err := e.runtime(fe.flow.Id)
	if err != nil {
		t.Fatal(err)
	}
	go e.flush(rt) // holds nothing: waits for the first flush to publish
	waitParked(t, "the second flush to wait for the first", "TestAFlushWithNothingToStoreLetsTheWritesGoOn", "(*Engine).flushPages", "Mutex).Lock")
	writeSecondRecord(t, fe, first, "a write while the second flush waits")
}

// waitParked waits until a goroutine's stack holds each of frames (parts
// of its lines), as one blocked in a call does.
func waitParked(t *testing.T, what string, frames ...string) {
	t.Helper()
	eventually(t, what, func() bool {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		for _, g := range strings.Split(string(buf), "\n\n") {
			if !slices.ContainsFunc(frames, func(f string) bool { return !strings.Contains(g, f) }) {
				return true
			}
		}
		return false
	})
}

// waitFor waits for a value on ch, failing the test after a minute.
func waitFor[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(time.Minute):
		t.Fatalf("waited a minute for %s", what)
		panic("unreachable")
	}
}

// TestADispatcherGoesOnWhileAnIdleTargetFlushes: the flush the dispatcher
// asks for when no transaction is in flight runs beside it, so that a file
// target uploading and publishing slowly does not hold up the records of
// the other flows (it held them for the whole of its upload before).
func TestADispatcherGoesOnWhileAnIdleTargetFlushes(t *testing.T) {
	cfg := fastEngine
	cfg.FlushRecords, cfg.FlushAge = 10_000, time.Hour // flushed only when idle
	fe := newFlowEnvWith(t, cfg, connectors.Product, nil)
	closePublishGate(t)
	fe.register(t, publishingSpec, newPublishing)
	export := fe.saveConnection(t, "Export", publishingSpec.Name, map[string]any{"store": fmt.Sprintf("publishing-%d", storeSeq.Add(1))}, nil)
	integ := newRecord(t, fe.app, "integrations", map[string]any{
		"name": "Source -> Export", "a": fe.flow.GetString("source"), "b": export.Id, "enabled": true})
	exportFlow := newRecord(t, fe.app, "flows", map[string]any{"integration": integ.Id, "name": "export",
		"entity": string(connectors.Product), "source": fe.flow.GetString("source"), "target": export.Id,
		"enabled": true, "schedule": ""})

	fe.source.Add(connectors.Product, "p0", product("SKU-0", "Chair"))
	eventually(t, "the export to run", func() bool {
		_, err := fe.sb.engine.RunFlow(exportFlow.Id, TriggerManual)
		return err == nil
	})
	waitFor(t, "the export's idle flush to publish", publishGate.publishing)
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
}
