package app

// The security tests of webhook intake and sign-in: replays, signed
// timestamps, the replay window, content types, entities and rate limits.

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/app/seenkeys"
	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/httpjson"
)

// servedApp is a test app served through PocketBase's router, with its
// middlewares, and the engine started.
type servedApp struct {
	env *testEnv
	mux http.Handler
}

func newServedApp(t testing.TB, cfg EngineConfig, seed func(testing.TB, *testEnv)) *servedApp {
	t.Helper()
	env := newTestEnv(t)
	env.sb.engine.cfg = cfg.withDefaults()
	seed(t, env)
	return &servedApp{env: env, mux: servedMux(t, env)}
}

func (s *servedApp) post(url, body string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, url, strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	s.mux.ServeHTTP(rec, req)
	return rec
}

// hookURLOf is the webhook address of the named flow.
func (s *servedApp) hookURLOf(t testing.TB, flow string) string {
	t.Helper()
	rec, err := s.env.app.FindFirstRecordByData(flowsCollection, "name", flow)
	if err != nil {
		t.Fatal(err)
	}
	return "/hooks/" + rec.Id
}

// seedHTTPHookFlow adds an order flow "orders" that takes webhooks from an
// http connection signing them in the given scheme.
func seedHTTPHookFlow(scheme string) func(testing.TB, *testEnv) {
	return func(t testing.TB, env *testEnv) {
		src := env.saveConnection(t, "App", "http", map[string]any{"base_url": "http://127.0.0.1:1", "webhook_signature": scheme}, nil)
		dst := env.saveConnection(t, "Store", "memory", map[string]any{"store": "hook-target"}, nil)
		integ := newRecord(t, env.app, "integrations", map[string]any{"name": "App <-> Store", "a": src.Id, "b": dst.Id, "enabled": true})
		newRecord(t, env.app, flowsCollection, map[string]any{"integration": integ.Id, "name": "orders", "entity": "order",
			"source": src.Id, "target": dst.Id, "enabled": true, "webhook": true, "schedule": "", "webhook_secret": "hook-secret"})
	}
}

// plainHeader signs body with the hex HMAC-SHA256 of the body.
func plainHeader(body, delivery string) http.Header {
	h := http.Header{}
	h.Set(httpjson.SignatureHeader, hex.EncodeToString(connectors.SignHMACSHA256("hook-secret", []byte(body))))
	if delivery != "" {
		h.Set(httpjson.DeliveryHeader, delivery)
	}
	return h
}

// stampedHeader signs body at the given time as t=...,v1=...
func stampedHeader(body string, at time.Time, delivery string) http.Header {
	h := http.Header{}
	h.Set(httpjson.TimestampedSignatureHeader, connectors.SignTimestamped("hook-secret", at, []byte(body)))
	if delivery != "" {
		h.Set(httpjson.DeliveryHeader, delivery)
	}
	return h
}

// standardHeader signs body at the given time as Standard Webhooks do.
func standardHeader(body, id string, at time.Time) http.Header {
	h := http.Header{}
	h.Set(connectors.StandardIDHeader, id)
	h.Set(connectors.StandardTimestampHeader, strconv.FormatInt(at.Unix(), 10))
	h.Set(connectors.StandardSignatureHeader, connectors.SignStandardWebhook("hook-secret", id, at, []byte(body)))
	return h
}

func wantStatus(t testing.TB, what string, rec *httptest.ResponseRecorder, status int, contains ...string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("%s: status %d, want %d: %s", what, rec.Code, status, rec.Body)
	}
	for _, s := range contains {
		if !strings.Contains(rec.Body.String(), s) {
			t.Fatalf("%s: answer %s does not say %q", what, rec.Body, s)
		}
	}
}

