package connectors

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// flowSpec is a connector with flow fields for reading, writing and both,
// and a ValidateFlow step that refuses a pattern "[".
func flowSpec() Spec {
	s := validSpec()
	s.FlowFields = []Field{
		{Name: "pattern", Title: "Pattern", Type: TypeString, Default: "*", Use: UseRead},
		{Name: "format", Title: "Format", Type: TypeSelect, Options: []string{"csv", "xml"}, Default: "csv", Use: UseBoth},
		{Name: "file_name", Title: "File name", Type: TypeString, Required: true, Use: UseWrite},
		{Name: "claim_timeout", Title: "Claim timeout", Type: TypeDuration, Default: "15m", Use: UseRead},
	}
	s.ValidateFlow = func(use Use, opts, conn Config, _ Env) error {
		if opts.String("pattern") == "[" {
			return &ValidationError{Connector: s.Name, Of: FlowOptions, Fields: map[string]string{"pattern": "does not compile for " + conn.String("url")}}
		}
		return nil
	}
	return s
}

func TestSpecCheckFlowFields(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Spec)
		want   string
	}{
		{"valid", func(*Spec) {}, ""},
		{"no use", func(s *Spec) { s.FlowFields[0].Use = 0 }, "flow field pattern: use must be read, write or both"},
		{"unknown use", func(s *Spec) { s.FlowFields[0].Use = 8 }, "use must be read, write or both"},
		{"secret", func(s *Spec) { s.FlowFields[0].Secret = true }, "flow options cannot be secret"},
		{"duplicate", func(s *Spec) { s.FlowFields = append(s.FlowFields, s.FlowFields[1]) }, "flow fields: connector shop: field format declared twice"},
		{"bad default", func(s *Spec) { s.FlowFields[3].Default = "soon" }, "default: must be a duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := flowSpec()
			s.FlowFields = append([]Field(nil), s.FlowFields...)
			tt.mutate(&s)
			err := s.Check()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Check() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Check() = %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func TestSpecResolveFlow(t *testing.T) {
	tests := []struct {
		name   string
		use    Use
		values map[string]any
		want   map[string]any    // resolved values when accepted
		fields map[string]string // field errors when refused
	}{
		{"reading: defaults applied", UseRead, nil,
			map[string]any{"pattern": "*", "format": "csv", "claim_timeout": 15 * time.Minute}, nil},
		{"reading: values typed", UseRead, map[string]any{"pattern": "*.xml", "format": "xml", "claim_timeout": "1m"},
			map[string]any{"pattern": "*.xml", "format": "xml", "claim_timeout": time.Minute}, nil},
		{"writing: only its fields", UseWrite, map[string]any{"file_name": "{key}.csv"},
			map[string]any{"format": "csv", "file_name": "{key}.csv"}, nil},
		{"writing: missing required", UseWrite, nil, nil, map[string]string{"file_name": "is required"}},
		{"reading: a writing option is refused", UseRead, map[string]any{"file_name": "x.csv"}, nil,
			map[string]string{"file_name": "is an option for writing, where the connection is the flow's target, not its source"}},
		{"writing: a reading option is refused", UseWrite, map[string]any{"file_name": "x", "pattern": "*"}, nil,
			map[string]string{"pattern": "is an option for reading, where the connection is the flow's source, not its target"}},
		{"unknown and wrong types", UseRead, map[string]any{"colour": "red", "format": "pdf", "claim_timeout": 5}, nil,
			map[string]string{"colour": "unknown field", "format": "must be one of csv, xml", "claim_timeout": "must be a duration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := flowSpec().ResolveFlow(tt.use, tt.values)
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("ResolveFlow() = %v", err)
				}
				if len(cfg.Values) != len(tt.want) {
					t.Errorf("values %v, want %v", cfg.Values, tt.want)
				}
				for k, v := range tt.want {
					if cfg.Values[k] != v {
						t.Errorf("%s = %#v, want %#v", k, cfg.Values[k], v)
					}
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Of != FlowOptions {
				t.Fatalf("ResolveFlow() = %v, want a *ValidationError of flow options", err)
			}
			if len(ve.Fields) != len(tt.fields) {
				t.Errorf("got field errors %v, want %v", ve.Fields, tt.fields)
			}
			for name, want := range tt.fields {
				if !strings.Contains(ve.Fields[name], want) {
					t.Errorf("field %s: got %q, want %q", name, ve.Fields[name], want)
				}
			}
			if !strings.HasPrefix(err.Error(), "shop flow options: ") {
				t.Errorf("message %q does not say it is about flow options", err)
			}
		})
	}
}

func TestSpecResolveAndValidateFlow(t *testing.T) {
	conn := Config{Values: map[string]any{"url": "https://shop.example.com"}}
	spec := flowSpec()
	if _, err := spec.ResolveAndValidateFlow(UseRead, map[string]any{"pattern": "*.csv"}, conn, Env{}); err != nil {
		t.Fatalf("a good pattern: %v", err)
	}
	_, err := spec.ResolveAndValidateFlow(UseRead, map[string]any{"pattern": "["}, conn, Env{})
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Fields["pattern"] != "does not compile for https://shop.example.com" {
		t.Fatalf("pattern [: %v, want the connector's own error on pattern, with the connection's config at hand", err)
	}
	_, err = spec.ResolveAndValidateFlow(UseRead, map[string]any{"pattern": 1}, conn, Env{})
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields["pattern"], "must be text") {
		t.Fatalf("pattern 1: %v, want the type refused before the step runs", err)
	}
}

func TestFlowFieldsInSpecJSON(t *testing.T) {
	data, err := json.Marshal(flowSpec())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"flow_fields":[`, `"name":"pattern"`, `"use":["read"]`, `"use":["read","write"]`, `"use":["write"]`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("spec JSON lacks %s: %s", want, data)
		}
	}
	if strings.Contains(string(data), `"use":null`) || strings.Count(string(data), `"use"`) != 4 {
		t.Errorf("connection fields must not carry a use: %s", data)
	}
}
