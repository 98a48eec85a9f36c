package tryton

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/connectors/tryton/trytontest"
)

// trytond returns the test server, skipping the test when it is absent.
func trytond(t *testing.T) server { return server{trytontest.Require(t)} }

// server is the Tryton the integration tests use.
type server struct{ trytontest.Server }

// open opens a connection to the database, as the engine does.
func (s server) open(t *testing.T, db string) *Conn {
	t.Helper()
	return openWith(t, s.Config(db), s.Secrets())
}

func openWith(t *testing.T, values map[string]any, secrets map[string]string) *Conn {
	t.Helper()
	env := connectors.Env{Shared: connectors.NewShared()}
	return conntest.Open(t, Spec, New, values, secrets, env).(*Conn)
}

func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}