func TestCapturedWebhookReplayedIsNotStoredAgain(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name, scheme     string
		first, replay    http.Header
		wantTransactions int
	}{
		{"plain HMAC, replayed with a new delivery id", httpjson.SchemeHMACSHA256,
			plainHeader(hookBody, "d-1"), plainHeader(hookBody, "d-2"), 2},
		{"plain HMAC, replayed without a delivery id", httpjson.SchemeHMACSHA256,
			plainHeader(hookBody, "d-1"), plainHeader(hookBody, ""), 2},
		{"plain HMAC without a delivery id, replayed with one", httpjson.SchemeHMACSHA256,
			plainHeader(hookBody, ""), plainHeader(hookBody, "d-9"), 2},
		{"timestamped, replayed at once with a new delivery id", httpjson.SchemeTimestamped,
			stampedHeader(hookBody, now, "d-1"), stampedHeader(hookBody, now, "d-2"), 2},
		{"standard webhooks, replayed at once", httpjson.SchemeStandardWebhooks,
			standardHeader(hookBody, "msg_1", now), standardHeader(hookBody, "msg_1", now), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServedApp(t, fastEngine, seedHTTPHookFlow(tt.scheme))
			url := s.hookURLOf(t, "orders")
			wantStatus(t, "the first call", s.post(url, hookBody, tt.first), http.StatusOK, `"accepted":2`)
			wantStatus(t, "the replay", s.post(url, hookBody, tt.replay), http.StatusOK, `"duplicate":true`)
			if got := countTransactions(t, s.env); got != tt.wantTransactions {
				t.Fatalf("transactions = %d, want %d", got, tt.wantTransactions)
			}
		})
	}
}

// TestSameBodySignedLaterIsANewDelivery shows why the signed time is part
// of the content key: an app that sends the same body again, signed anew,
// is not taken for a replay.
func TestSameBodySignedLaterIsANewDelivery(t *testing.T) {
	s := newServedApp(t, fastEngine, seedHTTPHookFlow(httpjson.SchemeTimestamped))
	url := s.hookURLOf(t, "orders")
	now := time.Now()
	wantStatus(t, "the first call", s.post(url, hookBody, stampedHeader(hookBody, now.Add(-time.Minute), "")), http.StatusOK, `"accepted":2`)
	wantStatus(t, "the same body signed later", s.post(url, hookBody, stampedHeader(hookBody, now, "")), http.StatusOK, `"accepted":2`)
}

func TestStaleSignedWebhookIsRefused(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name, scheme string
		header       http.Header
		status       int
		reason       string
	}{
		{"timestamped, signed 6 minutes ago", httpjson.SchemeTimestamped,
			stampedHeader(hookBody, now.Add(-6*time.Minute), "d-1"), http.StatusUnauthorized, "signed 6m"},
		{"timestamped, signed 6 minutes ahead", httpjson.SchemeTimestamped,
			stampedHeader(hookBody, now.Add(6*time.Minute), "d-1"), http.StatusUnauthorized, "in the future"},
		{"timestamped, signed now", httpjson.SchemeTimestamped,
			stampedHeader(hookBody, now, "d-1"), http.StatusOK, `"accepted":2`},
		{"standard webhooks, signed 6 minutes ago", httpjson.SchemeStandardWebhooks,
			standardHeader(hookBody, "msg_1", now.Add(-6*time.Minute)), http.StatusUnauthorized, "signed 6m"},
		{"standard webhooks, signed now", httpjson.SchemeStandardWebhooks,
			standardHeader(hookBody, "msg_1", now), http.StatusOK, `"accepted":2`},
		{"a plain signature where a timestamp is required", httpjson.SchemeTimestamped,
			plainHeader(hookBody, "d-1"), http.StatusUnauthorized, "X-Signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServedApp(t, fastEngine, seedHTTPHookFlow(tt.scheme))
			wantStatus(t, "the call", s.post(s.hookURLOf(t, "orders"), hookBody, tt.header), tt.status, tt.reason)
			if tt.status != http.StatusOK && countTransactions(t, s.env) != 0 {
				t.Fatal("a refused call stored transactions")
			}
		})
	}
}

