package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// get calls the served mux from remoteAddr with the given headers.
func get(t *testing.T, mux http.Handler, method, url, remoteAddr, body string, headers map[string]string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	req.RemoteAddr = remoteAddr
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	data, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(data)
}

const loopback = "127.0.0.1:50000"

// TestMetricsCountWhatTheEngineDoes: records read from a webhook, written
// to the target, webhook calls by answer, the inbox and the connections,
// in Prometheus' text format.
func TestMetricsCountWhatTheEngineDoes(t *testing.T) {
	env := newTestEnv(t)
	env.sb.engine.cfg = fastEngine.withDefaults()
	seedWebhookFlow(true)(t, env)
	mux := servedMux(t, env)
	flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
	src, _ := env.app.FindFirstRecordByData(connectionsCollection, "name", "ERP")
	dst, _ := env.app.FindFirstRecordByData(connectionsCollection, "name", "Store")

	// One order that maps, one that fails for want of a currency.
	const orders = `{"entity":"order","records":[{"id":"o1","number":"1001","currency":"EUR","status":"processing",` +
		`"totals":{"total":19.99}},{"id":"o2","number":"1002"}]}`
	if code, body := get(t, mux, http.MethodPost, "/hooks/"+flow.Id, loopback, orders, signed("hook-secret", orders, "d-1")); code != 200 {
		t.Fatalf("webhook = %d %s", code, body)
	}
	get(t, mux, http.MethodPost, "/hooks/"+flow.Id, loopback, hookBody, signed("wrong", hookBody, "d-2"))
	get(t, mux, http.MethodPost, "/hooks/no-such-flow", loopback, hookBody, nil)
	get(t, mux, http.MethodGet, "/hooks/no-such-flow-either", loopback, "", nil)
	get(t, mux, http.MethodPut, "/hooks/no-such-flow-to-put", loopback, hookBody, nil)
	get(t, mux, http.MethodPost, "/hooks/no-such-flow/nor-this", loopback, hookBody, nil)
	want := []string{
		`switchboard_records_read_total{flow="` + flow.Id + `",connection="` + src.Id + `"} 2`,
		`switchboard_records_written_total{flow="` + flow.Id + `",connection="` + dst.Id + `"} 1`,
		`switchboard_records_failed_total{flow="` + flow.Id + `",connection="` + dst.Id + `"} 1`,
		`switchboard_failed_records{flow="` + flow.Id + `"} 1`,
		`switchboard_webhook_requests_total{flow="` + flow.Id + `",code="200"} 1`,
		`switchboard_webhook_requests_total{flow="` + flow.Id + `",code="401"} 1`,
		`switchboard_webhook_requests_total{flow="",code="404"} `,
		`switchboard_webhook_duration_seconds_count{flow="` + flow.Id + `"} 2`,
		`switchboard_transaction_duration_seconds_count{flow="` + flow.Id + `"} 2`,
		`switchboard_connection_up{connection="` + dst.Id + `",name="Store",status="unknown"} 1`,
		`switchboard_flow_info{flow="` + flow.Id + `",name="orders",entity="order"} 1`,
		`switchboard_secret_key_ok 1`,
		"# TYPE switchboard_inbox_oldest_age_seconds gauge",
	}
	var body string
	eventually(t, "the written records in the metrics", func() bool {
		var code int
		code, body = get(t, mux, http.MethodGet, MetricsPath, loopback, "", nil)
		return code == 200 && strings.Contains(body, want[1]) && strings.Contains(body, want[2])
	})
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("the metrics lack %s", w)
		}
	}
	if strings.Contains(body, "no-such") || strings.Contains(body, "nor-this") {
		t.Error("an address no flow takes became a label value")
	}
}

