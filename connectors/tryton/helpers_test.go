package tryton

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// server is the Tryton the integration tests use, started by
// .ci/servers/trytond.sh.
type server struct {
	url, dir, template, user, password string
}

// trytond returns the test server, skipping the test when it is absent
// (failing it when SWITCHBOARD_REQUIRE_IT=1, as in CI).
func trytond(t *testing.T) server {
	t.Helper()
	names := []string{"SWITCHBOARD_IT_TRYTON_URL", "SWITCHBOARD_IT_TRYTON_DB_DIR", "SWITCHBOARD_IT_TRYTON_TEMPLATE",
		"SWITCHBOARD_IT_TRYTON_USER", "SWITCHBOARD_IT_TRYTON_PASS"}
	values := make([]string, len(names))
	for i, name := range names {
		if values[i] = os.Getenv(name); values[i] == "" {
			if os.Getenv("SWITCHBOARD_REQUIRE_IT") == "1" {
				t.Fatalf("%s is not set: start trytond (.ci/servers/trytond.sh; scripts/test.sh does)", name)
			}
			t.Skipf("%s is not set: no Tryton to test against", name)
		}
	}
	return server{url: values[0], dir: values[1], template: values[2], user: values[3], password: values[4]}
}

// database copies the template into a database of the test's own, which
// is removed after it. The tests do not run in parallel: one trytond
// process that opens several new databases at once fails inside (its
// pools are not safe to initialise concurrently).
func (s server) database(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "sbtest_" + hex.EncodeToString(b)
	src, err := os.Open(filepath.Join(s.dir, s.template+".sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(s.dir, name+".sqlite")
	dst, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(path) })
	return name
}

func (s server) config(db string) map[string]any {
	return map[string]any{"base_url": s.url, "database": db, "username": s.user}
}

// open opens a connection to the database, as the engine does.
func (s server) open(t *testing.T, db string) *Conn {
	t.Helper()
	return openWith(t, s.config(db), map[string]string{"password": s.password})
}

func openWith(t *testing.T, values map[string]any, secrets map[string]string) *Conn {
	t.Helper()
	env := connectors.Env{Shared: connectors.NewShared()}
	cfg, err := Spec.ResolveAndValidate(values, secrets, env)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	return c.(*Conn)
}

func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}
