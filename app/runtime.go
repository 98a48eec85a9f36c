package app

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/mappings"
)

// flowRuntime is what a flow version needs to move records: its records,
// its compiled mapping program and an open target connector. Runtimes are
// cached and dropped when the flow, its integration or its connections
// change.
type flowRuntime struct {
	flow, integration, source, target *core.Record
	entity                            connectors.Entity
	ordered                           bool
	fullFeed                          bool              // write unchanged records too
	sourceOptions, targetOptions      connectors.Config // the flow's options for reading and for writing
	program                           *mappings.Program
	redact                            redactor
	place                             string       // where in the target it writes: its xrefs' scope (connectors.Spec.Place)
	scope                             atomic.Int64 // the number of its xrefs' scope, once found (xrefs.go)

	mu          sync.Mutex
	writer      connectors.Writer
	conn        connectors.Connector
	flusher     connectors.Flusher
	held        []outcome        // written, waiting for the flush
	heldSince   time.Time        // when the oldest of held was written
	unpublished []pendingPublish // committed output not yet published
	flushMu     sync.RWMutex     // writes share it; a flush takes it alone to end the target's output
	publishMu   sync.Mutex       // held by a flush from its Prepare's end until it has published
	flushing    atomic.Bool      // a goroutine of flushSoon is flushing it
	flushWanted atomic.Bool      // flushSoon was asked to flush it
	receiver    connectors.WebhookReceiver
	sourceConn  connectors.Connector
	hookSecret  string       // the flow's webhook secret, opened with the receiver
	deferred    deferredRows // pages of its runs handed over unstored (deferred.go)
}

// flowMapping is a flow's mapping field: field overrides for each
// direction, and its lookup tables.
type flowMapping struct {
	In     []mappings.Field `json:"in,omitempty"`
	Out    []mappings.Field `json:"out,omitempty"`
	Tables mappings.Tables  `json:"tables,omitempty"`
}

type runtimeCache struct {
	mu    sync.Mutex
	flows map[string]*flowRuntime
}

// runtime returns the cached runtime of a flow, building it when needed.
func (e *Engine) runtime(flowID string) (*flowRuntime, error) {
	e.cache.mu.Lock()
	rt, ok := e.cache.flows[flowID]
	e.cache.mu.Unlock()
	if ok {
		return rt, nil
	}
	rt, err := e.buildRuntime(flowID)
	if err != nil {
		return nil, err
	}
	e.cache.mu.Lock()
	defer e.cache.mu.Unlock()
	if cached, ok := e.cache.flows[flowID]; ok {
		rt.close()
		return cached, nil
	}
	e.cache.flows[flowID] = rt
	return rt, nil
}

// forget drops cached runtimes: of one flow, or all when flowID is "".
func (e *Engine) forget(flowID string) {
	e.cache.mu.Lock()
	defer e.cache.mu.Unlock()
	for id, rt := range e.cache.flows {
		if flowID == "" || id == flowID {
			e.retire(rt)
			delete(e.cache.flows, id)
		}
	}
}

func (e *Engine) buildRuntime(flowID string) (*flowRuntime, error) {
	rt, err := e.loadFlow(flowID)
	if err != nil {
		return nil, err
	}
	if rt.program, err = e.compile(rt); err != nil {
		return nil, err
	}
	return rt, nil
}

// loadFlow reads a flow with its integration, connections and options.
func (e *Engine) loadFlow(flowID string) (*flowRuntime, error) {
	rt, err := e.loadFlowRecords(flowID)
	if err != nil {
		return nil, err
	}
	opts, err := e.sb.resolveFlowOptions(rt.flow, rt.source, rt.target)
	if err != nil {
		return nil, fmt.Errorf("flow %q: %w", rt.flow.GetString("name"), err)
	}
	rt.ordered, rt.fullFeed = opts.engine.Bool(OptionOrdered), opts.engine.Bool(OptionFullFeed)
	rt.sourceOptions, rt.targetOptions = opts.source, opts.target
	if reg, found := e.sb.registry.Lookup(rt.target.GetString("connector")); found {
		rt.place = reg.Spec.PlaceOf(opts.target)
	}
	return rt, nil
}

