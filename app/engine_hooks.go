package app

import (
	"github.com/pocketbase/pocketbase/core"
)

// bindHooks keeps the engine's caches and schedules in step with the
// configuration: a changed flow, integration or connection is reloaded.
func (e *Engine) bindHooks() {
	app := e.sb.app
	app.OnRecordEnrich("transactions").BindFunc(hideInternals)
	app.OnRecordEnrich("flow_state").BindFunc(e.sb.redactCursor)
	flowChanged := func(ev *core.RecordEvent) error {
		e.dropActive()
		e.forget(ev.Record.Id)
		e.reschedule(ev.Record.Id)
		e.syncWebhooks(ev.Record.Id)
		return ev.Next()
	}
	app.OnRecordAfterCreateSuccess(flowsCollection).BindFunc(flowChanged)
	app.OnRecordAfterUpdateSuccess(flowsCollection).BindFunc(flowChanged)
	app.OnRecordAfterUpdateSuccess(flowsCollection).BindFunc(func(ev *core.RecordEvent) error {
		if recordShapeChanged(ev.Record) {
			e.payloads.renew(ev.Record.Id)
		}
		return ev.Next()
	})
	app.OnRecordAfterDeleteSuccess(flowsCollection).BindFunc(flowChanged)
	forgetAll := func(ev *core.RecordEvent) error {
		e.forget("")
		return ev.Next()
	}
	integrationChanged := func(ev *core.RecordEvent) error {
		e.dropActive()
		e.forget("")
		e.rescheduleIntegration(ev.Record.Id)
		e.syncIntegrationWebhooks(ev.Record.Id)
		return ev.Next()
	}
	app.OnRecordAfterUpdateSuccess("integrations").BindFunc(integrationChanged)
	app.OnRecordAfterUpdateSuccess("integrations").BindFunc(func(ev *core.RecordEvent) error {
		e.alerts.wake() // failures held for want of alert addresses go out at once
		return ev.Next()
	})
	app.OnSettingsReload().BindFunc(func(ev *core.SettingsReloadEvent) error {
		err := ev.Next()
		e.alerts.wake() // and those held for want of a mail server
		return err
	})
	app.OnRecordAfterDeleteSuccess("integrations").BindFunc(forgetAll)
	app.OnRecordAfterDeleteSuccess(connectionsCollection).BindFunc(func(ev *core.RecordEvent) error {
		e.sb.shared.drop(ev.Record.Id)
		return forgetAll(ev)
	})
	app.OnRecordAfterUpdateSuccess(connectionsCollection).BindFunc(func(ev *core.RecordEvent) error {
		if configChanged(ev.Record) {
			e.forgetConnection(ev.Record.Id)
		}
		return ev.Next()
	})
}

// forgetConnection drops the cached runtimes of the flows that use a
// connection, so that they open it again with its new configuration and
// secrets (a refreshed token included) and redact them.
func (e *Engine) forgetConnection(conn string) {
	e.cache.mu.Lock()
	defer e.cache.mu.Unlock()
	for id, rt := range e.cache.flows {
		if rt.source.Id == conn || rt.target.Id == conn {
			e.retire(rt)
			delete(e.cache.flows, id)
		}
	}
}

// configChanged reports whether a connection's configuration changed, as
// opposed to only the health fields the engine keeps.
func configChanged(rec *core.Record) bool {
	return fieldsChanged(rec, "name", "connector", "config", "secrets")
}

// fieldsChanged reports whether a saved record's value of any of the
// fields differs from the one it was read with.
func fieldsChanged(rec *core.Record, fields ...string) bool {
	old := rec.Original()
	for _, field := range fields {
		if rec.GetString(field) != old.GetString(field) {
			return true
		}
	}
	return false
}

// hideInternals keeps the engine's raw columns out of API answers, even
// superusers': payloads are served decoded by their own route.
func hideInternals(e *core.RecordEnrichEvent) error {
	if err := e.Next(); err != nil {
		return err
	}
	e.Record.Hide("payloads", "lane")
	return nil
}

// recordShapeChanged reports whether a saved flow's records may now have
// other keys (its mapping, rules, connections, options or entity changed),
// so that its payloads want a new dictionary.
func recordShapeChanged(flow *core.Record) bool {
	return fieldsChanged(flow, "entity", "source", "target", "options", "mapping", "rules")
}

// redactCursor serves a flow's cursor with the secrets of the flow's
// connections redacted, to superusers too: a list paged by the app's own
// links keeps the next page's address there, which may repeat an API key
// sent in the query. The column is hidden (no filter or sort may touch
// it), and it stays out of the answer when the flow's connections or
// their secrets cannot be read.
func (s *Switchboard) redactCursor(e *core.RecordEnrichEvent) error {
	if err := e.Next(); err != nil {
		return err
	}
	e.Record.Hide("cursor")
	clean, ok := s.flowRedactor(e.App, e.Record.GetString("flow"))
	if !ok {
		return nil
	}
	e.Record.Set("cursor", clean.text(e.Record.GetString("cursor")))
	e.Record.Unhide("cursor")
	return nil
}

// flowRedactor builds the redactor of a flow's two connections; false
// when the flow, a connection or a secret of theirs cannot be read.
func (s *Switchboard) flowRedactor(app core.App, flowID string) (redactor, bool) {
	flow, err := app.FindRecordById(flowsCollection, flowID)
	if err != nil {
		return redactor{}, false
	}
	conns := make([]*core.Record, 0, 2)
	for _, end := range []string{"source", "target"} {
		rec, err := app.FindRecordById(connectionsCollection, flow.GetString(end))
		if err != nil {
			return redactor{}, false
		}
		if _, err := s.ConnectionSecrets(rec); err != nil {
			return redactor{}, false
		}
		conns = append(conns, rec)
	}
	return s.redactorOf(conns...), true
}
