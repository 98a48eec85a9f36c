package spectest

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// The accounting and ERP specs the connectors are tested against, by their
// path under [Dir].
const (
	// Xero is Xero's Accounting API (16.1.0), OpenAPI 3.0.
	Xero = "xero/xero_accounting.yaml"
	// BusinessCentral is Microsoft Dynamics 365 Business Central's API
	// v1.0, the only version with a published contract, OpenAPI 3.0.
	BusinessCentral = "ms-business-central/BCOAS1.0.yaml"
)

func init() {
	Fixups[Xero] = []Fixup{
		{What: "paths that differ only in the name of a parameter (/Contacts/{ContactNumber} beside /Contacts/{ContactID}) " +
			"cannot be told apart by a router: keep the one with the most operations",
			Apply: func(doc map[string]any) error {
				if n := dropAmbiguousPaths(doc); n == 0 {
					return fmt.Errorf("paths: no two templates differ only in a parameter's name")
				}
				return nil
			}},
	}
	Fixups[Xero] = append(Fixups[Xero], Fixup{
		What: `booleans whose default is the text "false" (HasAttachments, HasValidationErrors...): a validator that fills in ` +
			`defaults would put the text in a body, where a boolean is due`,
		Apply: func(doc map[string]any) error {
			if n := booleanDefaults(doc); n == 0 {
				return fmt.Errorf("no boolean with a text as its default")
			}
			return nil
		}})
	Fixups[BusinessCentral] = []Fixup{
		{What: "lists are answered with OData's @odata.context and, when there is more, @odata.nextLink beside value, " +
			"and records with @odata.context and @odata.etag, which the schemas do not name",
			Apply: func(doc map[string]any) error {
				if n := odataAnnotations(doc); n == 0 {
					return fmt.Errorf("paths: no list answered as {value: [...]}")
				}
				return nil
			}},
		{What: "a next page's address (@odata.nextLink) carries OData's $skiptoken, which the lists do not declare",
			Apply: func(doc map[string]any) error {
				if n := skipTokens(doc); n == 0 {
					return fmt.Errorf("paths: no list takes $top")
				}
				return nil
			}},
		{What: "dates (Edm.Date: orderDate, invoiceDate, dueDate, shipmentDate...) are declared date-time, " +
			"but the API writes and takes them as dates such as 2025-03-14",
			Apply: func(doc map[string]any) error {
				if n := edmDates(doc); n == 0 {
					return fmt.Errorf("no date declared as date-time")
				}
				return nil
			}},
	}
}

// templateParam matches a path template's parameter.
var templateParam = regexp.MustCompile(`\{[^}]*\}`)

// dropAmbiguousPaths removes, of each group of paths that are the same
// template but for their parameters' names, all but the one with the
// most operations (the first by name among equals), and counts them.
func dropAmbiguousPaths(doc map[string]any) int {
	paths, _ := doc["paths"].(map[string]any)
	groups := map[string][]string{}
	for p := range paths {
		shape := templateParam.ReplaceAllString(p, "{}")
		groups[shape] = append(groups[shape], p)
	}
	dropped := 0
	for _, group := range groups {
		if len(group) < 2 {
			continue
		}
		sort.Slice(group, func(i, j int) bool {
			if a, b := operations(paths[group[i]]), operations(paths[group[j]]); a != b {
				return a > b
			}
			return group[i] < group[j]
		})
		for _, p := range group[1:] {
			delete(paths, p)
			dropped++
		}
	}
	return dropped
}

// operations counts a path item's operations.
func operations(item any) int {
	m, _ := item.(map[string]any)
	n := 0
	for _, method := range []string{"get", "put", "post", "delete", "patch", "head", "options"} {
		if m[method] != nil {
			n++
		}
	}
	return n
}

// odataAnnotations names OData's annotations in the answers: a list's
// context and next link, and a record's context and etag (read-only). It
// counts the lists.
func odataAnnotations(doc map[string]any) int {
	lists := 0
	paths, _ := doc["paths"].(map[string]any)
	for _, item := range paths {
		for _, op := range objects(item) {
			responses, _ := op["responses"].(map[string]any)
			for _, resp := range responses {
				schema := jsonSchema(resp)
				props, _ := schema["properties"].(map[string]any)
				if props == nil || props["value"] == nil {
					continue
				}
				props["@odata.context"] = map[string]any{"type": "string"}
				props["@odata.nextLink"] = map[string]any{"type": "string"}
				lists++
			}
		}
	}
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	for _, s := range schemas {
		if props, _ := s.(map[string]any)["properties"].(map[string]any); props != nil {
			props["@odata.context"] = map[string]any{"type": "string", "readOnly": true}
			props["@odata.etag"] = map[string]any{"type": "string", "readOnly": true}
		}
	}
	return lists
}

// objects are the operations of a path item, as maps.
func objects(item any) []map[string]any {
	m, _ := item.(map[string]any)
	var out []map[string]any
	for _, method := range []string{"get", "put", "post", "delete", "patch"} {
		if op, ok := m[method].(map[string]any); ok {
			out = append(out, op)
		}
	}
	return out
}

// jsonSchema is the application/json schema of a response, if any.
func jsonSchema(resp any) map[string]any {
	r, _ := resp.(map[string]any)
	content, _ := r["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	schema, _ := media["schema"].(map[string]any)
	return schema
}

// skipTokens declares $skiptoken on every list that takes $top, and counts
// them.
func skipTokens(doc map[string]any) int {
	n := 0
	paths, _ := doc["paths"].(map[string]any)
	for _, item := range paths {
		for _, op := range objects(item) {
			params, _ := op["parameters"].([]any)
			for _, p := range params {
				if ref, _ := p.(map[string]any)["$ref"].(string); strings.HasSuffix(ref, "/topParam") {
					op["parameters"] = append(params, map[string]any{"name": "$skiptoken", "in": "query",
						"description": "OData server-driven paging: the position of the next page", "schema": map[string]any{"type": "string"}})
					n++
					break
				}
			}
		}
	}
	return n
}

// edmDates declares as dates the properties declared date-time whose
// names do not end in DateTime, and counts them.
func edmDates(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		if props, ok := x["properties"].(map[string]any); ok {
			for name, p := range props {
				schema, _ := p.(map[string]any)
				if schema["format"] == "date-time" && !strings.HasSuffix(name, "DateTime") {
					schema["format"] = "date"
					n++
				}
			}
		}
		for _, e := range x {
			n += edmDates(e)
		}
	case []any:
		for _, e := range x {
			n += edmDates(e)
		}
	}
	return n
}

// booleanDefaults makes the text defaults ("false", "true") of booleans
// booleans, and counts them.
func booleanDefaults(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		if d, ok := x["default"].(string); ok && x["type"] == "boolean" && (d == "false" || d == "true") {
			x["default"] = d == "true"
			n++
		}
		for _, e := range x {
			n += booleanDefaults(e)
		}
	case []any:
		for _, e := range x {
			n += booleanDefaults(e)
		}
	}
	return n
}
