package app

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors/memory"
)

// servedMux builds the app's HTTP handler as serve does, starting the
// engine through the serve hooks.
func servedMux(tb testing.TB, env *testEnv) http.Handler {
	tb.Helper()
	router, err := apis.NewRouter(env.app)
	if err != nil {
		tb.Fatal(err)
	}
	var mux http.Handler
	ev := &core.ServeEvent{App: env.app, Router: router}
	err = env.app.OnServe().Trigger(ev, func(e *core.ServeEvent) error {
		m, err := e.Router.BuildMux()
		mux = m
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(env.sb.engine.Stop)
	return mux
}

// intakeOnly serves an app with a webhook flow whose target is held down
// (its probe fails too), so the workers leave the inbox alone and only the
// intake is measured. The flow's webhook rate is unlimited: the benchmark
// floods one flow on purpose.
func intakeOnly(b testing.TB) (*testEnv, http.Handler) {
	env := newTestEnv(b)
	cfg := fastEngine
	cfg.WebhookRate = maxWebhookRate
	env.sb.engine.cfg = cfg.withDefaults()
	seedWebhookFlow(true)(b, env)
	target, _ := env.app.FindFirstRecordByData(connectionsCollection, "name", "Store")
	env.sb.engine.health.down[target.Id] = true
	store := memory.Open("hook-target")
	store.SetOutage(errors.New("held down for the benchmark"))
	b.Cleanup(func() { store.SetOutage(nil) })
	return env, servedMux(b, env)
}

// BenchmarkWebhookHandler measures webhook calls through PocketBase's
// router and the intake, in process: verified, committed, answered. The
// target is held down, so the workers leave the inbox alone and only the
// intake is measured.
func BenchmarkWebhookHandler(b *testing.B) {
	env, mux := intakeOnly(b)
	url := hookURL(env)
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := []byte(fmt.Sprintf(`{"entity":"order","records":[{"id":"o%d","number":"%d","total":"19.95"}]}`, i, i))
			req := httptest.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			req.Header.Set(memory.SignatureHeader, hex.EncodeToString(memory.Sign("hook-secret", body)))
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "webhooks/s")
	reportBatches(b, env)
}

// BenchmarkWebhookHTTP is BenchmarkWebhookHandler over loopback TCP, with
// 32 callers sharing the cores with the server.
func BenchmarkWebhookHTTP(b *testing.B) {
	env, mux := intakeOnly(b)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	url := srv.URL + hookURL(env)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := []byte(fmt.Sprintf(`{"entity":"order","records":[{"id":"o%d","number":"%d","total":"19.95"}]}`, i, i))
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			req.Header.Set(memory.SignatureHeader, hex.EncodeToString(memory.Sign("hook-secret", body)))
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body) // read to the end, so the connection is reused
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "webhooks/s")
	reportBatches(b, env)
}

// reportBatches reports how many deliveries shared an intake commit.
func reportBatches(b *testing.B, env *testEnv) {
	q := env.sb.engine.intakes
	if n := q.batches.Load(); n > 0 {
		b.ReportMetric(float64(q.deliveries.Load())/float64(n), "deliveries/commit")
	}
}
