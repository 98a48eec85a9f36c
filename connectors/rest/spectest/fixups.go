package spectest

import (
	"fmt"
	"strings"
)

// Fixup is one repair a published spec needs before it loads, applied in
// memory to the decoded document; the file stays as the vendor published
// it. Each is listed, with its reason, in SOURCES.md of the specs folder.
type Fixup struct {
	// What says what is repaired, for messages and docs.
	What string
	// Apply repairs the document; an error names the place that was not
	// found (the vendor changed the file).
	Apply func(doc map[string]any) error
}

// Fixups are the repairs of each spec, by its path under Dir.
var Fixups = map[string][]Fixup{
	AdobeCommerce: {
		{What: "info.description is a $ref to a page not published with the spec: replace it with text",
			Apply: func(doc map[string]any) error {
				return set(doc, "info.description", "Adobe Commerce admin REST API")
			}},
	},
	ShopwareAdmin: {
		{What: "an empty list where the video-room DELETE answer's JSON content needs an object",
			Apply: func(doc map[string]any) error {
				return setIn(doc, []string{"paths", "/_action/dsr/appointment/{appointmentId}/video-room", "delete",
					"responses", "200", "content", "application/json"}, map[string]any{})
			}},
		{What: "an empty list where paypal_v1_payment_transaction_item_list_shipping_option.properties needs an object",
			Apply: func(doc map[string]any) error {
				return set(doc, "components.schemas.paypal_v1_payment_transaction_item_list_shipping_option.properties", map[string]any{})
			}},
		{What: "an empty list where paypal_v2_patch.properties.value.items needs a schema",
			Apply: func(doc map[string]any) error {
				return set(doc, "components.schemas.paypal_v2_patch.properties.value.items", map[string]any{})
			}},
		{What: "prices' calculatedTaxes and taxRules are declared as objects; the API writes these collections as JSON lists",
			Apply: func(doc map[string]any) error {
				if n := taxLists(doc["components"]); n == 0 {
					return fmt.Errorf("components: no calculatedTaxes or taxRules declared as an object")
				}
				return nil
			}},
		{What: "updatedAt is null until a record's first change, which its schema (a string) does not allow",
			Apply: func(doc map[string]any) error {
				if n := nullableTimes(doc["components"]); n == 0 {
					return fmt.Errorf("components: no updatedAt declared as a string")
				}
				return nil
			}},
	},
}

// nullableTimes lets every updatedAt property declared as a string be
// null too, and counts them.
func nullableTimes(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if schema, ok := e.(map[string]any); ok && k == "updatedAt" && schema["type"] == "string" {
				schema["type"] = []any{"string", "null"}
				n++
				continue
			}
			n += nullableTimes(e)
		}
	case []any:
		for _, e := range x {
			n += nullableTimes(e)
		}
	}
	return n
}

// taxLists makes every calculatedTaxes and taxRules property declared as
// a bare object a list of objects, and counts them.
func taxLists(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if schema, ok := e.(map[string]any); ok && (k == "calculatedTaxes" || k == "taxRules") && len(schema) == 1 && schema["type"] == "object" {
				x[k] = map[string]any{"type": "array", "items": map[string]any{"type": "object"}}
				n++
				continue
			}
			n += taxLists(e)
		}
	case []any:
		for _, e := range x {
			n += taxLists(e)
		}
	}
	return n
}

// set replaces the value at a dotted path whose parent exists.
func set(doc map[string]any, path string, value any) error {
	return setIn(doc, strings.Split(path, "."), value)
}

// setIn replaces the value under keys, each key's parent an object.
func setIn(doc map[string]any, keys []string, value any) error {
	m := doc
	for i, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			return fmt.Errorf("%s: not found", strings.Join(keys[:i+1], " > "))
		}
		m = next
	}
	last := keys[len(keys)-1]
	if _, ok := m[last]; !ok {
		return fmt.Errorf("%s: not found", strings.Join(keys, " > "))
	}
	m[last] = value
	return nil
}
