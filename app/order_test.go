package app

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/memory"
)

// orderTarget is a memory store that notes the field order it was given.
type orderTarget struct {
	connectors.Connector
	w connectors.Writer
}

var (
	orderSpec = func() connectors.Spec {
		s := memory.Spec
		s.Name, s.Title, s.Webhooks, s.Reads = "ordertarget", "Order-noting store", false, nil
		return s
	}()
	seenOrderMu sync.Mutex
	seenOrder   []string
)

func newOrderTarget(cfg connectors.Config, env connectors.Env) (connectors.Connector, error) {
	conn, err := memory.New(cfg, env)
	if err != nil {
		return nil, err
	}
	return orderTarget{Connector: conn, w: conn.(connectors.Writer)}, nil
}

func (o orderTarget) Write(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	seenOrderMu.Lock()
	seenOrder = req.FieldOrder
	seenOrderMu.Unlock()
	return o.w.Write(ctx, req)
}

// TestWritersAreToldTheMappingsFieldOrder: the engine hands writers the
// order of the write mapping's fields, so that an XML file lists them as
// the mapping does.
func TestWritersAreToldTheMappingsFieldOrder(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, pricedProductMapping())
	fe.retarget(t, orderSpec, newOrderTarget, "order-noting")
	fe.source.Add(connectors.Product, "p1", map[string]any{"sku": "SKU-1", "name": "chair", "price": "10.00"})
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 1})
	seenOrderMu.Lock()
	defer seenOrderMu.Unlock()
	want := []string{"code", "title", "price", "price.amount", "price.currency"}
	if !slices.Equal(seenOrder, want) {
		t.Fatalf("the writer was told the order %v, want %v", seenOrder, want)
	}
}
