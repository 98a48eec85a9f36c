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
