package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/httpjson/fake"
)

// pointTarget makes the flow write to a new connection.
func (fe *flowEnv) pointTarget(t testing.TB, conn *core.Record) {
	t.Helper()
	integ, _ := fe.app.FindRecordById("integrations", fe.flow.GetString("integration"))
	integ.Set("b", conn.Id)
	if err := fe.app.Save(integ); err != nil {
		t.Fatal(err)
	}
	fe.flow.Set("target", conn.Id)
	if err := fe.app.Save(fe.flow); err != nil {
		t.Fatal(err)
	}
}

// pointSource makes the flow read from a new connection.
func (fe *flowEnv) pointSource(t testing.TB, conn *core.Record) {
	t.Helper()
	integ, _ := fe.app.FindRecordById("integrations", fe.flow.GetString("integration"))
	integ.Set("a", conn.Id)
	if err := fe.app.Save(integ); err != nil {
		t.Fatal(err)
	}
	fe.flow.Set("source", conn.Id)
	if err := fe.app.Save(fe.flow); err != nil {
		t.Fatal(err)
	}
}

// countAll counts the transactions of an integration's flows by status.
func countAll(t testing.TB, app core.App, integration string) map[string]int {
	t.Helper()
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	err := app.DB().NewQuery(`SELECT t.status, COUNT(*) AS n FROM transactions t JOIN flows f ON f.id = t.flow
		WHERE f.integration = {:i} GROUP BY t.status`).Bind(dbx.Params{"i": integration}).All(&rows)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out
}

// assertNoOutage checks that a connection was never taken for down: it is
// not down now, and no outage (or recovery) mail went out.
func assertNoOutage(t testing.TB, fe *flowEnv, conn string) {
	t.Helper()
	rec, err := fe.app.FindRecordById(connectionsCollection, conn)
	if err != nil {
		t.Fatal(err)
	}
	if rec.GetString("status") == ConnDown || fe.sb.engine.health.isDown(conn) || rec.GetInt("failures") > 0 {
		t.Fatalf("the connection was counted as failing: status %q, %d failures", rec.GetString("status"), rec.GetInt("failures"))
	}
	if n := fe.app.TestMailer.TotalSend(); n != 0 {
		t.Fatalf("%d mails went out (first: %q), want none", n, fe.app.TestMailer.FirstMessage().Subject)
	}
}

func TestARateLimitIsAPauseNotAnOutage(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	shop := fake.New()
	shop.FailWrites(http.StatusTooManyRequests, 2*fastEngine.DownAfter) // each with Retry-After: 1
	srv := httptest.NewServer(shop)
	t.Cleanup(srv.Close)
	target := fe.saveConnection(t, "Shop", "http", map[string]any{"base_url": srv.URL}, nil)
	fe.pointTarget(t, target)
	for i := range 6 {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%d", i), "Chair"))
	}
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 6})
	assertNoOutage(t, fe, target.Id)
	if shop.Created() != 6 || fe.statuses(t)[StatusFailed] != 0 {
		t.Fatalf("the shop holds %d records and %d failed; want 6 and none", shop.Created(), fe.statuses(t)[StatusFailed])
	}
	var attempts int
	if err := fe.app.DB().NewQuery("SELECT SUM(attempts) FROM transactions WHERE flow = {:f}").
		Bind(dbx.Params{"f": fe.flow.Id}).Row(&attempts); err != nil || attempts <= 6 {
		t.Fatalf("%d attempts (%v): the shop's 429s were never answered", attempts, err)
	}
}

