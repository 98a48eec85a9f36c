package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// ErrNoSampler is returned when a connection's connector cannot show
// records without reading them.
var ErrNoSampler = errors.New("this app cannot show a sample record without reading it; paste one instead")

// sampleTimeout bounds a sample read.
const sampleTimeout = 30 * time.Second

// SampleConnection returns up to n native records a flow of entity with
// the read options would read from conn, without reading them: nothing is
// claimed or moved, and the next run reads them all (connectors.Sampler).
// Values under credential-like keys and the connection's secrets are
// redacted. ErrNoSampler when the connector cannot.
func (s *Switchboard) SampleConnection(ctx context.Context, conn *core.Record, entity string, options map[string]any, n int) ([]map[string]any, error) {
	reg, ok := s.registry.Lookup(conn.GetString("connector"))
	if !ok {
		return nil, fmt.Errorf("connection %q: unknown connector %q", conn.GetString("name"), conn.GetString("connector"))
	}
	connCfg, err := resolvedConfig(conn, reg.Spec)
	if err != nil {
		return nil, err
	}
	opts, err := reg.Spec.ResolveAndValidateFlow(connectors.UseRead, options, connCfg, connectors.Env{Files: s.FilesRoot()})
	if err != nil {
		return nil, err
	}
	opened, err := s.OpenConnection(conn)
	if err != nil {
		return nil, err
	}
	defer func() { _ = opened.Close() }()
	sampler, ok := opened.(connectors.Sampler)
	if !ok {
		return nil, ErrNoSampler
	}
	ctx, cancel := context.WithTimeout(ctx, sampleTimeout)
	defer cancel()
	recs, err := sampler.Sample(ctx, connectors.ReadRequest{Entity: connectors.Entity(entity), Options: opts, PageSize: n}, n)
	redact := s.redactorOf(conn)
	if err != nil {
		return nil, errors.New(redact.text(err.Error()))
	}
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		if r.Err == nil && r.Data != nil {
			out = append(out, redact.record(r.Data))
		}
	}
	return out, nil
}

// SampleFlow returns up to n records a flow's source would read next,
// with the flow's read options, without reading them; ErrNotFound when
// there is no such flow.
func (e *Engine) SampleFlow(ctx context.Context, flowID string, n int) ([]map[string]any, error) {
	flow, err := e.app().FindRecordById(flowsCollection, flowID)
	if err != nil {
		return nil, ErrNotFound
	}
	source, err := e.app().FindRecordById(connectionsCollection, flow.GetString("source"))
	if err != nil {
		return nil, ErrNotFound
	}
	opts, _ := FlowOptionsOf(flow)[OptionsSource].(map[string]any)
	return e.sb.SampleConnection(ctx, source, flow.GetString("entity"), opts, n)
}
