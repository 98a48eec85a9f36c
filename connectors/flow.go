package connectors

import (
	"encoding/json"
	"strings"
)

// Use says which flows a flow field applies to: those that read through
// the connection (it is their source), those that write through it (it is
// their target), or both.
type Use uint8

// The uses of a flow field.
const (
	UseRead  Use = 1 << iota // the connection is the flow's source
	UseWrite                 // the connection is the flow's target
	UseBoth  = UseRead | UseWrite
)

// String names the use: "read", "write" or "read|write".
func (u Use) String() string { return strings.Join(u.names(), "|") }

func (u Use) names() []string {
	names := []string{}
	if u&UseRead != 0 {
		names = append(names, "read")
	}
	if u&UseWrite != 0 {
		names = append(names, "write")
	}
	return names
}

// MarshalJSON writes the use as a list: ["read"], ["write"] or
// ["read","write"].
func (u Use) MarshalJSON() ([]byte, error) { return json.Marshal(u.names()) }

// FlowOptions is what a flow's options are called in messages.
const FlowOptions = "flow options"

// FlowFieldsFor returns the flow fields that apply to flows of the given
// use.
func (s Spec) FlowFieldsFor(use Use) []Field {
	var out []Field
	for _, f := range s.FlowFields {
		if f.Use&use != 0 {
			out = append(out, f)
		}
	}
	return out
}

// ResolveFlow checks a flow's options for its use of a connection of this
// connector against the flow fields and returns them typed, with defaults
// applied, as the connector receives them in [ReadRequest.Options] or
// [WriteRequest.Options]. An unknown option, one for the other use, a
// value of the wrong type or a missing required option is refused with a
// *ValidationError naming every bad option.
func (s Spec) ResolveFlow(use Use, values map[string]any) (Config, error) {
	cfg, problems := resolveFields(s.FlowFieldsFor(use), values)
	for name := range problems {
		if f, ok := s.FlowField(name); ok && f.Use&use == 0 {
			problems[name] = otherUse(use)
		}
	}
	if len(problems) > 0 {
		return Config{}, &ValidationError{Connector: s.Name, Of: FlowOptions, Fields: problems}
	}
	return cfg, nil
}

// otherUse says why a flow field of the other use is refused.
func otherUse(use Use) string {
	if use == UseRead {
		return "is an option for writing, where the connection is the flow's target, not its source"
	}
	return "is an option for reading, where the connection is the flow's source, not its target"
}

// ResolveAndValidateFlow is [Spec.ResolveFlow] followed by the
// connector's own [Spec.ValidateFlow] step, with conn, the resolved config
// of the connection the flow uses: what a flow's options must pass on
// every save and before the engine uses them.
func (s Spec) ResolveAndValidateFlow(use Use, values map[string]any, conn Config, env Env) (Config, error) {
	cfg, err := s.ResolveFlow(use, values)
	if err != nil || s.ValidateFlow == nil {
		return cfg, err
	}
	if err := s.ValidateFlow(use, cfg, conn, env); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// ResolveOptions checks values against fields, which have no secrets, and
// returns them typed with defaults applied; owner names them in the
// *ValidationError that lists every bad one. The engine resolves its own
// flow options with it.
func ResolveOptions(owner string, fields []Field, values map[string]any) (Config, error) {
	cfg, problems := resolveFields(fields, values)
	if len(problems) > 0 {
		return Config{}, &ValidationError{Connector: owner, Of: FlowOptions, Fields: problems}
	}
	return cfg, nil
}

// resolveFields resolves values that hold no secrets against fields.
func resolveFields(fields []Field, values map[string]any) (Config, map[string]string) {
	cfg := Config{Values: map[string]any{}, Secrets: map[string]string{}}
	problems := map[string]string{}
	resolveValues(fields, values, cfg, problems)
	return cfg, problems
}
