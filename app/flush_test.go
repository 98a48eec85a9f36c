package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

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
	p, _ := decodePayloads(tx.GetString("payloads"))
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
