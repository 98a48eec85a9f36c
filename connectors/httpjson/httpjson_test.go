package httpjson

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/connectors/httpjson/fake"
)

func TestConformance(t *testing.T) {
	app := fake.New()
	srv := httptest.NewServer(requireToken("s3cret-token", app))
	t.Cleanup(srv.Close)
	reg, ok := connectors.Lookup("http")
	if !ok {
		t.Fatal("http connector not registered")
	}
	conntest.Run(t, conntest.Suite{
		Registration: reg,
		Config:       map[string]any{"base_url": srv.URL, "auth": "bearer"},
		Secrets:      map[string]string{"token": "s3cret-token"},
		BadSecrets:   map[string]string{"token": "wrong-token"},
		Entity:       connectors.Product,
		Seed: func(t *testing.T, n int) {
			for i := range n {
				app.Seed("products", map[string]any{"id": fmt.Sprint(i), "sku": fmt.Sprintf("SKU-%d", i)})
			}
		},
		Sample: map[string]any{"sku": "SKU-NEW", "name": "New"},
		Webhook: func(t *testing.T, secret string) connectors.WebhookRequest {
			body := []byte(`{"entity":"order","records":[{"id":"o1","number":"1001"}]}`)
			h := http.Header{}
			h.Set(SignatureHeader, hex.EncodeToString(Sign(secret, body)))
			return connectors.WebhookRequest{Header: h, Body: body, Secret: secret}
		},
	})
}

