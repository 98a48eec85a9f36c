package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors/httpjson"
	"github.com/switchboard-app/switchboard/connectors/httpjson/fake"
)

// BenchmarkWebhookIntake measures signed webhook calls per second through
// the real binary over loopback HTTP: verified, committed to the inbox,
// answered 200, with 32 callers at once on the same two cores. The target
// is down (its writes and its health check fail), so the workers leave the
// inbox alone and the intake is measured. The flow's webhook rate limit is
// lifted: the benchmark floods one flow on purpose.
func BenchmarkWebhookIntake(b *testing.B) {
	t := b
	shop := fake.New()
	shop.FailWrites(http.StatusServiceUnavailable, -1)
	srv := httptest.NewServer(shop)
	defer srv.Close()
	dir := b.TempDir()
	run(b, dir, nil, "superuser", "upsert", "root@example.com", password)
	a := serve(b, dir, []string{"SWITCHBOARD_WEBHOOK_RATE=1000000000"})
	token := a.superuser(t)
	flow := setUpHTTPFlow(t, a, token, srv.URL)
	a.call(t, http.MethodPatch, "/api/collections/flows/records/"+flow, token, map[string]any{"webhook": true, "entity": "order"}, nil)
	var rec struct {
		Target string `json:"target"`
	}
	a.call(t, http.MethodGet, "/api/collections/flows/records/"+flow, token, nil, &rec)
	a.call(t, http.MethodPatch, "/api/collections/connections/records/"+rec.Target, token,
		map[string]any{"config": map[string]any{"base_url": srv.URL, "health_path": "no-such-path"}}, nil)
	var hook struct {
		URL    string `json:"url"`
		Secret string `json:"secret"`
	}
	a.call(t, http.MethodGet, "/api/switchboard/flows/"+flow+"/webhook", token, nil, &hook)
	url := a.base + "/hooks/" + flow

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				if !postHook(client, url, hook.Secret, i) {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "webhooks/s")
	if failed.Load() > 0 {
		b.Fatalf("%d webhook calls failed", failed.Load())
	}
}

func postHook(client *http.Client, url, secret string, i int64) bool {
	body := []byte(fmt.Sprintf(`{"entity":"order","records":[{"id":"o%d","number":"%d","email":"c%d@example.com","total":"19.95"}]}`, i, 100000+i, i))
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(httpjson.SignatureHeader, hex.EncodeToString(httpjson.Sign(secret, body)))
	res, err := client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, res.Body) // read to the end, so the connection is reused
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}
