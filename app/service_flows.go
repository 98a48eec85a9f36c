package app

import (
	"fmt"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/mappings"
)

// RunNow starts a run of a flow by hand and answers the run's id. It
// answers ErrNotFound, ErrFlowRunning (with the running run's id),
// ErrFlowDisabled, or why the flow cannot run.
func (e *Engine) RunNow(flowID string) (string, error) {
	if !e.exists(flowsCollection, flowID) {
		return "", ErrNotFound
	}
	return e.RunFlow(flowID, TriggerManual)
}

// FlowMapping is a flow's mapping field: field overrides for each
// direction and lookup tables.
type FlowMapping = flowMapping

// PreviewRequest is a preview's input: a sample record (else the flow's
// latest input), and optionally a mapping and rules to try instead of the
// flow's saved ones.
type PreviewRequest struct {
	Sample  map[string]any   `json:"sample"`
	Mapping *FlowMapping     `json:"mapping"`
	Rules   *[]mappings.Rule `json:"rules"`
}

// Preview maps one sample record through every stage of a flow, writing
// nothing. It answers ErrNotFound, ErrNoSample, or an
// *InvalidRequestError when the flow, its options or its mapping cannot be
// loaded.
func (e *Engine) Preview(flowID string, req PreviewRequest) (PreviewAnswer, error) {
	rt, err := e.loadFlow(flowID)
	switch {
	case err != nil && !e.exists(flowsCollection, flowID):
		return PreviewAnswer{}, ErrNotFound
	case err != nil: // there, but its options or connections do not load: say why
		return PreviewAnswer{}, &InvalidRequestError{Reason: "The flow cannot be previewed: " + err.Error() + "."}
	}
	if req.Sample == nil {
		if req.Sample, err = e.latestInput(rt.flow.Id); err != nil || req.Sample == nil {
			return PreviewAnswer{}, ErrNoSample
		}
	}
	cfg, err := e.flowConfig(rt)
	if err != nil {
		return PreviewAnswer{}, &InvalidRequestError{Reason: err.Error()}
	}
	if req.Mapping != nil {
		cfg.InOverrides, cfg.OutOverrides, cfg.Tables = req.Mapping.In, req.Mapping.Out, req.Mapping.Tables
	}
	if req.Rules != nil {
		cfg.Rules = *req.Rules
	}
	answer := previewAnswer(mappings.Preview(cfg, req.Sample))
	if answer.Output != nil && !answer.Skipped && len(answer.Errors) == 0 {
		answer.Target = e.previewTarget(rt, answer.Key, answer.Output)
	}
	return answer, nil
}

func (e *Engine) latestInput(flowID string) (map[string]any, error) {
	var payloads string
	err := e.app().DB().NewQuery(`SELECT payloads FROM transactions WHERE flow = {:flow} AND payloads != ''
		ORDER BY id DESC LIMIT 1`).Bind(dbx.Params{"flow": flowID}).Row(&payloads)
	if err != nil {
		return nil, err
	}
	p, err := e.payloads.decode(payloads)
	return p.Input, err
}

// WebhookInfo is where a flow takes webhooks and the secret its calls are
// signed with.
type WebhookInfo struct {
	Enabled bool   `json:"enabled"`
	URL     string `json:"url"`
	Secret  string `json:"secret"`
}

// FlowWebhook tells where a flow takes webhooks and its signing secret,
// opened; ErrNotFound when there is no such flow, and the key's error when
// the secret cannot be opened. Only editors may read it.
func (e *Engine) FlowWebhook(flowID string) (WebhookInfo, error) {
	flow, err := e.app().FindRecordById(flowsCollection, flowID)
	if err != nil {
		return WebhookInfo{}, ErrNotFound
	}
	secret, err := e.sb.WebhookSecret(flow)
	if err != nil {
		return WebhookInfo{}, err
	}
	return WebhookInfo{Enabled: flow.GetBool("webhook"), URL: e.hookURL(flow.Id), Secret: secret}, nil
}

// exists tells whether a record of the collection has the id.
func (e *Engine) exists(collection, id string) bool {
	_, err := e.app().FindRecordById(collection, id)
	return err == nil
}

// FlowMappingConfig returns what a flow maps with: its connectors' default
// mappings, its own overrides and its rules; ErrNotFound when there is no
// such flow.
func (e *Engine) FlowMappingConfig(flowID string) (mappings.FlowConfig, error) {
	rt, err := e.loadFlow(flowID)
	if err != nil {
		return mappings.FlowConfig{}, ErrNotFound
	}
	return e.flowConfig(rt)
}

// NextRuns returns the next n times a schedule fires after from, as the
// engine reads it (cron, descriptors such as @hourly, @every 5m; in UTC
// unless it begins with CRON_TZ=), in from's time zone.
func NextRuns(schedule string, from time.Time, n int) ([]time.Time, error) {
	sched, err := parseSchedule(schedule)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", schedule, err)
	}
	out := make([]time.Time, 0, n)
	for t := from.In(scheduleZone); len(out) < n; {
		t = sched.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t.In(from.Location()))
	}
	return out, nil
}
