package shopify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/connectors/shopify/fake"
	"github.com/switchboard-app/switchboard/connectors/shopify/schema"
)

var (
	schemaOnce sync.Once
	published  *ast.Schema
	schemaErr  error
)

// adminSchema is Shopify's published schema; the test skips when the
// specs are absent, unless SWITCHBOARD_REQUIRE_IT=1.
func adminSchema(t testing.TB) *ast.Schema {
	t.Helper()
	if _, err := os.Stat(schema.Path()); err != nil {
		if os.Getenv("SWITCHBOARD_REQUIRE_IT") == "1" {
			t.Fatalf("Shopify's schema is required: %v", err)
		}
		t.Skipf("Shopify's schema is absent (%v); set %s", err, schema.SpecsEnv)
	}
	schemaOnce.Do(func() { published, schemaErr = schema.Load(schema.Path()) })
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	return published
}

const testToken = "shpat_test_token_0123456789"

// shop is a fake Shopify with one location, served over HTTP; the test
// fails if the connector sent anything the schema refuses.
type shop struct {
	*fake.Server
	url      string
	location string
}

func newShop(t testing.TB, opts fake.Options) *shop {
	t.Helper()
	if opts.RestoreRate == 0 {
		opts.RestoreRate = 1e6 // no waiting for the bucket, unless a test is about it
	}
	f := fake.New(adminSchema(t), opts)
	f.AddToken(testToken)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		for _, r := range f.Refused() {
			t.Errorf("the fake Shopify refused, as Shopify would: %s", r)
		}
	})
	return &shop{Server: f, url: srv.URL, location: f.AddLocation("Warehouse Amsterdam")}
}

func (s *shop) config() map[string]any { return map[string]any{"shop": s.url} }

func (s *shop) secrets() map[string]string { return map[string]string{"access_token": testToken} }

// open opens a connection to the shop.
func (s *shop) open(t testing.TB) *Conn {
	t.Helper()
	return conntest.Open(t, Spec, New, s.config(), s.secrets(), testEnv()).(*Conn)
}

func testEnv() connectors.Env {
	return connectors.Env{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Shared: connectors.NewShared()}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// options resolves a flow's options for a use.
func options(t testing.TB, use connectors.Use, values map[string]any) connectors.Config {
	t.Helper()
	cfg, err := Spec.ResolveFlow(use, values)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// readAll reads every page of an entity from a cursor.
func readAll(t testing.TB, c *Conn, e connectors.Entity, cursor string, opts connectors.Config) ([]connectors.Record, string) {
	t.Helper()
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: e, Cursor: cursor, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	var out []connectors.Record
	for {
		page, err := stream.Next(ctx(t))
		if err == connectors.ErrEndOfInput {
			return out, cursor
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Records...)
		cursor = page.Cursor
	}
}

func fmtAny(v any) string { return fmt.Sprint(v) }

func errorsAs(err error, target any) bool { return errors.As(err, target) }
