package memory

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
)

func TestConformance(t *testing.T) {
	reg, ok := connectors.Lookup("memory")
	if !ok {
		t.Fatal("memory connector not registered")
	}
	store := Open("conformance")
	store.Reset()
	store.SetToken("s3cret-token")
	conntest.Run(t, conntest.Suite{
		Registration: reg,
		Config:       map[string]any{"store": "conformance"},
		Secrets:      map[string]string{"token": "s3cret-token"},
		BadSecrets:   map[string]string{"token": "wrong-token"},
		Entity:       connectors.Product,
		Seed: func(t *testing.T, n int) {
			for i := range n {
				store.Add(connectors.Product, fmt.Sprintf("p%d", i), map[string]any{"sku": fmt.Sprintf("SKU-%d", i)})
			}
		},
		Sample: map[string]any{"sku": "SKU-NEW", "name": "New",
			"price": map[string]any{"amount": "9.95"}, "images": []any{map[string]any{"url": "https://example.com/1.jpg"}}},
		Written: func(t *testing.T, id string) map[string]any {
			rec, _ := store.Get(connectors.Product, id)
			return rec
		},
		Webhook: func(t *testing.T, secret string) connectors.WebhookRequest {
			body := []byte(`{"entity":"order","records":[{"id":"o1","number":"1001"}]}`)
			h := http.Header{}
			h.Set(SignatureHeader, hex.EncodeToString(Sign(secret, body)))
			return connectors.WebhookRequest{Header: h, Body: body, Secret: secret}
		},
	})
}

func openConn(t *testing.T, store string) *Conn {
	t.Helper()
	c, err := New(connectors.Config{Values: map[string]any{"store": store}}, connectors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	return c.(*Conn)
}

// TestHoldMakesWritesWaitForRelease: a write made while the store is held
// waits at the gate, stores nothing, and goes on once released.
func TestHoldMakesWritesWaitForRelease(t *testing.T) {
	store := Open("hold")
	store.Reset()
	conn := openConn(t, "hold")
	release := store.Hold()
	done := make(chan error, 1)
	go func() {
		_, err := conn.Write(context.Background(), connectors.WriteRequest{Entity: connectors.Product, Data: map[string]any{"sku": "A"}})
		done <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for store.Waiting() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the write never reached the gate")
		}
		time.Sleep(time.Millisecond)
	}
	if n := store.Writes(); n != 0 {
		t.Fatalf("%d writes stored while held", n)
	}
	release()
	release() // a second release does nothing
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if store.Writes() != 1 || store.Waiting() != 0 {
		t.Fatalf("after release: %d writes, %d waiting; want 1 and 0", store.Writes(), store.Waiting())
	}
}

// TestOutageCountsRefusedCalls: every call an outage refuses is counted.
func TestOutageCountsRefusedCalls(t *testing.T) {
	store := Open("refusals")
	store.Reset()
	conn := openConn(t, "refusals")
	ctx := context.Background()
	store.SetOutage(connectors.Transient(errors.New("503")))
	calls := []struct {
		name string
		call func() error
	}{
		{"test", func() error { res, _ := conn.Test(ctx); return fmt.Errorf("%s", res.Message) }},
		{"read", func() error {
			stream, err := conn.Read(ctx, connectors.ReadRequest{Entity: connectors.Product})
			if err != nil {
				return err
			}
			_, err = stream.Next(ctx)
			return err
		}},
		{"write", func() error {
			_, err := conn.Write(ctx, connectors.WriteRequest{Entity: connectors.Product, Data: map[string]any{"sku": "A"}})
			return err
		}},
	}
	for i, c := range calls {
		if err := c.call(); err == nil || !strings.Contains(err.Error(), "503") {
			t.Fatalf("%s during the outage: %v", c.name, err)
		}
		if got := store.Refused(); got != i+1 {
			t.Fatalf("after the %s: %d refused, want %d", c.name, got, i+1)
		}
	}
	store.SetOutage(nil)
	if _, err := conn.Write(ctx, connectors.WriteRequest{Entity: connectors.Product, Data: map[string]any{"sku": "A"}}); err != nil || store.Refused() != 3 {
		t.Fatalf("after the outage: %v, %d refused; want nil and 3", err, store.Refused())
	}
}