// loadFlowRecords reads a flow with its integration and connections, and
// the redaction of its connections' secrets, without its options: enough
// to name it, as an alert mail does, even when its options no longer fit
// its connections.
func (e *Engine) loadFlowRecords(flowID string) (*flowRuntime, error) {
	app := e.sb.app
	flow, err := app.FindRecordById(flowsCollection, flowID)
	if err != nil {
		return nil, fmt.Errorf("flow %s no longer exists", flowID)
	}
	rt := &flowRuntime{flow: flow, entity: connectors.Entity(flow.GetString("entity"))}
	if rt.integration, err = app.FindRecordById("integrations", flow.GetString("integration")); err != nil {
		return nil, fmt.Errorf("flow %q: integration: %w", flow.GetString("name"), err)
	}
	if rt.source, err = app.FindRecordById(connectionsCollection, flow.GetString("source")); err != nil {
		return nil, fmt.Errorf("flow %q: source connection: %w", flow.GetString("name"), err)
	}
	if rt.target, err = app.FindRecordById(connectionsCollection, flow.GetString("target")); err != nil {
		return nil, fmt.Errorf("flow %q: target connection: %w", flow.GetString("name"), err)
	}
	rt.redact = e.sb.redactorOf(rt.source, rt.target)
	return rt, nil
}

// compile builds the flow's mapping program from the connectors' default
// mappings, the flow's overrides and its rules.
func (e *Engine) compile(rt *flowRuntime) (*mappings.Program, error) {
	cfg, err := e.flowConfig(rt)
	if err != nil {
		return nil, err
	}
	prog, err := mappings.Compile(cfg)
	if err != nil {
		return nil, fmt.Errorf("flow %q: %w", rt.flow.GetString("name"), err)
	}
	return prog, nil
}

// flowConfig gathers a flow's mapping configuration, with the business
// time zone in force.
func (e *Engine) flowConfig(rt *flowRuntime) (mappings.FlowConfig, error) {
	name := rt.flow.GetString("name")
	var fm flowMapping
	var none mappings.FlowConfig
	if err := rt.flow.UnmarshalJSONField("mapping", &fm); err != nil {
		return none, fmt.Errorf("flow %q: mapping: %w", name, err)
	}
	var rules []mappings.Rule
	if err := rt.flow.UnmarshalJSONField("rules", &rules); err != nil {
		return none, fmt.Errorf("flow %q: rules: %w", name, err)
	}
	in, err := e.defaultMapping(rt.source, string(rt.entity), mappings.In)
	if err != nil {
		return none, err
	}
	out, err := e.defaultMapping(rt.target, string(rt.entity), mappings.Out)
	if err != nil {
		return none, err
	}
	return mappings.FlowConfig{
		Entity: string(rt.entity), In: in, Out: out,
		InOverrides: fm.In, OutOverrides: fm.Out, Rules: rules, Tables: fm.Tables,
		BusinessZone: e.tuned.businessZone(),
	}, nil
}

func (e *Engine) defaultMapping(conn *core.Record, entity string, dir mappings.Direction) (*mappings.Mapping, error) {
	reg, ok := e.sb.registry.Lookup(conn.GetString("connector"))
	if !ok {
		return nil, fmt.Errorf("connection %q: unknown connector %q", conn.GetString("name"), conn.GetString("connector"))
	}
	if reg.Spec.Mappings == nil {
		return nil, nil
	}
	all, err := mappings.LoadDefaults(reg.Spec.Mappings, ".")
	if err != nil {
		return nil, fmt.Errorf("connector %s: %w", reg.Spec.Name, err)
	}
	return mappings.Find(all, entity, dir), nil
}

// targetWriter returns the flow's open target connector, opening it once.
func (rt *flowRuntime) targetWriter(sb *Switchboard) (connectors.Writer, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.writer != nil {
		return rt.writer, nil
	}
	conn, err := sb.OpenConnection(rt.target)
	if err != nil {
		return nil, connectors.Permanent(err)
	}
	w, ok := conn.(connectors.Writer)
	if !ok {
		_ = conn.Close()
		return nil, connectors.Permanent(fmt.Errorf("connection %q cannot write", rt.target.GetString("name")))
	}
	rt.conn, rt.writer = conn, w
	rt.flusher, _ = conn.(connectors.Flusher)
	return w, nil
}

func (rt *flowRuntime) close() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.conn != nil {
		_ = rt.conn.Close()
		rt.conn, rt.writer, rt.flusher = nil, nil, nil
	}
	if rt.sourceConn != nil {
		_ = rt.sourceConn.Close()
		rt.sourceConn, rt.receiver, rt.hookSecret = nil, nil, ""
	}
}

// publishes reports whether the flow's target, once opened, publishes its
// output in two steps (a file target).
func (rt *flowRuntime) publishes() bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	_, ok := rt.flusher.(connectors.Publisher)
	return ok
}

// retire ends a runtime the cache lets go: no run's page begins in it any
// more, and what its target holds is flushed.
func (e *Engine) retire(rt *flowRuntime) {
	rt.deferred.close()
	e.flush(rt)
	rt.close()
}