// countSeenKeys counts the keys of webhook deliveries remembered.
func countSeenKeys(t testing.TB, env *testEnv) int {
	t.Helper()
	var n int
	if err := env.app.DB().NewQuery(`SELECT COUNT(*) FROM seen_deliveries`).Row(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReplayWindowIsPrunedAfter72Hours drives time through the pruning:
// deliveries are remembered for 72 hours, and forgotten after.
func TestReplayWindowIsPrunedAfter72Hours(t *testing.T) {
	s := newServedApp(t, fastEngine, seedWebhookFlow(true))
	url := hookURL(s.env)
	wantStatus(t, "the call", s.post(url, hookBody, signedHeader(hookBody, "d-1")), http.StatusOK, `"accepted":2`)
	s.env.sb.engine.prune(time.Now().Add(71 * time.Hour))
	if n := countSeenKeys(t, s.env); n != 2 {
		t.Fatalf("after 71 hours %d keys are remembered, want the call's delivery id and content", n)
	}
	wantStatus(t, "a replay after 71 hours", s.post(url, hookBody, signedHeader(hookBody, "d-2")), http.StatusOK, `"duplicate":true`)
	s.env.sb.engine.prune(time.Now().Add(73 * time.Hour))
	if n := countSeenKeys(t, s.env); n != 0 {
		t.Fatalf("after 73 hours %d keys are remembered, want none", n)
	}
}

// TestSeenDeliveriesArePrunedByTheirTimes: the pruning forgets the keys
// seen before the replay window, through the index of their times, and
// keeps the others.
func TestSeenDeliveriesArePrunedByTheirTimes(t *testing.T) {
	env := newServedApp(t, fastEngine, seedWebhookFlow(true)).env
	now := time.Now()
	for i, seen := range []time.Time{now.Add(-73 * time.Hour), now.Add(-71 * time.Hour), now, now.Add(time.Hour)} {
		_, err := env.app.DB().NewQuery(`INSERT INTO seen_deliveries (key, seen) VALUES ({:key}, {:seen})`).
			Bind(dbx.Params{"key": seenkeys.For("flow", strconv.Itoa(i)), "seen": seen.UnixMilli()}).Execute()
		if err != nil {
			t.Fatal(err)
		}
	}
	env.sb.engine.prune(now)
	var left []int64
	if err := env.app.DB().NewQuery("SELECT seen FROM seen_deliveries ORDER BY seen").Column(&left); err != nil {
		t.Fatal(err)
	}
	want := []int64{now.Add(-71 * time.Hour).UnixMilli(), now.UnixMilli(), now.Add(time.Hour).UnixMilli()}
	if fmt.Sprint(left) != fmt.Sprint(want) {
		t.Fatalf("after pruning, keys seen at %v are remembered; want the three in the window, %v", left, want)
	}
	var plan []struct {
		Detail string `db:"detail"`
	}
	if err := env.app.DB().NewQuery("EXPLAIN QUERY PLAN " + pruneDeliveriesSQL).
		Bind(dbx.Params{"cutoff": now.UnixMilli(), "n": 10}).All(&plan); err != nil {
		t.Fatal(err)
	}
	if text := fmt.Sprint(plan); !strings.Contains(text, "idx_seen_deliveries_seen (seen<?)") {
		t.Errorf("the pruning reads %s; want the range of the index of times", text)
	}
}

// signedHeader signs body for the memory connector's flows.
func signedHeader(body, delivery string) http.Header {
	h := http.Header{}
	for k, v := range signed("hook-secret", body, delivery) {
		h.Set(k, v)
	}
	return h
}

func TestWebhookBodyMustBeJSON(t *testing.T) {
	s := newServedApp(t, fastEngine, seedWebhookFlow(true))
	url := hookURL(s.env)
	tests := []struct {
		contentType string
		status      int
		want        string
	}{
		{"text/plain", http.StatusUnsupportedMediaType, "must be JSON"},
		{"application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, "must be JSON"},
		{"application/json; charset=iso-8859-1", http.StatusUnsupportedMediaType, "UTF-8"},
		{"application/json", http.StatusOK, `"accepted":1`},
		{"application/json; charset=utf-8", http.StatusOK, `"accepted":1`},
		{"", http.StatusOK, `"accepted":1`},
	}
	for i, tt := range tests {
		t.Run(tt.contentType, func(t *testing.T) {
			body := fmt.Sprintf(`{"entity":"order","records":[{"id":"o%d","number":"%d"}]}`, i, 1000+i)
			h := signedHeader(body, "")
			if tt.contentType != "" {
				h.Set("Content-Type", tt.contentType)
			}
			wantStatus(t, "the call", s.post(url, body, h), tt.status, tt.want)
		})
	}
}

// TestDeliveryWithoutRecordsStoresNothing: a call that carries no record
// is answered 200 and writes nothing: no delivery remembered, no run. The
// WooCommerce ping (webhook_id=<id>) is taken unsigned, so if each
// distinct ping were remembered, anybody who knows a flow's address could
// fill the database with them, thousands a second, for 72 hours each.
func TestDeliveryWithoutRecordsStoresNothing(t *testing.T) {
	env := newEnvWith(t, wooConnector)
	_, woo := wooShop(t, env)
	dst := env.saveConnection(t, "Store", "memory", map[string]any{"store": "ping-target"}, nil)
	integ := newRecord(t, env.app, "integrations", map[string]any{"name": "Woo <-> Store", "a": woo.Id, "b": dst.Id, "enabled": true})
	flow := newRecord(t, env.app, flowsCollection, map[string]any{"integration": integ.Id, "name": "orders", "entity": "order",
		"source": woo.Id, "target": dst.Id, "enabled": true, "webhook": true, "schedule": "", "webhook_secret": "hook-secret"})
	s := &servedApp{env: env, mux: servedMux(t, env)}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	for i := range 20 {
		wantStatus(t, "a ping", s.post("/hooks/"+flow.Id, fmt.Sprintf("webhook_id=%d", 1000+i), h), http.StatusOK, `"accepted":0`)
	}
	var seen, runs int
	if err := env.app.DB().NewQuery(`SELECT COUNT(*) FROM seen_deliveries`).Row(&seen); err != nil {
		t.Fatal(err)
	}
	if err := env.app.DB().NewQuery(`SELECT COUNT(*) FROM runs`).Row(&runs); err != nil {
		t.Fatal(err)
	}
	if seen != 0 || runs != 0 || countTransactions(t, env) != 0 {
		t.Fatalf("20 unsigned pings left %d remembered deliveries, %d runs and %d transactions; want none", seen, runs, countTransactions(t, env))
	}
}

// TestCompressedWebhookIsRefused: a body sent compressed (Content-Encoding)
// is answered 415 naming the encoding, before its signature is looked at,
// so that the sender is not sent looking for a wrong secret; nothing is
// stored, and nothing is decompressed (no gzip bomb can blow up).
func TestCompressedWebhookIsRefused(t *testing.T) {
	s := newServedApp(t, fastEngine, seedWebhookFlow(true))
	url := hookURL(s.env)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write([]byte(hookBody))
	_ = zw.Close()
	tests := []struct {
		name, encoding, body, signedBody string
		status                           int
		want                             string
	}{
		{"gzip, the JSON signed", "gzip", zipped.String(), hookBody, http.StatusUnsupportedMediaType, "Content-Encoding gzip"},
		{"gzip, the bytes sent signed", "gzip", zipped.String(), zipped.String(), http.StatusUnsupportedMediaType, "Content-Encoding gzip"},
		{"Brotli", "br", "not really brotli", "not really brotli", http.StatusUnsupportedMediaType, "Content-Encoding br"},
		{"deflate, named in capitals", "DEFLATE", "not really deflate", "not really deflate", http.StatusUnsupportedMediaType, "Content-Encoding DEFLATE"},
		{"gzip twice", "gzip, gzip", zipped.String(), hookBody, http.StatusUnsupportedMediaType, "Content-Encoding gzip, gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := signedHeader(tt.signedBody, "")
			h.Set("Content-Encoding", tt.encoding)
			rec := s.post(url, tt.body, h)
			wantStatus(t, "the call", rec, tt.status, tt.want, "nothing was stored")
			if got := rec.Header().Get("Accept-Encoding"); got != "identity" {
				t.Errorf("Accept-Encoding = %q, want identity", got)
			}
		})
	}
	if n := countTransactions(t, s.env); n != 0 {
		t.Fatalf("refused calls stored %d transactions", n)
	}
	for i, enc := range []string{"identity", "UTF-8"} { // the charset: a mistake some senders make
		body := fmt.Sprintf(`{"entity":"order","records":[{"id":"e%d","number":"%d"}]}`, i, 2000+i)
		h := signedHeader(body, "")
		h.Set("Content-Encoding", enc)
		wantStatus(t, "a body sent as it is, with Content-Encoding "+enc, s.post(url, body, h), http.StatusOK, `"accepted":1`)
	}
}

// TestWebhookTextIsNeverChanged: a body whose text would be decoded
// changed (a byte that is not UTF-8, half a surrogate pair) is refused
// with where it goes wrong, and nothing is stored.
func TestWebhookTextIsNeverChanged(t *testing.T) {
	s := newServedApp(t, fastEngine, seedWebhookFlow(true))
	url := hookURL(s.env)
	tests := []struct{ name, body, want string }{
		{"a byte that is not UTF-8", "{\"entity\":\"order\",\"records\":[{\"id\":\"o1\",\"number\":\"10\xff23\"}]}", "not UTF-8: byte 0xff"},
		{"half a surrogate pair", `{"entity":"order","records":[{"id":"o2","number":"1002","notes":"\ud800"}]}`, `\\ud800 alone`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, "the call", s.post(url, tt.body, signedHeader(tt.body, "")), http.StatusBadRequest, tt.want, "nothing was stored")
		})
	}
	if n := countTransactions(t, s.env); n != 0 {
		t.Fatalf("refused calls stored %d transactions", n)
	}
}

