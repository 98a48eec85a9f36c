package conntest

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// Open resolves and validates a connection's config and secrets as the
// engine does and constructs the connector with env; any error fails the
// test. Connector tests call it to open a connection to their fake.
func Open(t testing.TB, spec connectors.Spec, ctor connectors.Constructor, config map[string]any, secrets map[string]string, env connectors.Env) connectors.Connector {
	t.Helper()
	cfg, err := spec.ResolveAndValidate(config, secrets, env)
	if err != nil {
		t.Fatalf("resolving and validating %s's config: %v", spec.Name, err)
	}
	c, err := ctor(cfg, env)
	if err != nil {
		t.Fatalf("constructing %s: %v", spec.Name, err)
	}
	return c
}

// FlowOptions resolves and validates a flow's option values for use as
// the engine does, on a connection with no settings; any error fails the
// test.
func FlowOptions(t testing.TB, spec connectors.Spec, use connectors.Use, values map[string]any) connectors.Config {
	t.Helper()
	opts, err := spec.ResolveAndValidateFlow(use, values, connectors.Config{}, connectors.Env{})
	if err != nil {
		t.Fatalf("resolving and validating %s's %s options: %v", spec.Name, use, err)
	}
	return opts
}
