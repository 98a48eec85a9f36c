package canonical

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
)

//go:embed schema/*.json
var schemaFiles embed.FS

// SchemaBaseURL is the base of the $id of every schema document.
const SchemaBaseURL = "https://switchboard.app/schema/canonical/"

// Schema returns the JSON Schema (draft 2020-12) document of an entity, as
// served by the API and used by the UI's mapping editor. It returns nil for
// an unknown entity.
func Schema(entity string) []byte {
	b, err := schemaFiles.ReadFile("schema/" + entity + ".json")
	if err != nil {
		return nil
	}
	return b
}

// GenerateSchema builds the JSON Schema document of an entity from the model
// tables. The embedded documents are its output; a test keeps them in sync.
func GenerateSchema(entity string) ([]byte, error) {
	e, err := Get(entity)
	if err != nil {
		return nil, err
	}
	doc := objectSchema(e.Fields)
	doc = append(ordered{
		{"$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"$id", SchemaBaseURL + Version + "/" + e.Name + ".json"},
		{"title", e.Name},
		{"description", e.Doc},
		{"x-version", Version},
		{"x-key", e.Key},
	}, doc...)
	b, err := marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", entity, err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return nil, fmt.Errorf("schema %s: %w", entity, err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// ordered is a JSON object that keeps its keys in declaration order.
type ordered []kv

type kv struct {
	k string
	v any
}

// MarshalJSON writes the members in order.
func (o ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := marshal(m.k)
		v, err := marshal(m.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func objectSchema(fields []*Field) ordered {
	props := make(ordered, 0, len(fields))
	var required []string
	for _, f := range fields {
		props = append(props, kv{f.Name, fieldSchema(f)})
		if f.Required {
			required = append(required, f.Name)
		}
	}
	o := ordered{{"type", "object"}, {"properties", props}}
	if required != nil {
		o = append(o, kv{"required", required})
	}
	return append(o, kv{"additionalProperties", false})
}

func fieldSchema(f *Field) ordered {
	var s ordered
	switch f.Kind {
	case Object:
		s = objectSchema(f.Fields)
	case List:
		s = ordered{{"type", "array"}, {"items", objectSchema(f.Fields)}}
	default:
		s = append(s, kindSchema[f.Kind]...)
	}
	if f.Enum != nil {
		s = append(s, kv{"enum", f.Enum})
	}
	s = append(s, kv{"description", f.Doc})
	return append(s, kv{"x-kind", string(f.Kind)})
}

var kindSchema = map[Kind]ordered{
	String:     {{"type", "string"}},
	Decimal:    {{"type", "string"}, {"format", "decimal"}, {"pattern", `^-?[0-9]+(\.[0-9]+)?$`}},
	Integer:    {{"type", "integer"}},
	Bool:       {{"type", "boolean"}},
	DateTime:   {{"type", "string"}, {"format", "date-time"}},
	Date:       {{"type", "string"}, {"format", "date"}},
	Country:    {{"type", "string"}, {"pattern", "^[A-Z]{2}$"}},
	Currency:   {{"type", "string"}, {"pattern", "^[A-Z]{3}$"}},
	Email:      {{"type", "string"}, {"format", "email"}},
	URL:        {{"type", "string"}, {"format", "uri"}},
	Strings:    {{"type", "array"}, {"items", ordered{{"type", "string"}}}},
	Attributes: {{"type", "object"}, {"additionalProperties", true}},
}

// marshal is json.Marshal without HTML escaping, so "a > b" stays readable.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