func TestWebhookForAnotherEntityIsRefused(t *testing.T) {
	s := newServedApp(t, fastEngine, seedWebhookFlow(true))
	url := hookURL(s.env)
	products := `{"entity":"product","records":[{"id":"p1","sku":"SKU-1"}]}`
	wantStatus(t, "products to an order flow", s.post(url, products, signedHeader(products, "")),
		http.StatusUnprocessableEntity, `\"product\" records`, `\"order\" records`)
	if n := countTransactions(t, s.env); n != 0 {
		t.Fatalf("a refused call stored %d transactions", n)
	}
	unnamed := `{"records":[{"id":"o1","number":"1001"}]}`
	wantStatus(t, "records without an entity are the flow's", s.post(url, unnamed, signedHeader(unnamed, "")), http.StatusOK, `"accepted":1`)
}

func TestLoginIsRateLimited(t *testing.T) {
	for _, collection := range []string{"users", "_superusers"} {
		t.Run(collection, func(t *testing.T) {
			s := newServedApp(t, fastEngine, func(testing.TB, *testEnv) {})
			url := "/api/collections/" + collection + "/auth-with-password"
			h := http.Header{"Content-Type": {"application/json"}}
			wrong := `{"identity":"admin@example.com","password":"wrong"}`
			statuses := map[int]int{}
			first := 0
			for i := range 50 {
				code := s.post(url, wrong, h).Code
				statuses[code]++
				if code == http.StatusTooManyRequests && first == 0 {
					first = i + 1
				}
			}
			if statuses[http.StatusBadRequest] == 0 || statuses[http.StatusTooManyRequests] == 0 {
				t.Fatalf("50 wrong passwords were answered %v, want 400 and then 429", statuses)
			}
			t.Logf("the %dth wrong password was the first answered 429", first)
		})
	}
}

