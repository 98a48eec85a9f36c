// Package schema loads Shopify's Admin GraphQL schema, as Shopify publishes
// it (an introspection result, gzipped), into gqlparser's ast.Schema, so
// that every operation the shopify connector sends can be validated against
// it, and so that the fake Shopify of connectors/shopify/fake refuses what
// the real one would.
//
// The published file is found under the specs folder: the environment
// variable SWITCHBOARD_SPECS, or ../shared/specs beside the repository.
package schema

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"
)

// Version is the Admin API version the connector speaks.
const Version = "2025-01"

// File is the schema's path under the specs folder.
const File = "shopify/admin_schema_" + Version + ".json.gz"

// SpecsEnv names the variable that holds the specs folder.
const SpecsEnv = "SWITCHBOARD_SPECS"

// SpecsDir returns the specs folder: $SWITCHBOARD_SPECS, or shared/specs
// in the folder that holds the repository (found from the working
// directory upwards by its go.mod).
func SpecsDir() string {
	if dir := os.Getenv(SpecsEnv); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		return filepath.Join("..", "shared", "specs")
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared", "specs")
		}
		if filepath.Dir(dir) == dir {
			return filepath.Join("..", "shared", "specs")
		}
	}
}

// Path is where the schema file is expected.
func Path() string { return filepath.Join(SpecsDir(), filepath.FromSlash(File)) }

// Load reads a gzipped introspection result and returns the schema.
func Load(path string) (*ast.Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening the Shopify schema: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("reading the Shopify schema %s: %w", path, err)
	}
	return Read(zr)
}

// Read reads an introspection result ({"data": {"__schema": ...}} or the
// __schema object's parent without "data") and returns the schema.
func Read(r io.Reader) (*ast.Schema, error) {
	var doc struct {
		Data   *introspection `json:"data"`
		Schema *schemaJSON    `json:"__schema"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("decoding the introspection result: %w", err)
	}
	s := doc.Schema
	if doc.Data != nil {
		s = doc.Data.Schema
	}
	if s == nil || s.QueryType.Name == "" {
		return nil, fmt.Errorf("the introspection result has no __schema with a query type")
	}
	sdl := s.sdl()
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: "shopify-admin-" + Version + ".graphql", Input: sdl})
	if err != nil {
		return nil, fmt.Errorf("loading the introspection result as a schema: %w", err)
	}
	return schema, nil
}

type introspection struct {
	Schema *schemaJSON `json:"__schema"`
}

type named struct {
	Name string `json:"name"`
}

type schemaJSON struct {
	QueryType        named           `json:"queryType"`
	MutationType     *named          `json:"mutationType"`
	SubscriptionType *named          `json:"subscriptionType"`
	Types            []typeJSON      `json:"types"`
	Directives       []directiveJSON `json:"directives"`
}

type typeJSON struct {
	Kind          string      `json:"kind"`
	Name          string      `json:"name"`
	Fields        []fieldJSON `json:"fields"`
	InputFields   []inputJSON `json:"inputFields"`
	Interfaces    []named     `json:"interfaces"`
	EnumValues    []named     `json:"enumValues"`
	PossibleTypes []named     `json:"possibleTypes"`
}

type fieldJSON struct {
	Name string      `json:"name"`
	Args []inputJSON `json:"args"`
	Type typeRef     `json:"type"`
}

type inputJSON struct {
	Name         string  `json:"name"`
	Type         typeRef `json:"type"`
	DefaultValue *string `json:"defaultValue"`
}

type typeRef struct {
	Kind   string   `json:"kind"`
	Name   string   `json:"name"`
	OfType *typeRef `json:"ofType"`
}

type directiveJSON struct {
	Name         string      `json:"name"`
	Locations    []string    `json:"locations"`
	Args         []inputJSON `json:"args"`
	IsRepeatable bool        `json:"isRepeatable"`
}

// String writes a type reference as SDL: [ID!]!.
func (t typeRef) String() string {
	switch {
	case t.Kind == "NON_NULL" && t.OfType != nil:
		return t.OfType.String() + "!"
	case t.Kind == "LIST" && t.OfType != nil:
		return "[" + t.OfType.String() + "]"
	}
	return t.Name
}

// sdl writes the schema as SDL, leaving out what gqlparser's prelude
// declares already (the built-in scalars, directives and introspection
// types) and the descriptions.
func (s *schemaJSON) sdl() string {
	builtin := preludeNames()
	var b strings.Builder
	b.WriteString("schema { query: " + s.QueryType.Name)
	if s.MutationType != nil && s.MutationType.Name != "" {
		b.WriteString(" mutation: " + s.MutationType.Name)
	}
	if s.SubscriptionType != nil && s.SubscriptionType.Name != "" {
		b.WriteString(" subscription: " + s.SubscriptionType.Name)
	}
	b.WriteString(" }\n")
	for _, d := range s.Directives {
		if !builtin["@"+d.Name] {
			writeDirective(&b, d)
		}
	}
	for _, t := range s.Types {
		if !builtin[t.Name] {
			writeType(&b, t)
		}
	}
	return b.String()
}

// preludeNames are the types and (with @) directives gqlparser declares.
func preludeNames() map[string]bool {
	names := map[string]bool{}
	doc := validator.PreludeDocument()
	for _, d := range doc.Definitions {
		names[d.Name] = true
	}
	for _, d := range doc.Directives {
		names["@"+d.Name] = true
	}
	return names
}

func writeDirective(b *strings.Builder, d directiveJSON) {
	b.WriteString("directive @" + d.Name + args(d.Args))
	if d.IsRepeatable {
		b.WriteString(" repeatable")
	}
	b.WriteString(" on " + strings.Join(d.Locations, " | ") + "\n")
}

func writeType(b *strings.Builder, t typeJSON) {
	switch t.Kind {
	case "SCALAR":
		b.WriteString("scalar " + t.Name + "\n")
	case "OBJECT", "INTERFACE":
		keyword := map[string]string{"OBJECT": "type", "INTERFACE": "interface"}[t.Kind]
		b.WriteString(keyword + " " + t.Name + implements(t.Interfaces) + " {\n")
		for _, f := range t.Fields {
			b.WriteString("  " + f.Name + args(f.Args) + ": " + f.Type.String() + "\n")
		}
		b.WriteString("}\n")
	case "UNION":
		members := make([]string, len(t.PossibleTypes))
		for i, p := range t.PossibleTypes {
			members[i] = p.Name
		}
		b.WriteString("union " + t.Name + " = " + strings.Join(members, " | ") + "\n")
	case "ENUM":
		b.WriteString("enum " + t.Name + " {")
		for _, v := range t.EnumValues {
			b.WriteString(" " + v.Name)
		}
		b.WriteString(" }\n")
	case "INPUT_OBJECT":
		b.WriteString("input " + t.Name + " {\n")
		for _, f := range t.InputFields {
			b.WriteString("  " + inputValue(f) + "\n")
		}
		b.WriteString("}\n")
	}
}

func implements(list []named) string {
	if len(list) == 0 {
		return ""
	}
	names := make([]string, len(list))
	for i, n := range list {
		names[i] = n.Name
	}
	return " implements " + strings.Join(names, " & ")
}

func args(list []inputJSON) string {
	if len(list) == 0 {
		return ""
	}
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = inputValue(a)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// inputValue writes an argument or input field; its default value is a
// GraphQL literal in the introspection result already.
func inputValue(v inputJSON) string {
	s := v.Name + ": " + v.Type.String()
	if v.DefaultValue != nil && *v.DefaultValue != "null" {
		s += " = " + *v.DefaultValue
	}
	return s
}
