package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/connectors"
)

// connectionData is a connection's page: its form, generated from its
// connector's spec, and the verdict of a test.
type connectionData struct {
	page
	Record   *core.Record
	Spec     connectors.Spec
	Name     string
	Basic    []formField
	Advanced []formField
	Errors   map[string]string
	Verdict  *connectors.TestResult
	Cleared  []string
	Action   string
	// OAuth2 is set when the connection is connected with a Connect
	// button (the OAuth2 authorization code flow).
	OAuth2 bool
}

// formField is one control of a form generated from connector fields:
// a connection's config or a flow's options.
type formField struct {
	connectors.Field
	// Input is the control's name in the form ("f.host", "o.source.pattern")
	// and ID its element id.
	Input, ID string
	Value     string
	Checked   bool
	SecretSet bool
	Error     string
}

// formFields lays out a spec's fields with their values (config), which
// secrets are set, and the errors by form field.
func formFields(spec connectors.Spec, config map[string]any, secretsSet []string, errs map[string]string) (basic, advanced []formField) {
	for _, f := range spec.Fields {
		ff := formField{Field: f, Input: "f." + f.Name, ID: "f-" + f.Name, SecretSet: contains(secretsSet, f.Name)}
		if f.Secret {
			ff.Error = errs["secrets."+f.Name]
		} else {
			ff.Error = errs["config."+f.Name]
			ff.Value, ff.Checked = fieldValue(f, config)
		}
		if f.Advanced {
			advanced = append(advanced, ff)
		} else {
			basic = append(basic, ff)
		}
	}
	return basic, advanced
}

// fieldValue is a field's value as the form shows it: the stored value,
// else the default.
func fieldValue(f connectors.Field, config map[string]any) (string, bool) {
	v, ok := config[f.Name]
	if !ok || v == nil {
		v = f.Default
	}
	if v == nil {
		return "", false
	}
	if f.Type == connectors.TypeBool {
		b, _ := v.(bool)
		return "", b || v == "true" || v == "on"
	}
	if n, ok := v.(float64); ok && f.Type == connectors.TypeInt {
		return strconv.FormatInt(int64(n), 10), false
	}
	return fmt.Sprint(v), false
}

// readConnectionForm reads a submitted connection form: the plain fields
// as the spec types them (a value that does not read as its type is
// passed on, for the spec's check to name), and the secrets typed in (an
// empty secret keeps the stored one).
func readConnectionForm(r *http.Request, spec connectors.Spec) app.ConnectionInput {
	in := app.ConnectionInput{Name: strings.TrimSpace(r.PostFormValue("name")), Connector: spec.Name,
		Config: map[string]any{}, Secrets: map[string]string{}}
	for _, f := range spec.Fields {
		raw := r.PostFormValue("f." + f.Name)
		if f.Secret {
			if raw != "" {
				in.Secrets[f.Name] = raw
			}
		} else if v, ok := typedValue(f, raw); ok {
			in.Config[f.Name] = v
		}
	}
	return in
}

// retypeSecrets notes at each secret a refused form had typed that it
// was not saved: the page cannot show it again (no secret goes into a
// page), and a field left as it is would keep the old value.
func retypeSecrets(r *request, in app.ConnectionInput, errs map[string]string) map[string]string {
	if errs == nil {
		errs = map[string]string{}
	}
	for name := range in.Secrets {
		if errs["secrets."+name] == "" {
			errs["secrets."+name] = r.L.T("connection.secret_retype")
		}
	}
	return errs
}

// secretNames are the names of the secrets a saved connection holds; none
// for a connection not saved yet.
func secretNames(rec *core.Record) []string {
	if rec == nil {
		return nil
	}
	return app.SecretNames(rec)
}

func (u *UI) renderConnection(r *request, status int, d connectionData, config map[string]any) error {
	d.Basic, d.Advanced = formFields(d.Spec, config, secretNames(d.Record), d.Errors)
	d.OAuth2 = d.Record != nil && u.sb.ConnectsWithOAuth2(d.Record)
	return r.render(status, "connection", d)
}

// recordConfigMap reads a connection's stored config.
func recordConfigMap(rec *core.Record) map[string]any {
	config := map[string]any{}
	_ = rec.UnmarshalJSONField("config", &config)
	return config
}