func TestWebhookFloodIsLimitedPerFlow(t *testing.T) {
	cfg := fastEngine
	cfg.WebhookRate, cfg.WebhookBurst = 0.001, 5 // one call per 1,000 s after the first 5
	s := newServedApp(t, cfg, func(t testing.TB, env *testEnv) {
		seedWebhookFlow(true)(t, env)
		flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
		other := flow.Clone()
		other.Id = ""
		other.MarkAsNew()
		other.Set("name", "orders again")
		other.Set("webhook_secret", "hook-secret") // a sealed secret is bound to its flow: a copy does not open
		if err := env.app.Save(other); err != nil {
			t.Fatal(err)
		}
	})
	flood, quiet := s.hookURLOf(t, "orders"), s.hookURLOf(t, "orders again")
	statuses := map[int]int{}
	for i := range 20 {
		body := fmt.Sprintf(`{"entity":"order","records":[{"id":"o%d","number":"%d"}]}`, i, 1000+i)
		rec := s.post(flood, body, signedHeader(body, ""))
		statuses[rec.Code]++
		if rec.Code == http.StatusTooManyRequests && rec.Header().Get("Retry-After") == "" {
			t.Fatal("a 429 without Retry-After")
		}
	}
	if statuses[http.StatusOK] != 5 || statuses[http.StatusTooManyRequests] != 15 {
		t.Fatalf("a flood of 20 calls was answered %v, want 5 taken and 15 refused with 429", statuses)
	}
	wantStatus(t, "another flow during the flood", s.post(quiet, hookBody, signedHeader(hookBody, "")), http.StatusOK, `"accepted":2`)
}

func TestHookLimiter(t *testing.T) {
	start := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name  string
		calls []time.Duration // when each call comes, after start
		want  []bool
		wait  time.Duration // the wait told for the last call
	}{
		{"a burst within the bucket passes", []time.Duration{0, 0, 0}, []bool{true, true, true}, 0},
		{"beyond the bucket is refused", []time.Duration{0, 0, 0, 0}, []bool{true, true, true, false}, 100 * time.Millisecond},
		{"the bucket fills again at the rate", []time.Duration{0, 0, 0, 0, 100 * time.Millisecond}, []bool{true, true, true, false, true}, 0},
		{"it never holds more than the burst", []time.Duration{0, time.Hour, time.Hour, time.Hour, time.Hour},
			[]bool{true, true, true, true, false}, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newHookLimiter(10, 3)
			var wait time.Duration
			for i, at := range tt.calls {
				var ok bool
				wait, ok = l.take("flow", start.Add(at))
				if ok != tt.want[i] {
					t.Fatalf("call %d at %s: taken = %v, want %v", i+1, at, ok, tt.want[i])
				}
			}
			if wait != tt.wait {
				t.Fatalf("wait = %s, want %s", wait, tt.wait)
			}
			if _, ok := l.take("another flow", start); !ok {
				t.Fatal("another flow shares the bucket")
			}
		})
	}
}

