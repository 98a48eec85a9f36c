package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/switchboard-app/switchboard/connectors"
)

// ConnectionInput is a connection as a form gives it.
type ConnectionInput struct {
	Name      string
	Connector string
	Config    map[string]any
	// Secrets are the secrets to set, in plain text; a secret not named
	// keeps its stored value, and "" removes one.
	Secrets map[string]string
}

// SavedConnection is what a save did besides storing the connection.
type SavedConnection struct {
	// Record is the saved connection.
	Record *core.Record
	// SecretsCleared names the secrets removed because the connection's
	// address changed (a secret is never sent to a new address).
	SecretsCleared []string
}

// SaveConnection creates (rec nil) or updates a connection through the
// same hooks as the API: its secrets are sealed and merged with those
// set at the moment of the write (a token the engine renewed since rec was
// read is kept), the config is checked against the connector's spec, and a
// new address clears the secrets not set again. A refusal is PocketBase's
// validation.Errors, with config.<field> and secrets.<field> keys.
func (s *Switchboard) SaveConnection(rec *core.Record, in ConnectionInput) (SavedConnection, error) {
	return s.saveConnection(s.app, rec, in)
}

// saveConnection is SaveConnection through app, which may be a
// transaction.
func (s *Switchboard) saveConnection(app core.App, rec *core.Record, in ConnectionInput) (SavedConnection, error) {
	if rec == nil {
		col, err := app.FindCollectionByNameOrId(connectionsCollection)
		if err != nil {
			return SavedConnection{}, err
		}
		rec = core.NewRecord(col)
		rec.Set("status", "unknown")
	}
	sealed := sealedSecrets(rec.Original())
	raw := make(map[string]any, len(in.Secrets))
	for name, v := range in.Secrets {
		raw[name] = v
	}
	if err := s.mergeSecrets(sealed, raw); err != nil {
		return SavedConnection{Record: rec}, err
	}
	rec.Set("name", in.Name)
	rec.Set("connector", in.Connector)
	rec.Set("config", in.Config)
	rec.Set("secrets", sealed)
	if err := app.Save(rec); err != nil {
		return SavedConnection{Record: rec}, err
	}
	saved := SavedConnection{Record: rec}
	if cleared, ok := rec.Get(secretsClearedField).([]string); ok {
		saved.SecretsCleared = cleared
	}
	return saved, nil
}

// SecretNames lists the secrets a connection has set, never their values.
func SecretNames(rec *core.Record) []string {
	var names []string
	for name := range sealedSecrets(rec) {
		names = append(names, name)
	}
	return names
}

// TestConnectionByID tests a connection, records the verdict as its status
// and answers it; ErrNotFound when there is no such connection. A test
// that ctx cancels (its caller gave up) records nothing.
func (s *Switchboard) TestConnectionByID(ctx context.Context, id string) (connectors.TestResult, error) {
	rec, err := s.app.FindRecordById(connectionsCollection, id)
	if err != nil {
		return connectors.TestResult{}, ErrNotFound
	}
	caller := ctx
	ctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	result := s.TestConnection(ctx, rec)
	if caller.Err() != nil {
		// The caller gave up (a page left, a script's timeout): a cut
		// test is no verdict on the app, and the status stays as it was.
		return result, nil
	}
	if err := s.saveConnectionStatus(rec.Id, result); err != nil {
		s.logger().Warn("saving connection status", "connection", rec.Id, "error", err)
	}
	switch {
	case result.OK && s.engine.health.isHeld(rec.Id):
		// The app answers: as a probe's answer, the paused flows resume
		// now instead of at the next probe.
		s.engine.health.probeOK(rec.Id)
	case result.OK && s.engine.reconnects.isHeld(rec.Id):
		// Its authorization works again (an organisation connected in
		// the app itself): the waiting flows resume, as after a connect.
		s.engine.reconnects.reconnected(rec.Id)
	case result.NeedsAttention && s.engine.health.isDown(rec.Id):
		// As a probe's: the outage is one a person must fix.
		s.engine.health.downNeedsAttention(rec.Id, result.Message, time.Now())
	}
	return result, nil
}

// TestConnection opens the connection and asks its app for a verdict, with
// the connection's secrets redacted (an app may quote them in an error).
// It never fails: what went wrong is the verdict.
func (s *Switchboard) TestConnection(ctx context.Context, rec *core.Record) connectors.TestResult {
	return s.redactorOf(rec).testResult(s.testConnection(ctx, rec))
}

func (s *Switchboard) testConnection(ctx context.Context, rec *core.Record) connectors.TestResult {
	conn, err := s.OpenConnection(rec)
	if err != nil {
		return connectors.TestResult{OK: false, Message: err.Error()}
	}
	defer func() { _ = conn.Close() }()
	result, err := conn.Test(ctx)
	if err != nil {
		msg := err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			msg = "no answer within " + testTimeout.String() + ": " + msg
		}
		return connectors.TestResult{OK: false, Message: msg, NeedsAttention: connectors.IsNeedsAttention(err)}
	}
	return result
}

// saveConnectionStatus records a test's verdict on the connection as it
// is now: read again in the write that records it, so that what was saved
// while the test waited for the app (a name, an address, a secret) is
// kept, not put back as the test read it. A connection deleted meanwhile
// has nothing to record. A failed test of a connection marked down leaves
// it down: the outage, its mail and its recovery mail are the engine's;
// one of a connection held until it is fixed keeps it held.
func (s *Switchboard) saveConnectionStatus(id string, result connectors.TestResult) error {
	status := ConnOK
	if !result.OK {
		status = ConnFailing
	}
	return updateStoredConnection(s.app, id, func(rec *core.Record) {
		msg := result.Message
		if status == ConnFailing && rec.GetString("status") == ConnDown {
			status = ConnDown
		}
		if status == ConnFailing && strings.HasPrefix(rec.GetString("status_message"), attentionPrefix) {
			msg = attentionPrefix + msg // still held: a restart knows it
		}
		rec.Set("status", status)
		rec.Set("status_message", truncate(msg, 2000))
		rec.Set("checked", types.NowDateTime())
	})
}
