package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/redact"
	"github.com/switchboard-app/switchboard/connectors"
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
		HTTPClient: &http.Client{Timeout: httpTimeout},
		DataDir:    filepath.Join(s.app.DataDir(), "connections", rec.Id),
		Files:      s.FilesRoot(),
	}
	conn, err := s.registry.Open(rec.GetString("connector"), config, plain, env)
	if err != nil {
		return nil, fmt.Errorf("connection %q: %w", rec.GetString("name"), err)
	}
	return conn, nil
}