func TestWebhookRateFromEnv(t *testing.T) {
	tests := []struct {
		env    string
		rate   float64
		burst  int
		refuse bool
	}{
		{"", 5000, 10000, false},
		{"50", 50, 100, false},
		{"0.5", 0.5, 1, false},
		{"1000000000000", maxWebhookRate, 2 * maxWebhookRate, false},
		{"0", 0, 0, true},
		{"-3", 0, 0, true},
		{"NaN", 0, 0, true},
		{"fast", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			t.Setenv("SWITCHBOARD_WEBHOOK_RATE", tt.env)
			cfg, err := ConfigFromEnv()
			if tt.refuse {
				if err == nil || !strings.Contains(err.Error(), "SWITCHBOARD_WEBHOOK_RATE="+tt.env) {
					t.Fatalf("error %v, want one naming the setting", err)
				}
				return
			}
			cfg = cfg.withDefaults()
			if err != nil || cfg.WebhookRate != tt.rate || cfg.WebhookBurst != tt.burst {
				t.Fatalf("rate %v, burst %d, %v; want %v, %d", cfg.WebhookRate, cfg.WebhookBurst, err, tt.rate, tt.burst)
			}
		})
	}
}

// TestWebhookTakesOnlyPost: a call to a flow's webhook address with
// another method (a browser's GET, a PUT) is answered 405 with Allow:
// POST and a message that says so, not the 404 of an address that takes
// nothing, which sends whoever sets up the app looking for a wrong
// address; nothing is stored.
func TestWebhookTakesOnlyPost(t *testing.T) {
	s := newServedApp(t, fastEngine, seedWebhookFlow(true))
	url := hookURL(s.env)
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		t.Run(method, func(t *testing.T) {
			req := httptest.NewRequest(method, url, strings.NewReader(hookBody))
			for k, v := range signedHeader(hookBody, "") {
				req.Header[k] = v
			}
			rec := httptest.NewRecorder()
			s.mux.ServeHTTP(rec, req)
			if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != http.MethodPost {
				t.Fatalf("%s = %d, Allow %q, want 405 and Allow: POST: %s", method, rec.Code, rec.Header().Get("Allow"), rec.Body)
			}
			if method != http.MethodHead && !strings.Contains(rec.Body.String(), "POST") {
				t.Fatalf("%s: the answer does not say to POST: %s", method, rec.Body)
			}
			if n := countTransactions(t, s.env); n != 0 {
				t.Fatalf("%s stored %d transactions", method, n)
			}
		})
	}
}

// TestWebhookOfAFlowThatCannotLoadAsksToSendAgain: a flow that takes
// webhooks but cannot be loaded (its options no longer resolve after its
// connection changed) answered 404, "no flow takes webhooks here", and an
// app may drop a subscription whose address is gone, and its records with
// it. It answers 503, send again, and the log says why; a flow that
// is not there, or takes no webhooks, still answers 404.
func TestWebhookOfAFlowThatCannotLoadAsksToSendAgain(t *testing.T) {
	s := newServedApp(t, fastEngine, seedWebhookFlow(true))
	url := hookURL(s.env)
	if _, err := s.env.app.DB().NewQuery(`UPDATE flows SET options = '{"bogus": 1}'`).Execute(); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "a call to a flow that cannot load", s.post(url, hookBody, signedHeader(hookBody, "")),
		http.StatusServiceUnavailable, "send")
	if n := countTransactions(t, s.env); n != 0 {
		t.Fatalf("%d transactions stored", n)
	}
	if _, err := s.env.app.DB().NewQuery(`UPDATE flows SET webhook = FALSE`).Execute(); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "a call to a flow that takes no webhooks", s.post(url, hookBody, signedHeader(hookBody, "")), http.StatusNotFound)
	wantStatus(t, "a call to no flow", s.post("/hooks/nosuchflow12345", hookBody, signedHeader(hookBody, "")), http.StatusNotFound)
}
