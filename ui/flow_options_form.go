package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/connectors"
)

// optionGroup is one part of a flow's options form: the engine's own
// options (Key ""), or those for reading from the source ("source") or
// writing to the target ("target"), generated from the flow fields.
type optionGroup struct {
	Key      string
	Title    string
	Basic    []formField
	Advanced []formField
}

// optionSets are the flow fields of a flow's options, by group.
type optionSets struct {
	Engine, Source, Target []connectors.Field
}

// flowOptionFields are the fields of a flow's options: the engine's, the
// source connector's for reading and the target connector's for writing.
func flowOptionFields(source, target connectors.Spec) optionSets {
	return optionSets{Engine: app.EngineFlowFields(),
		Source: source.FlowFieldsFor(connectors.UseRead), Target: target.FlowFieldsFor(connectors.UseWrite)}
}

// optionInput names the form control of an option: "o.ordered",
// "o.source.pattern" (prefix "o."; the wizard's flows have their own).
func optionInput(prefix, group, name string) string {
	if group == "" {
		return prefix + name
	}
	return prefix + group + "." + name
}

// optionGroups lays out the options form with the stored (or submitted)
// options and the errors of a refused save (keyed "options.source.pattern").
func optionGroups(r *request, prefix string, sets optionSets, sourceTitle, targetTitle string, options map[string]any, errs map[string]string) []optionGroup {
	sub := func(key string) map[string]any {
		m, _ := options[key].(map[string]any)
		return m
	}
	groups := []optionGroup{
		newOptionGroup(prefix, "", r.L.T("flowform.options_engine"), sets.Engine, options, errs),
		newOptionGroup(prefix, app.OptionsSource, r.L.T("flowform.options_source", sourceTitle), sets.Source, sub(app.OptionsSource), errs),
		newOptionGroup(prefix, app.OptionsTarget, r.L.T("flowform.options_target", targetTitle), sets.Target, sub(app.OptionsTarget), errs),
	}
	return groups
}

func newOptionGroup(prefix, key, title string, fields []connectors.Field, values map[string]any, errs map[string]string) optionGroup {
	g := optionGroup{Key: key, Title: title}
	for _, f := range fields {
		errKey := "options." + f.Name
		if key != "" {
			errKey = "options." + key + "." + f.Name
		}
		input := optionInput(prefix, key, f.Name)
		ff := formField{Field: f, Input: input, ID: strings.ReplaceAll(input, ".", "-"),
			Error: errs[errKey]}
		ff.Value, ff.Checked = fieldValue(f, values)
		if f.Advanced {
			g.Advanced = append(g.Advanced, ff)
		} else {
			g.Basic = append(g.Basic, ff)
		}
	}
	return g
}

// readOptions reads a flow's options from its form: the engine's at the
// top level, the connections' under "source" and "target". An option left
// empty, or a switch left as its default, is not stored, so its default
// applies.
func readOptions(r *http.Request, prefix string, sets optionSets) map[string]any {
	out := readFieldValues(r, prefix, "", sets.Engine)
	if src := readFieldValues(r, prefix, app.OptionsSource, sets.Source); len(src) > 0 {
		out[app.OptionsSource] = src
	}
	if tgt := readFieldValues(r, prefix, app.OptionsTarget, sets.Target); len(tgt) > 0 {
		out[app.OptionsTarget] = tgt
	}
	return out
}

// withoutUnsetDefaults leaves out of options read from a form those that
// only repeat their field's default (the form shows it) and that stored,
// the options saved before, did not have: the default still applies, as
// for an option left empty.
func withoutUnsetDefaults(opts, stored map[string]any, sets optionSets) map[string]any {
	drop := func(values, before map[string]any, fields []connectors.Field) {
		for _, f := range fields {
			v, ok := values[f.Name]
			if _, was := before[f.Name]; !ok || was || f.Default == nil || fmt.Sprint(v) != fmt.Sprint(f.Default) {
				continue
			}
			delete(values, f.Name)
		}
	}
	sub := func(m map[string]any, key string) map[string]any {
		out, _ := m[key].(map[string]any)
		return out
	}
	drop(opts, stored, sets.Engine)
	for _, g := range []struct {
		key    string
		fields []connectors.Field
	}{{app.OptionsSource, sets.Source}, {app.OptionsTarget, sets.Target}} {
		if values := sub(opts, g.key); values != nil {
			drop(values, sub(stored, g.key), g.fields)
			if len(values) == 0 {
				delete(opts, g.key)
			}
		}
	}
	return opts
}

// readFieldValues reads the submitted values of fields without secrets,
// typed as the fields say; a value that does not read as its type is
// passed on as typed, for the check to name.
func readFieldValues(r *http.Request, prefix, group string, fields []connectors.Field) map[string]any {
	out := map[string]any{}
	for _, f := range fields {
		raw := r.PostFormValue(optionInput(prefix, group, f.Name))
		if f.Type == connectors.TypeBool {
			// A switch is stored when it differs from its default.
			if on, def := raw == "on", f.Default == true; on != def {
				out[f.Name] = on
			}
			continue
		}
		if v, ok := typedValue(f, raw); ok {
			out[f.Name] = v
		}
	}
	return out
}

// typedValue reads one submitted value as its field's type; false when
// it is empty and so not set.
func typedValue(f connectors.Field, raw string) (any, bool) {
	trimmed := strings.TrimSpace(raw)
	switch {
	case f.Type == connectors.TypeBool:
		return raw == "on", true
	case trimmed == "":
		return nil, false
	case f.Type == connectors.TypeInt:
		if n, err := strconv.ParseInt(trimmed, 10, 64); err == nil {
			return n, true
		}
	}
	return trimmed, true
}
