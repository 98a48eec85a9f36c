package app

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/mappings"
)

// IntegrationInput is an integration as a form gives it.
type IntegrationInput struct {
	Name string
	// A and B are the ids of its two connections.
	A, B    string
	Enabled bool
}

// SaveIntegration creates (rec nil) or updates an integration through the
// same hooks and checks as the API. A refusal is PocketBase's
// validation.Errors, keyed by field.
func (s *Switchboard) SaveIntegration(rec *core.Record, in IntegrationInput) (*core.Record, error) {
	if rec == nil {
		col, err := s.app.FindCollectionByNameOrId("integrations")
		if err != nil {
			return nil, fmt.Errorf("finding the integrations: %w", err)
		}
		rec = core.NewRecord(col)
	}
	rec.Set("name", in.Name)
	rec.Set("a", in.A)
	rec.Set("b", in.B)
	rec.Set("enabled", in.Enabled)
	if err := s.app.Save(rec); err != nil {
		return rec, err
	}
	return rec, nil
}

// FlowInput is a flow's settings as a form gives them; its mapping and
// rules are saved on their own (SaveFlowMapping, SaveFlowRules).
type FlowInput struct {
	Integration string
	Name        string
	Entity      string
	// Source and Target are connection ids: the integration's two, either
	// way round.
	Source, Target string
	// Schedule is a cron expression or @every interval; "" is by hand only.
	Schedule string
	Webhook  bool
	Enabled  bool
	// Options are the engine's options at the top level and the
	// connections' under "source" and "target".
	Options map[string]any
}

// SaveFlow creates (rec nil) or updates a flow through the same hooks and
// checks as the API: the schedule must parse, the connections must be the
// integration's and able to read and write the entity, the options must
// resolve and the mapping and rules must compile. A refusal is
// PocketBase's validation.Errors, with an error per field and option
// (options.source.pattern).
func (s *Switchboard) SaveFlow(rec *core.Record, in FlowInput) (*core.Record, error) {
	if rec == nil {
		col, err := s.app.FindCollectionByNameOrId(flowsCollection)
		if err != nil {
			return nil, fmt.Errorf("finding the flows: %w", err)
		}
		rec = core.NewRecord(col)
	}
	options := in.Options
	if options == nil {
		options = map[string]any{}
	}
	rec.Set("integration", in.Integration)
	rec.Set("name", in.Name)
	rec.Set("entity", in.Entity)
	rec.Set("source", in.Source)
	rec.Set("target", in.Target)
	rec.Set("schedule", in.Schedule)
	rec.Set("webhook", in.Webhook)
	rec.Set("enabled", in.Enabled)
	rec.Set("options", options)
	if err := s.app.Save(rec); err != nil {
		return rec, err
	}
	return rec, nil
}

// SaveFlowMapping replaces a flow's mapping overrides and tables. A
// mapping that does not compile is refused with an error per field
// (mapping.in.<target>), and nothing is saved; ErrNotFound when there is
// no such flow.
func (s *Switchboard) SaveFlowMapping(flowID string, m FlowMapping) (*core.Record, error) {
	rec, err := s.app.FindRecordById(flowsCollection, flowID)
	if err != nil {
		return nil, ErrNotFound
	}
	rec.Set("mapping", m)
	return rec, s.app.Save(rec)
}

// SaveFlowRules replaces a flow's business rules. Rules that do not
// compile are refused, and nothing is saved; ErrNotFound when there is no
// such flow.
func (s *Switchboard) SaveFlowRules(flowID string, rules []mappings.Rule) (*core.Record, error) {
	rec, err := s.app.FindRecordById(flowsCollection, flowID)
	if err != nil {
		return nil, ErrNotFound
	}
	if rules == nil {
		rules = []mappings.Rule{}
	}
	rec.Set("rules", rules)
	return rec, s.app.Save(rec)
}

// FlowMappingOf reads a flow's own mapping: its overrides and tables.
func FlowMappingOf(rec *core.Record) (FlowMapping, error) {
	var m FlowMapping
	if err := rec.UnmarshalJSONField("mapping", &m); err != nil {
		return m, fmt.Errorf("flow %q: mapping: %w", rec.GetString("name"), err)
	}
	return m, nil
}

// FlowRulesOf reads a flow's rules.
func FlowRulesOf(rec *core.Record) ([]mappings.Rule, error) {
	var rules []mappings.Rule
	if err := rec.UnmarshalJSONField("rules", &rules); err != nil {
		return nil, fmt.Errorf("flow %q: rules: %w", rec.GetString("name"), err)
	}
	return rules, nil
}

// FlowOptionsOf reads a flow's stored options; none is an empty object.
func FlowOptionsOf(rec *core.Record) map[string]any {
	out, ok := optionsObject(rec.GetString("options"))
	if !ok {
		return map[string]any{}
	}
	return out
}
