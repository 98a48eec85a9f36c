package connectors

import (
	"context"
	"strings"
	"testing"
)

type nopConnector struct{}

func (nopConnector) Test(context.Context) (TestResult, error) { return TestResult{OK: true}, nil }
func (nopConnector) Close() error                             { return nil }

func newNop(Config, Env) (Connector, error) { return nopConnector{}, nil }

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	if err := r.Register(validSpec(), newNop); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(validSpec(), newNop); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Fatalf("second registration = %v", err)
	}
	bad := validSpec()
	bad.Name = "Bad Name"
	if err := r.Register(bad, newNop); err == nil {
		t.Fatal("bad spec registered")
	}
	if _, err := r.Open("nope", nil, nil, Env{}); err == nil || !strings.Contains(err.Error(), `unknown connector "nope"`) {
		t.Fatalf("Open(unknown) = %v", err)
	}
	if _, err := r.Open("shop", map[string]any{}, nil, Env{}); err == nil {
		t.Fatal("Open without required config succeeded")
	}
	c, err := r.Open("shop", map[string]any{"url": "https://x.example"}, map[string]string{"api_key": "k"}, Env{})
	if err != nil || c == nil {
		t.Fatalf("Open = %v, %v", c, err)
	}
	if specs := r.Specs(); len(specs) != 1 || specs[0].Name != "shop" {
		t.Fatalf("Specs = %v", specs)
	}
}

func TestValidateStepRunsOnOpenWithTheEnv(t *testing.T) {
	spec := validSpec()
	var seen Env
	spec.Validate = func(cfg Config, env Env) error {
		seen = env
		if cfg.Int("page_size") > 500 {
			return &ValidationError{Connector: "shop", Fields: map[string]string{"page_size": "must be at most 500"}}
		}
		return nil
	}
	r := NewRegistry()
	if err := r.Register(spec, newNop); err != nil {
		t.Fatal(err)
	}
	env := Env{Files: FilesRoot{Dir: "/srv/files", DataDir: "/srv/data"}}
	secrets := map[string]string{"api_key": "k"}
	tests := []struct {
		name    string
		size    int
		wantErr string
	}{
		{"accepted", 100, ""},
		{"refused by the step", 1000, "page_size: must be at most 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.Open("shop", map[string]any{"url": "https://x.example", "page_size": tt.size}, secrets, env)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("Open = %v, want nil", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Open = %v, want %q", err, tt.wantErr)
			}
			if seen != env {
				t.Fatalf("the step saw env %+v, want %+v", seen, env)
			}
		})
	}
}
