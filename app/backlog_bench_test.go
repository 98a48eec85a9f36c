package app

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// BenchmarkBacklogDrain drains a backlog of SB_BENCH_ROWS orders
// (100,000 unless set) waiting pending in the inbox, as a webhook burst
// larger than the workers take leaves them, through compare.sh's mapping
// into an HTTP sink like its own, with every outcome, payload and xref
// recorded. It reports the drain's rate, CPU, memory and the slowest read
// of Activity meanwhile.
func BenchmarkBacklogDrain(b *testing.B) {
	rows := benchRows(b)
	var posts atomic.Int64
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		posts.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer sink.Close()
	for range b.N {
		posts.Store(0)
		fe := newFlowEnvWith(b, EngineConfig{}, connectors.Order, backlogMapping)
		fe.pointTarget(b, fe.saveConnection(b, "Sink", "http", map[string]any{"base_url": sink.URL}, nil))
		setFlowEnabled(b, fe, false) // nothing is claimed while the backlog is stored
		seedBacklog(b, fe, rows)
		debug.FreeOSMemory()
		resetPeakRSS()
		peakHeap := watchHeap()
		start, cpuStart := time.Now(), cpuTime()
		setFlowEnabled(b, fe, true)
		fe.sb.engine.Wake()
		slowestRead := readActivityMeanwhile(b, fe, rows)
		for posts.Load() < int64(rows) {
			time.Sleep(20 * time.Millisecond)
		}
		for fe.statuses(b)[StatusSucceeded] < rows {
			time.Sleep(100 * time.Millisecond)
		}
		reportBatch(b, rows, time.Since(start), cpuTime()-cpuStart, peakHeap(), slowestRead())
	}
}

// backlogMapping is compare.sh's: four fields in, a price with 10% added
// out.
var backlogMapping = map[string]any{"mapping": map[string]any{
	"in": []map[string]any{
		{"target": "number", "expr": "order_id"}, {"target": "currency", "expr": "currency"},
		{"target": "totals.total", "expr": "price * qty"},
		{"target": "lines", "expr": `[{"sku": sku, "quantity": qty, "unit_price": price}]`},
	},
	"out": []map[string]any{
		{"target": "order_id", "expr": "number"}, {"target": "sku", "expr": "lines[0].sku"},
		{"target": "qty", "expr": "lines[0].quantity"}, {"target": "price", "expr": "round(lines[0].unit_price * 1.1, 2)"},
	},
}}

// setFlowEnabled switches the flow of fe on or off, as its page does.
func setFlowEnabled(b *testing.B, fe *flowEnv, on bool) {
	b.Helper()
	fe.flow.Set("enabled", on)
	if err := fe.app.Save(fe.flow); err != nil {
		b.Fatal(err)
	}
	fe.sb.engine.dropActive()
}

// seedBacklog stores n orders of about 600 bytes pending in the flow's
// inbox, as the webhook intake stores those it cannot hand over, a
// thousand to a commit.
func seedBacklog(b *testing.B, fe *flowEnv, n int) {
	b.Helper()
	e := fe.sb.engine
	rt, err := e.runtime(fe.flow.Id)
	if err != nil {
		b.Fatal(err)
	}
	for from := 0; from < n; from += filePageSize {
		records := make([]connectors.Record, 0, filePageSize)
		for i := from; i < min(n, from+filePageSize); i++ {
			records = append(records, connectors.Record{ID: fmt.Sprintf("ORD-%09d", i), Key: fmt.Sprintf("ORD-%09d", i), Data: backlogOrder(i)})
		}
		items, err := e.inboxItems(rt, "", records)
		if err != nil {
			b.Fatal(err)
		}
		err = fe.app.RunInTransaction(func(tx core.App) error {
			_, _, err := insertTransactions(e.stmts, tx, items, time.Now())
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// backlogOrder is the i-th order of the backlog, shaped like the webhook
// benchmark's (../shared/bench's body): about 600 bytes of JSON.
func backlogOrder(i int) map[string]any {
	id := fmt.Sprintf("ORD-%09d", i)
	return map[string]any{
		"id": id, "order_id": id, "created_at": "2026-11-27T03:30:00Z", "currency": "EUR", "source": "webshop",
		"sku": "SKU-ACME-48213-BLK-XL", "price": 24.95, "qty": 3, "tags": []any{"b2c", "promo-autumn", "priority"},
		"notes":    "Leave at the front desk if nobody answers. Fragile items inside; handle with care.",
		"billing":  map[string]any{"same_as_shipping": true, "vat_id": "DE000000000"},
		"customer": map[string]any{"email": "jane.example@example.invalid", "id": "CUST-000987654", "name": "Jane Q. Example", "phone": "+49-30-0000000", "tier": "gold"},
		"meta":     map[string]any{"attempt": 1, "channel": "api"},
		"shipping": map[string]any{"city": "Berlin", "country": "DE", "method": "express", "postcode": "10115", "street": "Examplestrasse 42"},
	}
}
