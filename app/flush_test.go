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
