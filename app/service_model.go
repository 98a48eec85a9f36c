package app

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/mappings"
	"github.com/switchboard-app/switchboard/mappings/canonical"
)

// ModelField is one field of the canonical model as the API serves it
// and the mapping editor shows it.
type ModelField struct {
	// Path is the dotted path a mapping or rule names it by:
	// "billing.country", "lines.sku" (a list's element field).
	Path     string       `json:"path"`
	Name     string       `json:"name"`
	Kind     string       `json:"kind"`
	Doc      string       `json:"doc"`
	Required bool         `json:"required,omitempty"`
	Enum     []string     `json:"enum,omitempty"`
	Fields   []ModelField `json:"fields,omitempty"`
}

// ModelEntity is one entity of the canonical model.
type ModelEntity struct {
	Name string `json:"name"`
	// Key is the field that is a record's business key.
	Key    string       `json:"key"`
	Doc    string       `json:"doc"`
	Fields []ModelField `json:"fields"`
}

// Model is the canonical model: its version and entities.
type Model struct {
	Version  string        `json:"version"`
	Entities []ModelEntity `json:"entities"`
}

// CanonicalModel returns the canonical model with every field's type and
// documentation, for GET /api/switchboard/model and the mapping editor.
func CanonicalModel() Model {
	m := Model{Version: canonical.Version}
	for _, name := range canonical.Entities() {
		e, err := canonical.Get(name)
		if err != nil {
			continue
		}
		m.Entities = append(m.Entities, ModelEntity{Name: e.Name, Key: e.Key, Doc: e.Doc, Fields: modelFields("", e.Fields)})
	}
	return m
}

// ModelOf returns one entity of the canonical model; false when there is
// no such entity.
func ModelOf(entity string) (ModelEntity, bool) {
	for _, e := range CanonicalModel().Entities {
		if e.Name == entity {
			return e, true
		}
	}
	return ModelEntity{}, false
}

func modelFields(prefix string, fields []*canonical.Field) []ModelField {
	out := make([]ModelField, 0, len(fields))
	for _, f := range fields {
		path := prefix + f.Name
		out = append(out, ModelField{Path: path, Name: f.Name, Kind: string(f.Kind), Doc: f.Doc, Required: f.Required,
			Enum: f.Enum, Fields: modelFields(path+".", f.Fields)})
	}
	return out
}

// FunctionDoc is one function of the expression library, with its
// examples, each run by the mappings' tests.
type FunctionDoc struct {
	Name      string       `json:"name"`
	Group     string       `json:"group"`
	Signature string       `json:"signature"`
	Doc       string       `json:"doc"`
	Examples  []ExampleDoc `json:"examples"`
}

// ExampleDoc is an expression, the record it runs on and its result.
type ExampleDoc struct {
	Expr   string         `json:"expr"`
	Input  map[string]any `json:"input,omitempty"`
	Result string         `json:"result"`
}

// FunctionLibrary returns the expression library sorted by group and
// name, for GET /api/switchboard/functions and the mapping editor.
func FunctionLibrary() []FunctionDoc {
	fns := mappings.Functions()
	out := make([]FunctionDoc, 0, len(fns))
	for _, f := range fns {
		doc := FunctionDoc{Name: f.Name, Group: f.Group, Signature: f.Signature, Doc: f.Doc, Examples: []ExampleDoc{}}
		for _, ex := range f.Examples {
			doc.Examples = append(doc.Examples, ExampleDoc{Expr: ex.Expr, Input: ex.Input, Result: ex.Want})
		}
		out = append(out, doc)
	}
	return out
}

func (s *Switchboard) handleModel(e *core.RequestEvent) error {
	return e.JSON(http.StatusOK, CanonicalModel())
}

func (s *Switchboard) handleFunctions(e *core.RequestEvent) error {
	return e.JSON(http.StatusOK, FunctionLibrary())
}