func TestMetricsNeedTheTokenOrLoopback(t *testing.T) {
	for _, tc := range []struct {
		name, token, remote string
		headers             map[string]string
		status              int
	}{
		{name: "loopback without a token", remote: loopback, status: 200},
		{name: "IPv6 loopback", remote: "[::1]:5000", status: 200},
		{name: "another machine", remote: "192.0.2.7:5000", status: 403},
		{name: "forwarded by a proxy on this machine", remote: loopback,
			headers: map[string]string{"X-Forwarded-For": "192.0.2.7"}, status: 403},
		{name: "the token from anywhere", token: "s3cret-token", remote: "192.0.2.7:5000",
			headers: map[string]string{"Authorization": "Bearer s3cret-token"}, status: 200},
		{name: "a wrong token", token: "s3cret-token", remote: loopback,
			headers: map[string]string{"Authorization": "Bearer guess"}, status: 403},
		{name: "no token when one is set, even on loopback", token: "s3cret-token", remote: loopback, status: 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvMetricsToken, tc.token)
			env := newTestEnv(t)
			mux := servedMux(t, env)
			code, body := get(t, mux, http.MethodGet, MetricsPath, tc.remote, "", tc.headers)
			if code != tc.status {
				t.Fatalf("GET /metrics = %d, want %d: %s", code, tc.status, body)
			}
			if code == 200 && !strings.Contains(body, "# TYPE switchboard_records_read_total counter") {
				t.Fatalf("not the metrics: %s", body)
			}
		})
	}
}

// TestReadinessIncludesTheKeyCheck: ready while flows can run; 503 and
// the failed check named when the secret key does not fit.
func TestReadinessIncludesTheKeyCheck(t *testing.T) {
	env := newTestEnv(t)
	mux := servedMux(t, env)
	code, body := get(t, mux, http.MethodGet, APIPrefix+"/ready", "192.0.2.7:5000", "", nil)
	var r Readiness
	if err := json.Unmarshal([]byte(body), &r); err != nil || code != 200 || !r.Ready || r.Checks["secret_key"] != "ok" {
		t.Fatalf("ready = %d %s (%v)", code, body, err)
	}
	env.sb.mu.Lock()
	env.sb.keyErr = ErrNotReady
	env.sb.mu.Unlock()
	code, body = get(t, mux, http.MethodGet, APIPrefix+"/ready", "192.0.2.7:5000", "", nil)
	if err := json.Unmarshal([]byte(body), &r); err != nil || code != 503 || r.Ready || r.Checks["secret_key"] != "failed" ||
		r.Checks["database"] != "ok" || strings.Contains(body, ErrNotReady.Error()) {
		t.Fatalf("ready with a bad key = %d %s (%v)", code, body, err)
	}
	env.sb.engine.Stop()
	if code, body = get(t, mux, http.MethodGet, APIPrefix+"/ready", "192.0.2.7:5000", "", nil); code != 503 || !strings.Contains(body, `"engine":"failed"`) {
		t.Fatalf("ready with the engine stopped = %d %s", code, body)
	}
}

// TestConnectionUpIsZeroWhileItsFlowsCannotMove: a connection is reported
// up unless its flows are held by it: down, failing its last test, or
// waiting for a person to connect it again.
func TestConnectionUpIsZeroWhileItsFlowsCannotMove(t *testing.T) {
	env := newTestEnv(t)
	mux := servedMux(t, env)
	tests := []struct {
		status string
		up     string
	}{
		{ConnUnknown, "1"},
		{ConnOK, "1"},
		{ConnDown, "0"},
		{ConnFailing, "0"},
		{ConnReconnect, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			conn := env.saveConnection(t, "Shop "+tt.status, "memory", map[string]any{"store": "up-" + tt.status}, nil)
			env.sb.engine.saveConnectionHealth(conn.Id, tt.status, "", 0, tt.status == ConnDown)
			_, body := get(t, mux, http.MethodGet, MetricsPath, loopback, "", nil)
			want := `switchboard_connection_up{connection="` + conn.Id + `",name="Shop ` + tt.status + `",status="` + tt.status + `"} ` + tt.up
			if !strings.Contains(body, want) {
				t.Fatalf("the metrics lack %s", want)
			}
		})
	}
}
