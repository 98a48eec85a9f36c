package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// The engine's own flow options.
const (
	// OptionOrdered writes the records of one business key in the order
	// they were read.
	OptionOrdered = "ordered"
	// OptionFullFeed writes every record of every run, changed or not, for
	// targets that expect the whole feed each time (a price list).
	OptionFullFeed = "full_feed"
)

// The keys of a flow's options that hold the options of its connections:
// for reading from its source and for writing to its target.
const (
	OptionsSource = "source"
	OptionsTarget = "target"
)

// engineFlowFields are the flow options the engine itself reads: the one
// place they are declared. They sit at the top level of a flow's options,
// beside OptionsSource and OptionsTarget.
var engineFlowFields = []connectors.Field{
	{Name: OptionOrdered, Title: "Ordered by key", Type: connectors.TypeBool, Default: false, Advanced: true,
		Help: "Write the records of one business key (the stock of one SKU) one after another, in the order they were read, even across retries."},
	{Name: OptionFullFeed, Title: "Send the full feed", Type: connectors.TypeBool, Default: false,
		Help: "Write every record each run, also those unchanged since the last one, for a target that expects the whole feed every time (a price list file). Off: unchanged records are skipped."},
}

// EngineFlowFields returns the flow options the engine itself reads, to
// render and document them beside the connectors' flow fields.
func EngineFlowFields() []connectors.Field { return slices.Clone(engineFlowFields) }

// flowOptions are a flow's options, resolved: the engine's own, and those
// for reading from its source and writing to its target, typed and with
// defaults applied.
type flowOptions struct {
	engine, source, target connectors.Config
}

// optionProblems say what is wrong with a flow's options, by option:
// "ordered" for an engine option, "source.pattern" for a connection's;
// "" for the options as a whole.
type optionProblems map[string]string

// Error lists the problems in a stable order.
func (p optionProblems) Error() string {
	names := make([]string, 0, len(p))
	for name := range p {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = p[name]
		if name != "" {
			parts[i] = name + ": " + p[name]
		}
	}
	return "options: " + strings.Join(parts, "; ")
}

// add notes err under prefix: a *ValidationError option by option.
func (p optionProblems) add(prefix string, err error) {
	var ve *connectors.ValidationError
	if !errors.As(err, &ve) {
		p[prefix] = err.Error()
		return
	}
	for field, msg := range ve.Fields {
		p[strings.TrimPrefix(prefix+"."+field, ".")] = msg
	}
}

// validationErrors shapes the problems as PocketBase field errors:
// {"options": {"ordered": ..., "source": {"pattern": ...}}}.
func (p optionProblems) validationErrors() validation.Errors {
	options := validation.Errors{}
	for name, msg := range p {
		err := validation.NewError("validation_invalid_option", msg)
		group, field, nested := strings.Cut(name, ".")
		switch {
		case name == "":
			return validation.Errors{"options": err}
		case !nested:
			options[name] = err
		default:
			sub, _ := options[group].(validation.Errors)
			if sub == nil {
				sub = validation.Errors{}
				options[group] = sub
			}
			sub[field] = err
		}
	}
	return validation.Errors{"options": options}
}

// resolveFlowOptions checks a flow's options: the engine's own against
// its flow fields, those under "source" against the source connector's
// flow fields for reading and those under "target" against the target
// connector's for writing, with each connector's ValidateFlow step. It
// returns them resolved, or optionProblems naming every bad option.
func (s *Switchboard) resolveFlowOptions(flow, source, target *core.Record) (flowOptions, error) {
	raw, ok := optionsObject(flow.GetString("options"))
	if !ok {
		return flowOptions{}, optionProblems{"": "must be an object of option names and values"}
	}
	problems := optionProblems{}
	engine := map[string]any{}
	for name, v := range raw {
		if name != OptionsSource && name != OptionsTarget {
			engine[name] = v
		}
	}
	var out flowOptions
	var err error
	if out.engine, err = connectors.ResolveOptions("engine", engineFlowFields, engine); err != nil {
		problems.add("", err)
	}
	out.source = s.connectionOptions(source, connectors.UseRead, raw[OptionsSource], OptionsSource, problems)
	out.target = s.connectionOptions(target, connectors.UseWrite, raw[OptionsTarget], OptionsTarget, problems)
	if len(problems) > 0 {
		return flowOptions{}, problems
	}
	return out, nil
}

// connectionOptions resolves a flow's options for its use of conn, noting
// problems under key.
func (s *Switchboard) connectionOptions(conn *core.Record, use connectors.Use, raw any, key string, problems optionProblems) connectors.Config {
	values, ok := raw.(map[string]any)
	if !ok && raw != nil {
		problems[key] = "must be an object of option names and values"
		return connectors.Config{}
	}
	reg, found := s.registry.Lookup(conn.GetString("connector"))
	if !found {
		problems[key] = fmt.Sprintf("connection %q has an unknown connector %q", conn.GetString("name"), conn.GetString("connector"))
		return connectors.Config{}
	}
	var cfg connectors.Config
	var err error
	if connCfg, connErr := resolvedConfig(conn, reg.Spec); connErr == nil {
		cfg, err = reg.Spec.ResolveAndValidateFlow(use, values, connCfg, connectors.Env{Files: s.FilesRoot()})
	} else { // the connection's own checks report it; the options' types are still checked
		cfg, err = reg.Spec.ResolveFlow(use, values)
	}
	if err != nil {
		problems.add(key, err)
	}
	return cfg
}

// resolvedConfig resolves a connection's config for a ValidateFlow step,
// with placeholders for its secrets: the step never reads them.
func resolvedConfig(conn *core.Record, spec connectors.Spec) (connectors.Config, error) {
	config, err := recordConfig(conn)
	if err != nil {
		return connectors.Config{}, err
	}
	placeholders := map[string]string{}
	for name := range sealedSecrets(conn) {
		placeholders[name] = "set"
	}
	return spec.Resolve(config, placeholders)
}

// optionsObject reads a flow's stored options; null or nothing is none.
func optionsObject(stored string) (map[string]any, bool) {
	if s := strings.TrimSpace(stored); s == "" || s == "null" {
		return map[string]any{}, true
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(stored), &out); err != nil || out == nil {
		return nil, false
	}
	return out, true
}

// checkFlowOptions refuses a flow whose options do not resolve, with an
// error per option: data.options.ordered, data.options.source.pattern. It
// returns them resolved, and whether they did resolve.
func (s *Switchboard) checkFlowOptions(app core.App, flow *core.Record, errs validation.Errors) (flowOptions, bool) {
	source, err := app.FindRecordById(connectionsCollection, flow.GetString("source"))
	if err != nil {
		return flowOptions{}, false
	}
	target, err := app.FindRecordById(connectionsCollection, flow.GetString("target"))
	if err != nil {
		return flowOptions{}, false
	}
	opts, err := s.resolveFlowOptions(flow, source, target)
	if err != nil {
		var problems optionProblems
		if errors.As(err, &problems) {
			for k, v := range problems.validationErrors() {
				errs[k] = v
			}
		}
		return flowOptions{}, false
	}
	return opts, true
}
