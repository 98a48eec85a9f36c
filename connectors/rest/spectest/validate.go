package spectest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// index matches a list index inside a parameter name, such as the 1 of
// searchCriteria[filterGroups][1][filters][0][field].
var index = regexp.MustCompile(`\[\d+\]`)

// paramKey is how a query parameter's name is compared with the declared
// ones: a spec that declares searchCriteria[filterGroups][0][...] declares
// the element of a list, and every index of it is that parameter.
func paramKey(name string) string { return index.ReplaceAllString(name, "[0]") }

// unknownQuery names the query parameters the operation does not declare.
func unknownQuery(item *openapi3.PathItem, op *openapi3.Operation, query map[string][]string) []string {
	declared := map[string]bool{}
	for _, params := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, p := range params {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				declared[paramKey(p.Value.Name)] = true
			}
		}
	}
	var unknown []string
	for name := range query {
		if !declared[paramKey(name)] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	return unknown
}

// jsonValue is v as encoding/json decodes it without UseNumber (numbers
// as float64), the form schema validation takes.
func jsonValue(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(data, &out)
	return out, err
}

// checkValue validates a JSON value against a schema: types, formats,
// required properties, and no property the schema does not name where it
// names its properties (closed objects), as apps refuse unknown fields.
func checkValue(ref *openapi3.SchemaRef, v any, what string) error {
	if ref == nil || ref.Value == nil {
		return nil
	}
	value, err := jsonValue(v)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := ref.Value.VisitJSON(value, openapi3.MultiErrors()); err != nil {
		return fmt.Errorf("%s does not match the spec's schema%s: %s", what, schemaName(ref), oneLine(err))
	}
	var unknown []string
	unknownProperties(ref.Value, value, "", &unknown, 0)
	if len(unknown) > 0 {
		return fmt.Errorf("%s has properties the spec's schema%s does not name: %s", what, schemaName(ref), strings.Join(unknown, ", "))
	}
	return nil
}

func schemaName(ref *openapi3.SchemaRef) string {
	if ref.Ref == "" {
		return ""
	}
	return " " + ref.Ref[strings.LastIndex(ref.Ref, "/")+1:]
}

// oneLine shortens kin-openapi's multi-line errors to their first lines.
func oneLine(err error) string {
	var parts []string
	if me, ok := err.(openapi3.MultiError); ok {
		for _, e := range me {
			parts = append(parts, firstLine(e.Error()))
		}
	} else {
		parts = append(parts, firstLine(err.Error()))
	}
	if len(parts) > 5 {
		parts = append(parts[:5], fmt.Sprintf("and %d more", len(parts)-5))
	}
	return strings.Join(parts, "; ")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// maxDepth bounds the walk through recursive schemas.
const maxDepth = 64

// unknownProperties adds the paths of v's properties that s does not
// declare, where s declares its properties and takes no others.
func unknownProperties(s *openapi3.Schema, v any, path string, out *[]string, depth int) {
	if s == nil || depth > maxDepth {
		return
	}
	if alts := append(append(openapi3.SchemaRefs{}, s.AnyOf...), s.OneOf...); len(alts) > 0 {
		best := bestAlternative(alts, v, path, depth)
		*out = append(*out, best...)
	}
	switch x := v.(type) {
	case map[string]any:
		objectProperties(s, x, path, out, depth)
	case []any:
		items := s.Items
		if items == nil {
			items = inheritedItems(s)
		}
		if items == nil {
			return
		}
		for i, e := range x {
			unknownProperties(items.Value, e, path+"["+strconv.Itoa(i)+"]", out, depth+1)
		}
	}
}

// bestAlternative is the unknown properties of the anyOf or oneOf branch
// that v fits best: none when one fits.
func bestAlternative(alts openapi3.SchemaRefs, v any, path string, depth int) []string {
	var best []string
	for _, alt := range alts {
		if alt.Value == nil || alt.Value.VisitJSON(v) != nil {
			continue
		}
		var found []string
		unknownProperties(alt.Value, v, path, &found, depth+1)
		if len(found) == 0 {
			return nil
		}
		if best == nil || len(found) < len(best) {
			best = found
		}
	}
	return best
}

// objectProperties checks an object's properties against the schema's.
func objectProperties(s *openapi3.Schema, obj map[string]any, path string, out *[]string, depth int) {
	props, closed := declared(s, 0)
	if len(props) == 0 && !closed {
		return
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := join(path, k)
		ref, ok := props[k]
		switch {
		case ok && ref != nil:
			unknownProperties(ref.Value, obj[k], p, out, depth+1)
		case !ok && closed:
			*out = append(*out, p)
		}
	}
}

// declared gathers the properties s declares, its allOf parts' included,
// and whether it takes no other: it names properties and has no
// additionalProperties of its own.
func declared(s *openapi3.Schema, depth int) (map[string]*openapi3.SchemaRef, bool) {
	props := map[string]*openapi3.SchemaRef{}
	if s == nil || depth > maxDepth {
		return props, false
	}
	for k, ref := range s.Properties {
		props[k] = ref
	}
	open := s.AdditionalProperties.Schema != nil || (s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has)
	for _, part := range s.AllOf {
		if part.Value == nil {
			continue
		}
		more, closed := declared(part.Value, depth+1)
		for k, ref := range more {
			props[k] = ref
		}
		if !closed && len(more) == 0 && isObject(part.Value) {
			open = true // a free-form object part takes anything
		}
	}
	return props, len(props) > 0 && !open
}

func isObject(s *openapi3.Schema) bool { return s.Type != nil && s.Type.Is(openapi3.TypeObject) }

// inheritedItems finds the items schema of a list declared through allOf.
func inheritedItems(s *openapi3.Schema) *openapi3.SchemaRef {
	for _, part := range s.AllOf {
		if part.Value != nil && part.Value.Items != nil {
			return part.Value.Items
		}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
