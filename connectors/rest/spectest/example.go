package spectest

import (
	"github.com/getkin/kin-openapi/openapi3"
)

// Example builds a value that fits the schema, for an operation the fake
// has no handler for: the schema's example or default where it gives one,
// else its first enumerated value, else a value of its type and format
// (objects with their required properties, lists with one element).
func Example(ref *openapi3.SchemaRef) any {
	return example(ref, 0)
}

func example(ref *openapi3.SchemaRef, depth int) any {
	if ref == nil || ref.Value == nil || depth > 8 {
		return nil
	}
	s := ref.Value
	switch {
	case s.Example != nil:
		return s.Example
	case s.Default != nil:
		return s.Default
	case len(s.Enum) > 0:
		return s.Enum[0]
	case len(s.AllOf) > 0:
		return allOfExample(s, depth)
	case len(s.OneOf) > 0:
		return example(s.OneOf[0], depth+1)
	case len(s.AnyOf) > 0:
		return example(s.AnyOf[0], depth+1)
	}
	return typedExample(s, depth)
}

// allOfExample merges the examples of the parts, objects property by
// property.
func allOfExample(s *openapi3.Schema, depth int) any {
	var merged map[string]any
	var last any
	for _, part := range s.AllOf {
		v := example(part, depth+1)
		obj, ok := v.(map[string]any)
		if !ok {
			last = v
			continue
		}
		if merged == nil {
			merged = map[string]any{}
		}
		for k, e := range obj {
			merged[k] = e
		}
	}
	if merged == nil {
		return last
	}
	return merged
}

func typedExample(s *openapi3.Schema, depth int) any {
	switch {
	case s.Type == nil:
		if len(s.Properties) > 0 {
			return objectExample(s, depth)
		}
		return nil
	case s.Type.Is(openapi3.TypeObject):
		return objectExample(s, depth)
	case s.Type.Is(openapi3.TypeArray):
		if item := example(s.Items, depth+1); item != nil {
			return []any{item}
		}
		return []any{}
	case s.Type.Is(openapi3.TypeInteger):
		return 1
	case s.Type.Is(openapi3.TypeNumber):
		return 1.5
	case s.Type.Is(openapi3.TypeBoolean):
		return true
	case s.Type.Is(openapi3.TypeString):
		return stringExample(s.Format)
	}
	return nil
}

// objectExample fills the required properties, or all of them when none
// is required.
func objectExample(s *openapi3.Schema, depth int) map[string]any {
	out := map[string]any{}
	names := s.Required
	if len(names) == 0 {
		for k := range s.Properties {
			names = append(names, k)
		}
	}
	for _, k := range names {
		if v := example(s.Properties[k], depth+1); v != nil {
			out[k] = v
		}
	}
	return out
}

func stringExample(format string) string {
	switch format {
	case "date-time":
		return "2025-01-31T09:30:00Z"
	case "date":
		return "2025-01-31"
	case "email":
		return "jane@example.com"
	case "uri", "url":
		return "https://example.com/"
	case "uuid":
		return "0f8fad5b-d9cb-469f-a165-70867728950e"
	}
	return "string"
}