func requireToken(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, `{"message":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func open(t *testing.T, url string) *Conn {
	t.Helper()
	cfg, err := Spec.Resolve(map[string]any{"base_url": url}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(cfg, connectors.Env{HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return c.(*Conn)
}

func TestWriteErrorsAreClassified(t *testing.T) {
	tests := []struct {
		status int
		want   connectors.Class
	}{
		{http.StatusServiceUnavailable, connectors.ClassTransient},
		{http.StatusTooManyRequests, connectors.ClassTransient},
		{http.StatusUnprocessableEntity, connectors.ClassPermanent},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			app := fake.New()
			app.FailWrites(tt.status, 1)
			srv := httptest.NewServer(app)
			defer srv.Close()
			_, err := open(t, srv.URL).Write(context.Background(), connectors.WriteRequest{Entity: connectors.Order, Key: "1001", Data: map[string]any{"number": "1001"}})
			if class, _ := connectors.Classify(err); err == nil || class != tt.want {
				t.Fatalf("Write = %v (%s), want %s", err, class, tt.want)
			}
		})
	}
	_, err := open(t, "http://127.0.0.1:1").Write(context.Background(), connectors.WriteRequest{Entity: connectors.Order})
	if class, _ := connectors.Classify(err); class != connectors.ClassTransient {
		t.Fatalf("refused connection = %v (%s), want transient", err, class)
	}
}

func TestIdempotencyKeyIsSent(t *testing.T) {
	app := fake.New()
	srv := httptest.NewServer(app)
	defer srv.Close()
	c := open(t, srv.URL)
	req := connectors.WriteRequest{Entity: connectors.Product, Data: map[string]any{"sku": "A"}, IdempotencyKey: "tx-1"}
	first, err1 := c.Write(context.Background(), req)
	second, err2 := c.Write(context.Background(), req)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if app.Created() != 1 || first.TargetID != second.TargetID {
		t.Fatalf("a repeated create with one idempotency key made %d records (%s, %s)", app.Created(), first.TargetID, second.TargetID)
	}
}

func openWith(t testing.TB, config map[string]any) *Conn {
	t.Helper()
	config["base_url"] = "http://127.0.0.1:1"
	cfg, err := Spec.Resolve(config, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(cfg, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	return c.(*Conn)
}

func TestWebhookSignatureSchemes(t *testing.T) {
	body := []byte(`{"entity":"order","records":[{"id":"o1","number":"1001"}]}`)
	now := time.Unix(1_800_000_000, 0)
	plain := http.Header{SignatureHeader: {hex.EncodeToString(Sign("s3cret", body))}, DeliveryHeader: {"d-1"}}
	stamped := http.Header{TimestampedSignatureHeader: {connectors.SignTimestamped("s3cret", now, body)}, DeliveryHeader: {"d-1"}}
	stale := http.Header{TimestampedSignatureHeader: {connectors.SignTimestamped("s3cret", now.Add(-6*time.Minute), body)}}
	standard := http.Header{}
	standard.Set(connectors.StandardIDHeader, "msg_1")
	standard.Set(connectors.StandardTimestampHeader, fmt.Sprint(now.Unix()))
	standard.Set(connectors.StandardSignatureHeader, connectors.SignStandardWebhook("s3cret", "msg_1", now, body))
	tests := []struct {
		name, scheme string
		header       http.Header
		ok           bool
		delivery     string
		signedAt     time.Time
	}{
		{"plain by default", "", plain, true, "d-1", time.Time{}},
		{"plain", SchemeHMACSHA256, plain, true, "d-1", time.Time{}},
		{"timestamped", SchemeTimestamped, stamped, true, "d-1", now},
		{"a stale timestamped call", SchemeTimestamped, stale, false, "", time.Time{}},
		{"standard webhooks, the signed id delivers", SchemeStandardWebhooks, standard, true, "msg_1", now},
		{"a plain call where a timestamp is required", SchemeTimestamped, plain, false, "", time.Time{}},
		{"a timestamped call where plain is configured", SchemeHMACSHA256, stamped, false, "", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config := map[string]any{}
			if tt.scheme != "" {
				config["webhook_signature"] = tt.scheme
			}
			c := openWith(t, config)
			req := connectors.WebhookRequest{Header: tt.header, Body: body, Secret: "s3cret", Received: now}
			if err := c.VerifyWebhook(req); (err == nil) != tt.ok {
				t.Fatalf("VerifyWebhook = %v, want ok=%v", err, tt.ok)
			}
			if !tt.ok {
				return
			}
			hook, err := c.ParseWebhook(req)
			if err != nil || hook.DeliveryID != tt.delivery || !hook.SignedAt.Equal(tt.signedAt) || len(hook.Records) != 1 {
				t.Fatalf("ParseWebhook = %+v, %v; want delivery %q signed at %s", hook, err, tt.delivery, tt.signedAt)
			}
		})
	}
}

func TestWebhookBodyMustBeJSON(t *testing.T) {
	body := []byte(`{"id":"o1"}`)
	c := openWith(t, map[string]any{})
	h := http.Header{SignatureHeader: {hex.EncodeToString(Sign("s3cret", body))}, "Content-Type": {"text/plain"}}
	_, err := c.ParseWebhook(connectors.WebhookRequest{Header: h, Body: body, Secret: "s3cret"})
	if !errors.Is(err, connectors.ErrNotJSON) {
		t.Fatalf("ParseWebhook of text/plain = %v, want ErrNotJSON", err)
	}
}

func TestParseWebhookTrustsTheVerifiedCall(t *testing.T) {
	body := []byte(`{"id":"o1","number":"1001"}`)
	now := time.Unix(1_800_000_000, 0)
	standard := http.Header{}
	standard.Set(connectors.StandardIDHeader, "msg_1")
	standard.Set(connectors.StandardTimestampHeader, fmt.Sprint(now.Unix()))
	standard.Set(connectors.StandardSignatureHeader, connectors.SignStandardWebhook("s3cret", "msg_1", now, body))
	stamped := http.Header{TimestampedSignatureHeader: {connectors.SignTimestamped("s3cret", now, body)}, DeliveryHeader: {"d-1"}}
	tests := []struct {
		scheme   string
		header   http.Header
		delivery string
	}{
		{SchemeStandardWebhooks, standard, "msg_1"},
		{SchemeTimestamped, stamped, "d-1"},
	}
	for _, tt := range tests {
		t.Run(tt.scheme, func(t *testing.T) {
			c := openWith(t, map[string]any{"webhook_signature": tt.scheme})
			req := connectors.WebhookRequest{Header: tt.header, Body: body, Secret: "s3cret", Received: now}
			if err := c.VerifyWebhook(req); err != nil {
				t.Fatal(err)
			}
			// Parsed after the tolerance ran out: the signature was checked
			// when the call arrived, and is not checked a second time.
			req.Received = now.Add(time.Hour)
			hook, err := c.ParseWebhook(req)
			if err != nil || hook.DeliveryID != tt.delivery || !hook.SignedAt.Equal(now) || len(hook.Records) != 1 || hook.Records[0].ID != "o1" {
				t.Fatalf("ParseWebhook = %+v, %v; want delivery %q signed at %s, record o1", hook, err, tt.delivery, now)
			}
		})
	}
}

func TestParseWebhookBodies(t *testing.T) {
	tests := []struct {
		name, body string
		entity     connectors.Entity
		ids        []string
		err        string
	}{
		{"an envelope", `{"entity":"order","records":[{"id":"o1"},{"id":"o2"}]}`, "order", []string{"o1", "o2"}, ""},
		{"an empty envelope", `{"entity":"order","records":[]}`, "order", nil, ""},
		{"one record", `{"id":"o1","total":"1.5"}`, "", []string{"o1"}, ""},
		{"one record with its entity", `{"entity":"order","id":"o1"}`, "order", []string{"o1"}, ""},
		{"one record whose records are null", `{"id":"o1","records":null}`, "", []string{"o1"}, ""},
		{"a null record", `{"records":[{"id":"o1"},null]}`, "", nil, "record 2 has no id"},
		{"a record without an id", `{"entity":"order","records":[{"id":"o1"},{"number":"N1"}]}`, "", nil, "record 2 has no id"},
		{"a record with an empty id", `{"records":[{"id":""}]}`, "", nil, "record 1 has no id"},
		{"one record without an id", `{"number":"N1"}`, "", nil, "record 1 has no id"},
		{"a numeric id", `{"records":[{"id":7}]}`, "", []string{"7"}, ""},
		{"records not a list", `{"records":"o1"}`, "", nil, "records is string, not a list"},
		{"a record not an object", `{"records":[{"id":"o1"},7]}`, "", nil, "record 2 is json.Number, not an object"},
		{"entity not a text", `{"entity":3,"id":"o1"}`, "", nil, "entity is json.Number, not a text"},
		{"a list", `[{"id":"o1"}]`, "", nil, "reading webhook body"},
		{"not JSON", `{"id":`, "", nil, "reading webhook body"},
		{"two values", `{"id":"o1"} {"id":"o2"}`, "", nil, "more than one JSON value"},
		{"null", `null`, "", nil, "null, not a JSON object"},
		{"whitespace around", " \r\n\t{\"id\":\"o1\"} \n", "", []string{"o1"}, ""},
		{"a duplicate key, the last taken", `{"id":"o0","id":"o1"}`, "", []string{"o1"}, ""},
		{"empty", ``, "", nil, "the body is not a JSON object: EOF"},
		{"a text", `"o1"`, "", nil, "the body is not a JSON object: json: cannot unmarshal string into Go value of type map[string]interface {}"},
		{"a list then more", `[1] x`, "", nil, "the body is not a JSON object: json: cannot unmarshal array"},
		{"cut short", `{"id":"o1"`, "", nil, "the body is not a JSON object: unexpected EOF"},
		{"invalid inside", `{"id":01}`, "", nil, "the body is not a JSON object: invalid character '1' after object key:value pair"},
		{"a value then garbage", `{"id":"o1"} x`, "", nil, "the body holds more than one JSON value"},
		{"a value then a bracket", `{"id":"o1"}}`, "", nil, "the body holds more than one JSON value"},
		{"a byte order mark", "\xef\xbb\xbf{\"id\":\"o1\"}", "", nil, "the body is not a JSON object: invalid character"},
	}
	c := openWith(t, map[string]any{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			req := connectors.WebhookRequest{Header: http.Header{SignatureHeader: {hex.EncodeToString(Sign("s3cret", body))}}, Body: body, Secret: "s3cret"}
			hook, err := c.ParseWebhook(req)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseWebhook = %+v, %v; want an error with %q", hook, err, tt.err)
				}
				return
			}
			var ids []string
			for _, r := range hook.Records {
				ids = append(ids, r.ID)
			}
			if err != nil || hook.Entity != tt.entity || fmt.Sprint(ids) != fmt.Sprint(tt.ids) {
				t.Fatalf("ParseWebhook = entity %q ids %v, %v; want %q %v", hook.Entity, ids, err, tt.entity, tt.ids)
			}
		})
	}
}

// bodies are webhook bodies valid and not, for decodeBody's tests.
var bodies = []string{`{"id":"o1","n":1.50,"s":"a\u00e9\ud83d\ude00\ud83d\xff","l":[null,true,{}]}`, ` {} `, `{"a":1,"a":{}}`,
	`null`, `[]`, `"x"`, `7`, `7 8`, `{} {}`, `{}]`, `{} x`, `{`, `{"a"`, `{"a":}`, ``, ` `, "\xef\xbb\xbf{}", `{"a":1e400}`,
	`{"a":01}`, `[1,]`, `nul`, `nullx`, `{"a":"\x"}`}

// TestDecodeBodyAsJSONDecoder checks that decodeBody decodes what a
// json.Decoder decodes and fails as it fails.
func TestDecodeBodyAsJSONDecoder(t *testing.T) {
	for _, body := range bodies {
		sameBody(t, []byte(body))
	}
}

func FuzzDecodeBody(f *testing.F) {
	for _, body := range bodies {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) { sameBody(t, body) })
}

func sameBody(t *testing.T, body []byte) {
	t.Helper()
	got, err := decodeBody(body)
	want, wantErr := decodeBodySlowly(body)
	if fmt.Sprint(err) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeBody(%q) = %#v, %v\nwant %#v, %v", body, got, err, want, wantErr)
	}
}

func BenchmarkParseWebhook(b *testing.B) {
	// The order of the benchmark in docs/performance.md.
	body := []byte(`{"order_id":"ORD-2026-000123456","created_at":"2026-11-27T03:30:00Z","source":"webshop","sku":"SKU-ACME-48213-BLK-XL","qty":3,"price":24.95,"currency":"EUR","customer":{"id":"CUST-000987654","name":"Jane Q. Example","email":"jane.example@example.invalid","phone":"+49-30-0000000","tier":"gold"},"shipping":{"method":"express","street":"Examplestrasse 42","city":"Berlin","postcode":"10115","country":"DE"},"billing":{"same_as_shipping":true,"vat_id":"DE000000000"},"tags":["b2c","promo-autumn","priority"],"notes":"Leave at the front desk if nobody answers. Fragile items inside; handle with care.","meta":{"channel":"api","attempt":1}}`)
	c := openWith(b, map[string]any{})
	req := connectors.WebhookRequest{Header: http.Header{SignatureHeader: {hex.EncodeToString(Sign("s3cret", body))}}, Body: body, Secret: "s3cret"}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.VerifyWebhook(req); err != nil {
			b.Fatal(err)
		}
		if _, err := c.ParseWebhook(req); err != nil {
			b.Fatal(err)
		}
	}
}
