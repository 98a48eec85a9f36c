package httpjson

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
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

func openWith(t *testing.T, config map[string]any) *Conn {
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
