package app

import (
	"context"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// connectionXrefs answers a writer's questions about where records went
// between one source and one target connection, into one place of the
// target (connectors.Spec.Place), whichever flow wrote them.
type connectionXrefs struct {
	app                   core.App
	source, target, place string
}

var _ connectors.Xrefs = connectionXrefs{}

// xrefs returns the lookups of the flow's two connections and place.
func (rt *flowRuntime) xrefs(app core.App) connectionXrefs {
	return connectionXrefs{app: app, source: rt.source.Id, target: rt.target.Id, place: rt.place}
}

// findScopeSQL reads the number of the scope of two connections, an
// entity and a place, if it has one.
const findScopeSQL = `SELECT id FROM xref_scopes WHERE source = {:source} AND target = {:target} AND entity = {:entity} AND place = {:place}`

// scopeID returns the number of the flow's xrefs' scope, or 0 while it has
// none: its first recorded write numbers it (outcomes.go). A number, once
// found, is kept: it is never given to another scope.
func (rt *flowRuntime) scopeID(app core.App) (int64, error) {
	if id := rt.scope.Load(); id != 0 {
		return id, nil
	}
	var ids []int64
	err := app.ConcurrentDB().NewQuery(findScopeSQL).Bind(dbx.Params{"source": rt.source.Id, "target": rt.target.Id,
		"entity": string(rt.entity), "place": rt.place}).Column(&ids)
	if err != nil {
		return 0, fmt.Errorf("reading the xrefs' scope of flow %q: %w", rt.flow.GetString("name"), err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	rt.scope.Store(ids[0])
	return ids[0], nil
}

// flowScope is the number of a flow's xrefs' scope for the claim's
// lookup, 0 when it has none or the flow cannot be loaded (its worker then
// fails the transaction without writing).
func (e *Engine) flowScope(flow string) (int64, error) {
	rt, err := e.runtime(flow)
	if err != nil {
		return 0, nil
	}
	return rt.scopeID(e.app())
}

// TargetID implements [connectors.Xrefs.TargetID].
func (x connectionXrefs) TargetID(_ context.Context, entity connectors.Entity, sourceID string) (string, bool, error) {
	return x.find(entity, "source_id", sourceID)
}

// TargetIDByKey implements [connectors.Xrefs.TargetIDByKey].
func (x connectionXrefs) TargetIDByKey(_ context.Context, entity connectors.Entity, key string) (string, bool, error) {
	return x.find(entity, "key", key)
}

// findXrefSQL reads the target id of the latest xref of the two
// connections, entity and place whose source_id or key ({:column}) has
// the value.
const findXrefSQL = `SELECT x.target_id FROM xref_scopes s JOIN xrefs x ON x.scope = s.id
	WHERE s.source = {:source} AND s.target = {:target} AND s.entity = {:entity} AND s.place = {:place} AND x.%s = {:value}
	AND x.target_id != '' ORDER BY x.updated DESC LIMIT 1`

// find reads the target id of the latest xref whose column has the value,
// a key or an id as the xref stores it (fitKey).
func (x connectionXrefs) find(entity connectors.Entity, column, value string) (string, bool, error) {
	if value == "" {
		return "", false, nil
	}
	value = fitKey(value, maxKey)
	var ids []string
	err := x.app.DB().NewQuery(fmt.Sprintf(findXrefSQL, column)).
		Bind(dbx.Params{"source": x.source, "target": x.target, "entity": string(entity), "place": x.place, "value": value}).Column(&ids)
	if err != nil {
		return "", false, fmt.Errorf("looking up the target id of %s %s %q: %w", entity, column, value, err)
	}
	if len(ids) == 0 {
		return "", false, nil
	}
	return ids[0], true, nil
}

// findByKey asks a target that can look records up by business key for a
// record that no earlier write is known of, so that it is updated instead
// of created twice.
func findByKey(ctx context.Context, w connectors.Writer, entity connectors.Entity, key string) (string, error) {
	finder, ok := w.(connectors.KeyFinder)
	if !ok || key == "" {
		return "", nil
	}
	id, found, err := finder.FindByKey(ctx, entity, key)
	if err != nil || !found {
		return "", err
	}
	return id, nil
}