func TestARateLimitedReadWaitsAndGoesOn(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	erp := fake.New()
	for i := range 30 {
		erp.Seed("products", map[string]any{"id": fmt.Sprint(i), "sku": fmt.Sprintf("SKU-%d", i), "name": "Chair"})
	}
	erp.FailReads(http.StatusTooManyRequests, 2*fastEngine.DownAfter)
	srv := httptest.NewServer(erp)
	t.Cleanup(srv.Close)
	source := fe.saveConnection(t, "ERP", "http", map[string]any{"base_url": srv.URL}, nil)
	fe.pointSource(t, source)
	run := fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 30})
	assertNoOutage(t, fe, source.Id)
	eventually(t, "the run to finish", func() bool {
		rec, err := fe.app.FindRecordById("runs", run)
		return err == nil && !rec.GetDateTime("finished").IsZero()
	})
	if rec, _ := fe.app.FindRecordById("runs", run); rec.GetString("error") != "" || rec.GetInt("read") != 30 {
		t.Fatalf("the run read %d records with error %q; want 30 and none", rec.GetInt("read"), rec.GetString("error"))
	}
}

// TestAFlowStaysUnderTheAppsRateLimit moves 500 records through two flows
// into one app that takes 50 calls a second: the workers of both flows
// share the connection's pacing, which reads the app's rate-limit headers.
func TestAFlowStaysUnderTheAppsRateLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 10 seconds")
	}
	const records, limit = 500, 50
	fe := newFlowEnv(t, connectors.Product, nil)
	shop := fake.New()
	shop.LimitRate(limit)
	srv := httptest.NewServer(shop)
	t.Cleanup(srv.Close)
	target := fe.saveConnection(t, "Shop", "http", map[string]any{"base_url": srv.URL}, nil)
	fe.pointTarget(t, target)
	newRecord(t, fe.app, "flows", map[string]any{"integration": fe.flow.GetString("integration"), "name": "stock",
		"entity": "stock", "source": fe.flow.GetString("source"), "target": target.Id, "enabled": true, "schedule": ""})
	stock, _ := fe.app.FindFirstRecordByData("flows", "name", "stock")
	for i := range records / 2 {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), product(fmt.Sprintf("SKU-%d", i), "Chair"))
		fe.source.Add(connectors.Stock, fmt.Sprintf("s%d", i), map[string]any{"sku": fmt.Sprintf("SKU-%d", i), "quantity": i})
	}
	fe.run(t)
	if _, err := fe.sb.engine.RunFlow(stock.Id, TriggerManual); err != nil {
		t.Fatal(err)
	}
	integration := fe.flow.GetString("integration")
	deadline := time.Now().Add(3 * time.Minute)
	for countAll(t, fe.app, integration)[StatusSucceeded] < records && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := countAll(t, fe.app, integration)
	if got[StatusSucceeded] != records || got[StatusFailed] != 0 {
		t.Fatalf("transactions by status: %v; want %d succeeded and none failed", got, records)
	}
	assertNoOutage(t, fe, target.Id)
	if most := shop.MostInOneSecond(); most > limit || shop.RateLimited() > 0 {
		t.Fatalf("the app counted %d calls in one second and answered %d with 429; its limit is %d", most, shop.RateLimited(), limit)
	}
}

// TestARunWaitsForItsSourcesPause: a run that began while its source was
// paused after a 429 (a schedule's tick) called the app at once, was
// refused again, and extended the pause; it waits for the pause's end
// and calls then.
func TestARunWaitsForItsSourcesPause(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	erp := fake.New()
	for i := range 3 {
		erp.Seed("products", map[string]any{"id": fmt.Sprint(i), "sku": fmt.Sprintf("SKU-%d", i), "name": "Chair"})
	}
	until := time.Now().Add(500 * time.Millisecond)
	var refused atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if time.Now().Before(until) { // the app's limit holds until then
			refused.Add(1)
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		erp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	source := fe.saveConnection(t, "ERP", "http", map[string]any{"base_url": srv.URL}, nil)
	fe.pointSource(t, source)
	fe.sb.engine.pauses.pause(source.Id, until) // as a 429 of the last run left it
	run := fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 3})
	eventually(t, "the run to finish", func() bool {
		rec, err := fe.app.FindRecordById("runs", run)
		return err == nil && !rec.GetDateTime("finished").IsZero()
	})
	if n := refused.Load(); n != 0 {
		t.Fatalf("the run called the paused app %d times before the pause ended", n)
	}
}
