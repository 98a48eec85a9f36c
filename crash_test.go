package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors/httpjson/fake"
)

// longDescription makes a record's input large enough to wait apart from
// its transaction's row until the outcome (transaction_inputs), so that
// the kills also fall between storing an input apart and letting it go.
// The file targets' crash test keeps its records small, their inputs in
// their rows.
const longDescription = "A sturdy office chair with an adjustable seat, a mesh back that keeps you cool, " +
	"armrests that fold away, and five castors that roll on carpet and on hard floors alike. " +
	"Assembly takes ten minutes with the key in the box; the frame carries up to 130 kg."

// TestCrashLosesNothingAndDuplicatesNothing kills the appliance with
// SIGKILL at random moments of a 10,000-record run (once the target has
// created a random number more records, none included), restarts it, and
// checks that the target got every record exactly once.
func TestCrashLosesNothingAndDuplicatesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test runs the binary for a while")
	}
	const records = 10000
	shop := fake.New()
	for i := range records {
		shop.Seed("products", map[string]any{"id": fmt.Sprint(i), "sku": fmt.Sprintf("SKU-%05d", i), "name": "Chair",
			"description": longDescription})
	}
	srv := httptest.NewServer(shop)
	defer srv.Close()

	dir := t.TempDir()
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	a := serve(t, dir, nil)
	token := a.superuser(t)
	flow := setUpHTTPFlow(t, a, token, srv.URL)

	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	for crash := range 4 {
		a.runFlow(t, token, flow)
		created := shop.Created()
		next := created + rng.IntN((records-created)/4+1)
		waitFor(t, fmt.Sprintf("%d records created", next), func() bool { return shop.Created() >= next })
		t.Logf("crash %d: SIGKILL after %d records were created", crash+1, shop.Created())
		a.kill()
		a = serve(t, dir, nil)
		token = a.superuser(t)
	}
	a.runFlow(t, token, flow)
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) && (a.count(t, token, "status!='succeeded' && status!='skipped'") > 0 || shop.Created() < records) {
		time.Sleep(200 * time.Millisecond)
		if a.count(t, token, "status!='succeeded' && status!='skipped'") == 0 && shop.Created() < records {
			a.runFlow(t, token, flow) // the last run may have been cut off before reading everything
		}
	}
	if failed := a.count(t, token, "status='failed'"); failed > 0 {
		t.Fatalf("%d transactions failed", failed)
	}
	seen := map[string]int{}
	for _, item := range shop.Items() {
		seen[fmt.Sprint(item["sku"])]++
	}
	if shop.Created() != records || len(seen) != records {
		t.Fatalf("the target created %d records for %d SKUs, want %d each", shop.Created(), len(seen), records)
	}
	for sku, n := range seen {
		if n != 1 {
			t.Fatalf("%s was created %d times", sku, n)
		}
	}
}

func (a *appliance) kill() {
	_ = a.cmd.Process.Kill()
	_ = a.cmd.Wait()
}

func (a *appliance) superuser(t testing.TB) string {
	t.Helper()
	var auth struct {
		Token string `json:"token"`
	}
	status := a.call(t, http.MethodPost, "/api/collections/_superusers/auth-with-password", "",
		map[string]string{"identity": "root@example.com", "password": password}, &auth)
	if status != http.StatusOK {
		t.Fatalf("superuser login: %d", status)
	}
	return auth.Token
}

// create makes a record through the REST API and returns its id.
func (a *appliance) create(t testing.TB, token, collection string, fields map[string]any) string {
	t.Helper()
	var rec map[string]any
	if status := a.call(t, http.MethodPost, "/api/collections/"+collection+"/records", token, fields, &rec); status != http.StatusOK {
		t.Fatalf("creating %s: %d %v", collection, status, rec)
	}
	return rec["id"].(string)
}

func setUpHTTPFlow(t testing.TB, a *appliance, token, url string) string {
	t.Helper()
	shop := a.create(t, token, "connections", map[string]any{"name": "Shop", "connector": "http", "config": map[string]any{"base_url": url}})
	erp := a.create(t, token, "connections", map[string]any{"name": "ERP", "connector": "http", "config": map[string]any{"base_url": url}})
	integ := a.create(t, token, "integrations", map[string]any{"name": "Shop <-> ERP", "a": shop, "b": erp, "enabled": true})
	return a.create(t, token, "flows", map[string]any{"integration": integ, "name": "products", "entity": "product",
		"source": shop, "target": erp, "enabled": true, "schedule": ""})
}

func (a *appliance) runFlow(t testing.TB, token, flow string) {
	t.Helper()
	status := a.call(t, http.MethodPost, "/api/switchboard/flows/"+flow+"/run", token, nil, nil)
	if status != http.StatusAccepted && status != http.StatusConflict {
		t.Fatalf("run now: %d", status)
	}
}

func (a *appliance) count(t testing.TB, token, filter string) int {
	t.Helper()
	var list struct {
		TotalItems int `json:"totalItems"`
	}
	path := "/api/collections/transactions/records?perPage=1&filter=" + urlQuery(filter)
	if status := a.call(t, http.MethodGet, path, token, nil, &list); status != http.StatusOK {
		t.Fatalf("counting transactions: %d", status)
	}
	return list.TotalItems
}
