package fake

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// exec answers one operation: it shapes the data the resolvers return by
// the operation's selection sets, as a GraphQL server does. A field the
// fake holds no data for is null, unless the schema says it cannot be:
// then the answer is an error naming it, so that the fake never makes up
// what it does not know.
type exec struct {
	schema *ast.Schema
	vars   map[string]any
	hooks  map[string]hook
	stuck  bool // Options.StuckCursors
}

// hook computes a field from its parent's data and its arguments.
type hook func(parent map[string]any, args map[string]any) (any, error)

// lazy builds an object's data when it is answered.
type lazy func() map[string]any

// page is a root list in its order, with each item's sort key: a cursor
// is the base64 of a key, and the page after it starts with the first key
// greater than it.
type page struct {
	items []any
	keys  []string
}

func (e *exec) object(data map[string]any, sel ast.SelectionSet, typeName string) (map[string]any, error) {
	out := map[string]any{}
	for _, f := range e.fields(sel, typeName) {
		key := f.Alias
		if key == "" {
			key = f.Name
		}
		if f.Name == "__typename" {
			out[key] = typeName
			continue
		}
		v, err := e.field(data, f, typeName)
		if err != nil {
			return nil, err
		}
		out[key] = v
	}
	return out, nil
}

// fields lists the fields selected on an object of typeName, fragments
// whose type condition it meets included.
func (e *exec) fields(sel ast.SelectionSet, typeName string) []*ast.Field {
	var out []*ast.Field
	for _, s := range sel {
		switch x := s.(type) {
		case *ast.Field:
			out = append(out, x)
		case *ast.InlineFragment:
			if e.applies(x.TypeCondition, typeName) {
				out = append(out, e.fields(x.SelectionSet, typeName)...)
			}
		case *ast.FragmentSpread:
			if x.Definition != nil && e.applies(x.Definition.TypeCondition, typeName) {
				out = append(out, e.fields(x.Definition.SelectionSet, typeName)...)
			}
		}
	}
	return out
}

func (e *exec) applies(condition, typeName string) bool {
	if condition == "" || condition == typeName {
		return true
	}
	def := e.schema.Types[typeName]
	if def == nil {
		return false
	}
	for _, iface := range e.schema.GetImplements(def) {
		if iface.Name == condition {
			return true
		}
	}
	return false
}

func (e *exec) field(data map[string]any, f *ast.Field, parent string) (any, error) {
	if len(f.Directives) > 0 {
		return nil, fmt.Errorf("the fake does not take directives (%s.%s)", parent, f.Name)
	}
	args := f.ArgumentMap(e.vars)
	raw, ok := data[f.Name]
	if h := e.hooks[parent+"."+f.Name]; h != nil {
		var err error
		if raw, err = h(data, args); err != nil {
			return nil, err
		}
		ok = raw != nil
	}
	if !ok || raw == nil {
		if f.Definition.Type.NonNull {
			return nil, fmt.Errorf("the fake holds no %s.%s, which cannot be null", parent, f.Name)
		}
		return nil, nil
	}
	return e.value(raw, f.Definition.Type, f, args)
}

func (e *exec) value(raw any, typ *ast.Type, f *ast.Field, args map[string]any) (any, error) {
	if raw == nil {
		if typ.NonNull {
			return nil, fmt.Errorf("the fake holds a null in %s, which cannot be null", f.Name)
		}
		return nil, nil
	}
	if typ.Elem != nil {
		return e.list(raw, typ, f, args)
	}
	if build, ok := raw.(lazy); ok {
		raw = build()
	}
	def := e.schema.Types[typ.NamedType]
	switch def.Kind {
	case ast.Scalar, ast.Enum:
		return raw, nil
	}
	if strings.HasSuffix(def.Name, "Connection") {
		return e.connection(raw, def, f, args)
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the fake holds %T for %s, not an object", raw, f.Name)
	}
	runtime := def.Name
	if t, ok := m["__typename"].(string); ok {
		runtime = t
	}
	return e.object(m, f.SelectionSet, runtime)
}

func (e *exec) list(raw any, typ *ast.Type, f *ast.Field, args map[string]any) (any, error) {
	items, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("the fake holds %T for %s, not a list", raw, f.Name)
	}
	if n, ok := intArg(args, "first"); ok && n < len(items) {
		items = items[:n]
	}
	out := make([]any, len(items))
	for i, it := range items {
		v, err := e.value(it, typ.Elem, f, nil)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// connection pages a list as a Relay connection: nodes, edges and
// pageInfo, from first and after.
func (e *exec) connection(raw any, def *ast.Definition, f *ast.Field, args map[string]any) (any, error) {
	var p page
	switch x := raw.(type) {
	case page:
		p = x
	case []any:
		p = page{items: x, keys: make([]string, len(x))}
		for i := range x {
			p.keys[i] = fmt.Sprintf("%09d", i)
		}
	default:
		return nil, fmt.Errorf("the fake holds %T for connection %s", raw, f.Name)
	}
	if _, ok := args["last"].(int64); ok || args["before"] != nil {
		return nil, fmt.Errorf("the fake pages forwards only (first and after), not with last or before")
	}
	if rev, _ := args["reverse"].(bool); rev {
		return nil, fmt.Errorf("the fake does not page in reverse")
	}
	first, ok := intArg(args, "first")
	if !ok {
		return nil, fmt.Errorf("%s: you must provide one of first or last", f.Name)
	}
	if first > 250 {
		return nil, fmt.Errorf("%s: first must be at most 250, not %d", f.Name, first)
	}
	start := 0
	if after, _ := args["after"].(string); after != "" {
		key, err := base64.StdEncoding.DecodeString(after)
		if err != nil {
			return nil, fmt.Errorf("%s: invalid cursor %q", f.Name, after)
		}
		for start < len(p.keys) && p.keys[start] <= string(key) {
			start++
		}
	}
	end := min(start+first, len(p.items))
	conn := connectionData(def.Name, p, start, end)
	if after, _ := args["after"].(string); e.stuck && after != "" {
		conn["pageInfo"].(map[string]any)["endCursor"] = after
	}
	return e.object(conn, f.SelectionSet, def.Name)
}

func connectionData(name string, p page, start, end int) map[string]any {
	nodes, edges := make([]any, 0, end-start), make([]any, 0, end-start)
	for i := start; i < end; i++ {
		cursor := base64.StdEncoding.EncodeToString([]byte(p.keys[i]))
		nodes = append(nodes, p.items[i])
		edges = append(edges, map[string]any{"__typename": strings.TrimSuffix(name, "Connection") + "Edge", "cursor": cursor, "node": p.items[i]})
	}
	info := map[string]any{"__typename": "PageInfo", "hasNextPage": end < len(p.items), "hasPreviousPage": start > 0}
	if end > start {
		info["startCursor"] = base64.StdEncoding.EncodeToString([]byte(p.keys[start]))
		info["endCursor"] = base64.StdEncoding.EncodeToString([]byte(p.keys[end-1]))
	}
	return map[string]any{"__typename": name, "nodes": nodes, "edges": edges, "pageInfo": info}
}

func intArg(args map[string]any, name string) (int, bool) {
	switch v := args[name].(type) {
	case int64:
		return int(v), true
	case int:
		return v, true
	case float64:
		return int(v), true
	case string:
		n, err := strconv.Atoi(v)
		return n, err == nil
	}
	return 0, false
}
