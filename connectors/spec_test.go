package connectors

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func validSpec() Spec {
	return Spec{
		Name: "shop", Title: "Shop", Category: CategoryWebshop,
		Auth: []AuthKind{AuthAPIKey},
		Fields: []Field{
			{Name: "url", Title: "Shop address", Type: TypeURL, Required: true},
			{Name: "api_key", Title: "API key", Type: TypeString, Required: true, Secret: true},
			{Name: "page_size", Title: "Page size", Type: TypeInt, Default: 100},
			{Name: "timeout", Title: "Timeout", Type: TypeDuration, Default: "30s"},
			{Name: "sandbox", Title: "Sandbox", Type: TypeBool},
			{Name: "region", Title: "Region", Type: TypeSelect, Options: []string{"eu", "us"}, Default: "eu"},
		},
		Reads:  []Entity{Order, Product},
		Writes: []Entity{Stock},
	}
}

func TestSpecCheck(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Spec)
		want   string
	}{
		{"valid", func(*Spec) {}, ""},
		{"bad name", func(s *Spec) { s.Name = "My Shop" }, "must be lowercase"},
		{"no title", func(s *Spec) { s.Title = "" }, "title is empty"},
		{"unknown category", func(s *Spec) { s.Category = "crm" }, `unknown category "crm"`},
		{"no auth", func(s *Spec) { s.Auth = nil }, "no auth kind"},
		{"unknown auth", func(s *Spec) { s.Auth = []AuthKind{"magic"} }, `unknown auth kind "magic"`},
		{"unknown entity", func(s *Spec) { s.Reads = []Entity{"pets"} }, `unknown entity "pets"`},
		{"duplicate field", func(s *Spec) { s.Fields = append(s.Fields, s.Fields[0]) }, "declared twice"},
		{"unknown type", func(s *Spec) { s.Fields[0].Type = "colour" }, `unknown type "colour"`},
		{"select without options", func(s *Spec) { s.Fields[5].Options = nil }, "select without options"},
		{"bad default", func(s *Spec) { s.Fields[2].Default = "many" }, "default: must be a whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSpec()
			s.Fields = append([]Field(nil), s.Fields...)
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

func TestSpecResolve(t *testing.T) {
	tests := []struct {
		name    string
		values  map[string]any
		secrets map[string]string
		fields  map[string]string // expected field errors; nil means success
		sent    map[string]string // expected errors of names sent among the secrets
	}{
		{
			name:    "defaults applied",
			values:  map[string]any{"url": "https://shop.example.com"},
			secrets: map[string]string{"api_key": "k"},
		},
		{
			name:   "missing required",
			values: map[string]any{},
			fields: map[string]string{"url": "is required", "api_key": "is required"},
		},
		{
			name:    "unknown field and wrong types",
			values:  map[string]any{"url": "ftp://x", "colour": "red", "page_size": 1.5, "sandbox": "maybe", "region": "mars"},
			secrets: map[string]string{"api_key": "k", "token": "t"},
			fields: map[string]string{
				"url": "must be an http or https address", "colour": "unknown field", "page_size": "must be a whole number",
				"sandbox": "must be true or false", "region": "must be one of eu, us",
			},
			sent: map[string]string{"token": "unknown secret"},
		},
		{
			name:    "a name wrong in config and in secrets is told on each side",
			values:  map[string]any{"url": "https://shop.example.com", "colour": "red"},
			secrets: map[string]string{"api_key": "k", "colour": "red"},
			fields:  map[string]string{"colour": "unknown field"},
			sent:    map[string]string{"colour": "unknown secret"},
		},
		{
			name:    "secret in config is refused",
			values:  map[string]any{"url": "https://shop.example.com", "api_key": "leaked"},
			secrets: map[string]string{"api_key": "k"},
			fields:  map[string]string{"api_key": "is a secret"},
		},
		{
			name:    "a password in an address is refused",
			values:  map[string]any{"url": "https://api:hunter2-key@shop.example.com"},
			secrets: map[string]string{"api_key": "k"},
			fields:  map[string]string{"url": "must not carry a password (user:password@ in https://api:xxxxx@shop.example.com)"},
		},
		{
			name:    "a user name alone in an address is taken",
			values:  map[string]any{"url": "https://api@shop.example.com"},
			secrets: map[string]string{"api_key": "k"},
		},
		{
			name:    "plain field in secrets is refused",
			values:  map[string]any{"url": "https://shop.example.com"},
			secrets: map[string]string{"api_key": "k", "page_size": "5"},
			fields:  map[string]string{},
			sent:    map[string]string{"page_size": "is not a secret"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := validSpec().Resolve(tt.values, tt.secrets)
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("Resolve() = %v", err)
				}
				if cfg.Int("page_size") != 100 || cfg.Duration("timeout") != 30*time.Second || cfg.String("region") != "eu" {
					t.Fatalf("defaults not applied: %#v", cfg.Values)
				}
				if cfg.Secret("api_key") != "k" {
					t.Fatalf("secret not resolved")
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Resolve() = %v, want *ValidationError", err)
			}
			checkProblems(t, "field", ve.Fields, tt.fields)
			checkProblems(t, "secret", ve.Secrets, tt.sent)
		})
	}
}

// checkProblems compares a ValidationError's messages by name: each
// holds the wanted text, and there are no others.
func checkProblems(t *testing.T, side string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %s errors %v, want %v", side, got, want)
	}
	for name, w := range want {
		if !strings.Contains(got[name], w) {
			t.Errorf("%s %s: got %q, want %q", side, name, got[name], w)
		}
	}
}

func TestValidationErrorNeverHoldsSecretValues(t *testing.T) {
	for _, values := range []map[string]any{
		{"url": "https://x.example", "api_key": "hunter2"},
		{"url": "https://api:hunter2@x.example"},
	} {
		_, err := validSpec().Resolve(values, nil)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("error %v must name the field and not its value", err)
		}
	}
}
