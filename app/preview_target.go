package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// previewTargetTimeout bounds the preview's calls to the target.
const previewTargetTimeout = 15 * time.Second

// PreviewTarget is the target's current record beside what a write would
// send: the fields it would change.
type PreviewTarget struct {
	// ID is the record's id in the target.
	ID string `json:"id"`
	// Current is the record as the target has it now.
	Current map[string]any `json:"current,omitempty"`
	// Changes are the written fields whose value would change, by path.
	Changes []PreviewChange `json:"changes"`
	// Problem says why the current record could not be read.
	Problem string `json:"problem,omitempty"`
}

// PreviewChange is one field a write would change.
type PreviewChange struct {
	Field   string `json:"field"`
	Current any    `json:"current"`
	New     any    `json:"new"`
}

// previewTarget finds the record a write of output would update (by the
// xref of its business key, else by asking a target that finds records by
// key) and compares it with output. Nil when the write would create a new
// record, or the target cannot read records by id.
func (e *Engine) previewTarget(rt *flowRuntime, key string, output map[string]any) *PreviewTarget {
	ctx, cancel := context.WithTimeout(context.Background(), previewTargetTimeout)
	defer cancel()
	conn, err := e.sb.OpenConnection(rt.target)
	if err != nil {
		return nil
	}
	defer func() { _ = conn.Close() }()
	getter, ok := conn.(connectors.Getter)
	if !ok {
		return nil
	}
	id := e.knownTargetID(ctx, rt, conn, key)
	if id == "" {
		return nil
	}
	rec, err := getter.Get(ctx, rt.entity, id)
	if err != nil {
		if errors.Is(err, connectors.ErrRecordNotFound) {
			return nil
		}
		return &PreviewTarget{ID: id, Changes: []PreviewChange{}, Problem: rt.redact.text(fmt.Sprintf("the current record could not be read: %v", err))}
	}
	return &PreviewTarget{ID: id, Current: rec.Data, Changes: changes(rec.Data, output)}
}

// knownTargetID is the target id of the record with the business key: its
// xref, else what a target that finds records by key answers.
func (e *Engine) knownTargetID(ctx context.Context, rt *flowRuntime, conn connectors.Connector, key string) string {
	if key == "" {
		return ""
	}
	if id, found, err := rt.xrefs(e.app()).TargetIDByKey(ctx, rt.entity, key); err == nil && found {
		return id
	}
	if w, ok := conn.(connectors.Writer); ok {
		if id, err := findByKey(ctx, w, rt.entity, key); err == nil {
			return id
		}
	}
	return ""
}

// changes lists the fields of output whose value differs from current's,
// by path ("prices.list", "lines[0].sku"), in path order. Fields output
// does not write are left out: a write keeps them.
func changes(current, output map[string]any) []PreviewChange {
	was, will := map[string]any{}, map[string]any{}
	flatten("", current, was)
	flatten("", output, will)
	out := []PreviewChange{}
	for path, v := range will {
		if old, ok := was[path]; !ok || text(old) != text(v) {
			out = append(out, PreviewChange{Field: path, Current: was[path], New: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// flatten puts every leaf value of v into out by its path.
func flatten(path string, v any, out map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flatten(p, child, out)
		}
	case []any:
		for i, child := range x {
			flatten(path+"["+strconv.Itoa(i)+"]", child, out)
		}
	default:
		out[path] = v
	}
}

// text is a leaf value as compared: numbers by their value, whatever
// their type.
func text(v any) string {
	switch x := v.(type) {
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int, int64:
		return fmt.Sprint(x)
	case nil:
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
