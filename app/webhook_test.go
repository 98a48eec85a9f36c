package app

import (
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/app/seenkeys"
	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/memory"
)

// seedWebhookFlow adds an integration and an order flow that takes webhooks.
func seedWebhookFlow(webhook bool) func(t testing.TB, env *testEnv) {
	return func(t testing.TB, env *testEnv) {
		seedIntegration(t, env)
		integ, _ := env.app.FindFirstRecordByData("integrations", "name", "Shop <-> ERP")
		src, _ := env.app.FindFirstRecordByData(connectionsCollection, "name", "ERP")
		dst2 := env.saveConnection(t, "Store", "memory", map[string]any{"store": "hook-target"}, nil)
		integ.Set("b", dst2.Id)
		integ.Set("a", src.Id)
		if err := env.app.Save(integ); err != nil {
			t.Fatal(err)
		}
		newRecord(t, env.app, "flows", map[string]any{"integration": integ.Id, "name": "orders", "entity": "order",
			"source": src.Id, "target": dst2.Id, "enabled": true, "webhook": webhook, "schedule": "",
			"webhook_secret": "hook-secret"})
	}
}

func hookURL(env *testEnv) string {
	flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
	return "/hooks/" + flow.Id
}

const hookBody = `{"entity":"order","records":[{"id":"o1","number":"1001"},{"id":"o2","number":"1002"}]}`

func signed(secret, body, delivery string) map[string]string {
	h := map[string]string{memory.SignatureHeader: hex.EncodeToString(memory.Sign(secret, []byte(body)))}
	if delivery != "" {
		h[memory.DeliveryHeader] = delivery
	}
	return h
}

func countTransactions(t testing.TB, env *testEnv) int {
	n, err := env.app.CountRecords("transactions")
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestWebhookIntake(t *testing.T) {
	wantTransactions := func(n int) func(testing.TB, *testEnv) {
		return func(t testing.TB, env *testEnv) {
			if got := countTransactions(t, env); got != n {
				t.Fatalf("transactions = %d, want %d", got, n)
			}
		}
	}
	scenarios := []scenario{
		{name: "a signed call is committed, then answered", method: http.MethodPost, url: hookURL, body: hookBody,
			headers: signed("hook-secret", hookBody, "d-1"), seed: seedWebhookFlow(true), status: 200,
			want: []string{`"accepted":2`}, after: wantTransactions(2)},
		{name: "a wrong signature is refused before anything is stored", method: http.MethodPost, url: hookURL, body: hookBody,
			headers: signed("other-secret", hookBody, ""), seed: seedWebhookFlow(true), status: 401, after: wantTransactions(0)},
		{name: "a flow without webhooks does not take them", method: http.MethodPost, url: hookURL, body: hookBody,
			headers: signed("hook-secret", hookBody, ""), seed: seedWebhookFlow(false), status: 404, after: wantTransactions(0)},
		{name: "a redelivery is recognised and not stored twice", method: http.MethodPost, url: hookURL, body: hookBody,
			headers: signed("hook-secret", hookBody, "d-1"), status: 200, want: []string{`"duplicate":true`},
			seed: func(t testing.TB, env *testEnv) {
				seedWebhookFlow(true)(t, env)
				flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
				seenDelivery(t, env, flow.Id, "id:d-1", "")
			}, after: wantTransactions(0)},
		{name: "the same body without a delivery id counts as a redelivery", method: http.MethodPost, url: hookURL, body: hookBody,
			headers: signed("hook-secret", hookBody, ""), status: 200, want: []string{`"duplicate":true`},
			seed: func(t testing.TB, env *testEnv) {
				seedWebhookFlow(true)(t, env)
				flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
				_, content := deliveryKeys(connectors.Webhook{}, []byte(hookBody))
				seenDelivery(t, env, flow.Id, "", content)
			}, after: wantTransactions(0)},
		{name: "an editor reads the webhook address and secret", as: "editor", method: http.MethodGet,
			url: func(env *testEnv) string {
				flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
				return "/api/switchboard/flows/" + flow.Id + "/webhook"
			}, seed: seedWebhookFlow(true), status: 200, want: []string{`"secret":"hook-secret"`, `/hooks/`}},
		{name: "a viewer does not", as: "viewer", method: http.MethodGet,
			url: func(env *testEnv) string {
				flow, _ := env.app.FindFirstRecordByData(flowsCollection, "name", "orders")
				return "/api/switchboard/flows/" + flow.Id + "/webhook"
			}, seed: seedWebhookFlow(true), status: 403},
	}
	for _, sc := range scenarios {
		sc.run(t)
	}
}

// seenDelivery records a delivery as the intake does, with its delivery
// key ("" for a call without a delivery id) and its content key.
func seenDelivery(t testing.TB, env *testEnv, flow, delivery, content string) {
	t.Helper()
	for _, key := range []string{delivery, content} {
		if key == "" {
			continue
		}
		_, err := env.app.DB().NewQuery(`INSERT INTO seen_deliveries (key, seen) VALUES ({:key}, {:seen})`).
			Bind(dbx.Params{"key": seenkeys.For(flow, key), "seen": time.Now().UnixMilli()}).Execute()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// announcing is a webhook call with body that announces its length as
// announced (-1 for unknown).
func announcing(t *testing.T, body string, announced int64) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, "/hooks/x", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.ContentLength = announced
	return r
}

// TestReadBodyDoesNotTrustTheAnnouncedLength: a caller who announces a
// body of 10 MB and sends a few bytes gets no buffer of 10 MB made for it
// (many such calls at once would take the appliance's memory), and a
// large body that does come is still read whole.
func TestReadBodyDoesNotTrustTheAnnouncedLength(t *testing.T) {
	const limit = 10 << 20
	large := strings.Repeat("x", 3*readBodyPrealloc)
	tests := []struct {
		name      string
		body      string
		announced int64
		maxCap    int
	}{
		{"announced 10 MB, sent 8 bytes", `{"id":1}`, limit, 2 * readBodyPrealloc}, // room for the allocator's size classes
		{"announced and sent 8 bytes", `{"id":1}`, 8, 1024},
		{"a large body that comes", large, int64(len(large)), 4 * len(large)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readBody(announcing(t, tt.body, tt.announced), limit)
			if err != nil || string(got) != tt.body {
				t.Fatalf("readBody = %d bytes, %v; want the %d bytes sent", len(got), err, len(tt.body))
			}
			if cap(got) > tt.maxCap {
				t.Errorf("readBody made a buffer of %d bytes for %d announced and %d sent; want at most %d",
					cap(got), tt.announced, len(tt.body), tt.maxCap)
			}
		})
	}
}

// TestReadBodyReadsOneByteOverTheLimit: a body is read whole up to the
// limit and one byte past it (so that the caller refuses it), whatever
// length the request announces.
func TestReadBodyReadsOneByteOverTheLimit(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		announced int64
		want      string
	}{
		{"announced", `{"id":1}`, 8, `{"id":1}`},
		{"unknown length", `{"id":1}`, -1, `{"id":1}`},
		{"empty", "", 0, ""},
		{"at the limit", "0123456789", 10, "0123456789"},
		{"over the limit", "0123456789abc", 13, "0123456789a"},
		{"over, announced under", "0123456789abc", 4, "0123456789a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readBody(announcing(t, tt.body, tt.announced), 10)
			if err != nil || string(got) != tt.want {
				t.Errorf("readBody = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
