package app

import (
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// BenchmarkEngineEndToEnd measures transactions per second from a source
// through map in, rules, map out and a write to an in-memory target, with
// every outcome, payload, xref, run count and usage recorded in SQLite.
func BenchmarkEngineEndToEnd(b *testing.B) { benchEngine(b, nil) }

// BenchmarkEngineEndToEndMapped is BenchmarkEngineEndToEnd with a mapping
// in and out (nested objects, a decimal computed and written as a number).
func BenchmarkEngineEndToEndMapped(b *testing.B) {
	benchEngine(b, map[string]any{"mapping": map[string]any{
		"in": []map[string]any{
			{"target": "sku", "expr": "sku"}, {"target": "name", "expr": "name"}, {"target": "description", "expr": "description"},
			{"target": "prices.list", "expr": "prices.list"}, {"target": "prices.currency", "expr": "prices.currency"},
			{"target": "stock_quantity", "expr": "stock_quantity"},
		},
		"out": []map[string]any{
			{"target": "code", "expr": "sku"}, {"target": "title", "expr": "name"}, {"target": "body", "expr": "description"},
			{"target": "price.amount", "expr": "num(prices.list * 1.21)"}, {"target": "price.currency", "expr": "prices.currency"},
			{"target": "stock", "expr": "num(stock_quantity)"},
		},
	}})
}

func benchEngine(b *testing.B, flowFields map[string]any) {
	fe := newFlowEnv(b, connectors.Product, flowFields)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), map[string]any{
			"sku": fmt.Sprintf("SKU-%07d", i), "name": "Garden chair", "description": "Teak, foldable",
			"prices": map[string]any{"list": "129.95", "currency": "EUR"}, "stock_quantity": "12",
		})
	}
	if _, err := fe.sb.engine.RunFlow(fe.flow.Id, TriggerManual); err != nil {
		b.Fatal(err)
	}
	for fe.target.Writes() < b.N {
		time.Sleep(5 * time.Millisecond)
	}
	for fe.statuses(b)[StatusSucceeded] < b.N {
		time.Sleep(5 * time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tx/s")
}
