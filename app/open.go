package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/redact"
	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// httpTimeout bounds every outgoing HTTP call of a connector.
const httpTimeout = 60 * time.Second

// ConnectionSecrets opens a connection record's sealed secrets.
func (s *Switchboard) ConnectionSecrets(rec *core.Record) (map[string]string, error) {
	ring, err := s.Keyring()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for name, sealed := range sealedSecrets(rec) {
		plain, err := ring.Open(sealed, secretContext(name))
		if err != nil {
			return nil, fmt.Errorf("connection %q: secret %s: %w", rec.GetString("name"), name, err)
		}
		out[name] = plain
	}
	return out, nil
}

// OpenConnection builds the connector for a connection record, with its
// secrets opened and its config checked. The connector's logger redacts
// its secrets.
func (s *Switchboard) OpenConnection(rec *core.Record) (connectors.Connector, error) {
	config, err := recordConfig(rec)
	if err != nil {
		return nil, fmt.Errorf("connection %q: %w", rec.GetString("name"), err)
	}
	plain, err := s.ConnectionSecrets(rec)
	if err != nil {
		return nil, err
	}
	secretsOut := redact.New(credentials(config, plain))
	env := connectors.Env{
		Logger: slog.New(secretsOut.Handler(s.logger().Handler())).With(slog.String("connection", rec.GetString("name")),
			slog.String("connector", rec.GetString("connector"))),
		HTTPClient: &http.Client{Timeout: httpTimeout, Transport: s.outbound, CheckRedirect: rest.SameOriginRedirects},
		DataDir:    filepath.Join(s.app.DataDir(), "connections", rec.Id),
		Files:      s.FilesRoot(),
		Shared:     s.shared.of(rec.Id),
		Secrets:    secretKeeper{s: s, opened: rec},
	}
	conn, err := s.registry.Open(rec.GetString("connector"), config, plain, env)
	if err != nil {
		return nil, fmt.Errorf("connection %q: %w", rec.GetString("name"), err)
	}
	return conn, nil
}

// sharedStates keeps each connection's shared state (connectors.Shared:
// the REST kit's pacer and tokens), so that every flow, run and worker
// that opens a connection shares one, for as long as Switchboard runs.
type sharedStates struct {
	mu     sync.Mutex
	byConn map[string]*connectors.Shared
	saving sync.Mutex // one save of run-time secrets at a time
}

// of returns the connection's shared state.
func (s *sharedStates) of(conn string) *connectors.Shared {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byConn == nil {
		s.byConn = map[string]*connectors.Shared{}
	}
	sh, ok := s.byConn[conn]
	if !ok {
		sh = connectors.NewShared()
		s.byConn[conn] = sh
	}
	return sh
}

// secretKeeper keeps the secrets a connector obtains at run time (a
// refreshed OAuth2 token) in its connection, sealed.
type secretKeeper struct {
	s      *Switchboard
	opened *core.Record // the connection as the connector was opened
}

// SaveSecrets seals the secrets into the connection's stored secrets.
func (k secretKeeper) SaveSecrets(_ context.Context, secrets map[string]string) error {
	return k.s.saveSecrets(k.opened, secrets)
}

// saveSecrets seals secrets that a connector opened as opened obtained
// into the connection's stored secrets, keeping the others; an empty
// value removes one. Saves of secrets are one at a time, so that two do
// not undo each other. The connection is read again in the write's
// transaction: secrets obtained at an address the connection no longer
// has (an editor changed it while a refresh was under way) are not kept,
// as they would be sent to the new one.
func (s *Switchboard) saveSecrets(opened *core.Record, values map[string]string) error {
	s.shared.saving.Lock()
	defer s.shared.saving.Unlock()
	ring, err := s.Keyring()
	if err != nil {
		return fmt.Errorf("keeping secrets: %w", err)
	}
	return s.app.RunInTransaction(func(tx core.App) error {
		rec, err := tx.FindRecordById(connectionsCollection, opened.Id)
		if err != nil {
			return fmt.Errorf("keeping secrets: connection %s: %w", opened.Id, err)
		}
		if change := s.addressChange(opened, rec); change != "" {
			return fmt.Errorf("keeping secrets of connection %q: not kept, they were obtained before its address changed (%s)",
				rec.GetString("name"), change)
		}
		sealed := sealedSecrets(rec)
		for name, v := range values {
			if v == "" {
				delete(sealed, name)
				continue
			}
			if sealed[name], err = ring.Seal(v, secretContext(name)); err != nil {
				return fmt.Errorf("keeping secret %s: %w", name, err)
			}
		}
		rec.Set("secrets", sealed)
		if err := tx.Save(rec); err != nil {
			return fmt.Errorf("keeping secrets of connection %q: %w", rec.GetString("name"), err)
		}
		return nil
	})
}

// drop forgets a deleted connection's shared state.
func (s *sharedStates) drop(conn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byConn, conn)
}
