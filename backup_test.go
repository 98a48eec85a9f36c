package main

import (
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors/httpjson/fake"
)

// TestBackupDuringAWebhookBurst: a backup taken while webhooks pour in
// restores to an appliance that holds every record acknowledged before the
// backup began; a restore over the running appliance is refused.
func TestBackupDuringAWebhookBurst(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	a := serve(t, dir, []string{"SWITCHBOARD_WEBHOOK_RATE=1000000000"})
	token := a.superuser(t)
	flow, secret := webhookFlow(t, a, token)
	url := a.base + "/hooks/" + flow

	var next, acked atomic.Int64
	ackedBefore := make(chan int64, 1)
	stop := make(chan struct{})
	var mu sync.Mutex
	acknowledged := map[int64]bool{}
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := next.Add(1)
				if postHook(client, url, secret, i) {
					mu.Lock()
					acknowledged[i] = true
					mu.Unlock()
					if acked.Add(1) == 200 {
						ackedBefore <- 200
					}
				}
			}
		}()
	}
	select { // the burst is on
	case <-ackedBefore:
	case <-time.After(2 * time.Minute):
		t.Fatalf("fewer than 200 webhook calls were acknowledged:\n%s", a.output.String())
	}
	mu.Lock()
	before := make([]int64, 0, len(acknowledged))
	for i := range acknowledged {
		before = append(before, i)
	}
	mu.Unlock()
	archive := filepath.Join(t.TempDir(), "backup.tar.gz")
	out := run(t, dir, nil, "backup", archive)
	close(stop)
	wg.Wait()
	if !strings.Contains(out, "Backed up") || !strings.Contains(out, "holds the key file") {
		t.Fatalf("backup printed %q", out)
	}

	cmd := exec.Command(binary, "restore", archive)
	cmd.Dir, cmd.Env = dir, cleanEnv()
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "an appliance is running on this data folder") {
		t.Fatalf("a restore over the running appliance: %v\n%s", err, out)
	}

	other := t.TempDir()
	out = run(t, other, nil, "restore", archive)
	if !strings.Contains(out, "Restored") {
		t.Fatalf("restore printed %q", out)
	}
	b := serve(t, other, nil)
	rootToken := b.superuser(t)
	for _, i := range before {
		if n := b.count(t, rootToken, "source_id = 'o"+strconv.FormatInt(i, 10)+"'"); n != 1 {
			t.Fatalf("record o%d, acknowledged before the backup, is in the restored appliance %d times", i, n)
		}
	}
	t.Logf("%d records acknowledged before the backup, %d in all", len(before), acked.Load())
}

// webhookFlow sets up an order flow that takes webhooks, from an http
// connection to a fake app, and returns its id and signing secret.
func webhookFlow(t *testing.T, a *appliance, token string) (flow, secret string) {
	t.Helper()
	srv := httptest.NewServer(fake.New())
	t.Cleanup(srv.Close)
	flow = setUpHTTPFlow(t, a, token, srv.URL)
	a.call(t, http.MethodPatch, "/api/collections/flows/records/"+flow, token, map[string]any{"webhook": true, "entity": "order"}, nil)
	var hook struct {
		Secret string `json:"secret"`
	}
	a.call(t, http.MethodGet, "/api/switchboard/flows/"+flow+"/webhook", token, nil, &hook)
	return flow, hook.Secret
}
