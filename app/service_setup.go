package app

import (
	"errors"
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/mappings"
)

// Setup is an integration to create at once with its flows, and the
// connections it needs: what the wizard activates and an import creates.
type Setup struct {
	Name        string
	Enabled     bool
	AlertEmails string
	// A and B are the integration's two connections.
	A, B  SetupConnection
	Flows []SetupFlow
}

// SetupConnection is one of a setup's connections: an existing one (ID),
// or a new one to create (Input).
type SetupConnection struct {
	ID    string
	Input ConnectionInput
}

// SetupFlow is one flow of a setup.
type SetupFlow struct {
	Name, Entity string
	// Forward is true for a flow from A to B, false from B to A.
	Forward  bool
	Schedule string
	Webhook  bool
	Enabled  bool
	Options  map[string]any
	Mapping  FlowMapping
	Rules    []mappings.Rule
}

// SetupResult is what a setup created.
type SetupResult struct {
	Integration *core.Record
	A, B        *core.Record
	Flows       []*core.Record
}

// SetupError is a setup's refusal: the part that was refused ("a", "b",
// "integration" or "flows.2") and why, as PocketBase's validation.Errors
// when a check refused it.
type SetupError struct {
	Part string
	Err  error
}

// Error names the part and the cause.
func (e *SetupError) Error() string { return e.Part + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *SetupError) Unwrap() error { return e.Err }

// CreateSetup creates a setup in one transaction: its new connections
// (secrets sealed), the integration and its flows, each through the same
// hooks and checks as the API. When any part is refused nothing is
// created, and the error is a *SetupError naming the part.
func (s *Switchboard) CreateSetup(setup Setup) (SetupResult, error) {
	var res SetupResult
	err := s.app.RunInTransaction(func(tx core.App) error {
		var err error
		res, err = s.createSetup(tx, setup)
		return err
	})
	if err != nil {
		var se *SetupError
		if !errors.As(err, &se) {
			err = fmt.Errorf("creating the integration: %w", err)
		}
		return SetupResult{}, err
	}
	return res, nil
}

// errDryRun rolls a checked setup back.
var errDryRun = errors.New("dry run")

// CheckSetup runs every check of CreateSetup and creates nothing: a
// refusal is the same *SetupError.
func (s *Switchboard) CheckSetup(setup Setup) error {
	err := s.app.RunInTransaction(func(tx core.App) error {
		if _, err := s.createSetup(tx, setup); err != nil {
			return err
		}
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

func (s *Switchboard) createSetup(tx core.App, setup Setup) (SetupResult, error) {
	var res SetupResult
	var err error
	if res.A, err = s.setupConnection(tx, "a", setup.A); err != nil {
		return res, err
	}
	if res.B, err = s.setupConnection(tx, "b", setup.B); err != nil {
		return res, err
	}
	if res.Integration, err = s.setupIntegration(tx, setup, res.A.Id, res.B.Id); err != nil {
		return res, err
	}
	for i, f := range setup.Flows {
		rec, err := s.setupFlow(tx, res, f)
		if err != nil {
			return res, &SetupError{Part: fmt.Sprintf("flows.%d", i), Err: err}
		}
		res.Flows = append(res.Flows, rec)
	}
	return res, nil
}

func (s *Switchboard) setupConnection(tx core.App, part string, c SetupConnection) (*core.Record, error) {
	if c.ID != "" {
		rec, err := tx.FindRecordById(connectionsCollection, c.ID)
		if err != nil {
			return nil, &SetupError{Part: part, Err: fmt.Errorf("no connection has the id %q: %w", c.ID, ErrNotFound)}
		}
		return rec, nil
	}
	saved, err := s.saveConnection(tx, nil, c.Input)
	if err != nil {
		return nil, &SetupError{Part: part, Err: err}
	}
	return saved.Record, nil
}

func (s *Switchboard) setupIntegration(tx core.App, setup Setup, a, b string) (*core.Record, error) {
	col, err := tx.FindCollectionByNameOrId("integrations")
	if err != nil {
		return nil, err
	}
	rec := core.NewRecord(col)
	rec.Set("name", setup.Name)
	rec.Set("a", a)
	rec.Set("b", b)
	rec.Set("enabled", setup.Enabled)
	rec.Set("alert_emails", setup.AlertEmails)
	if err := tx.Save(rec); err != nil {
		return nil, &SetupError{Part: "integration", Err: err}
	}
	return rec, nil
}

func (s *Switchboard) setupFlow(tx core.App, res SetupResult, f SetupFlow) (*core.Record, error) {
	col, err := tx.FindCollectionByNameOrId(flowsCollection)
	if err != nil {
		return nil, err
	}
	source, target := res.A.Id, res.B.Id
	if !f.Forward {
		source, target = target, source
	}
	rules := f.Rules
	if rules == nil {
		rules = []mappings.Rule{}
	}
	options := f.Options
	if options == nil {
		options = map[string]any{}
	}
	rec := core.NewRecord(col)
	for k, v := range map[string]any{"integration": res.Integration.Id, "name": f.Name, "entity": f.Entity,
		"source": source, "target": target, "schedule": f.Schedule, "webhook": f.Webhook, "enabled": f.Enabled,
		"options": options, "mapping": f.Mapping, "rules": rules} {
		rec.Set(k, v)
	}
	return rec, tx.Save(rec)
}
