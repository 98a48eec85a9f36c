package connectors

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Config is a connection's resolved configuration as a connector receives
// it: plain values with defaults applied, and decrypted secrets. A connector
// must never log or return a secret.
type Config struct {
	// Values holds the non-secret fields, coerced to their types: string,
	// int64, bool or time.Duration.
	Values map[string]any
	// Secrets holds the decrypted secret fields.
	Secrets map[string]string
}

// String returns a string field, or "" when it is not set.
func (c Config) String(name string) string {
	s, _ := c.Values[name].(string)
	return s
}

// Int returns an int field, or 0 when it is not set.
func (c Config) Int(name string) int64 {
	n, _ := c.Values[name].(int64)
	return n
}

// Bool returns a bool field, or false when it is not set.
func (c Config) Bool(name string) bool {
	b, _ := c.Values[name].(bool)
	return b
}

// Duration returns a duration field, or 0 when it is not set.
func (c Config) Duration(name string) time.Duration {
	d, _ := c.Values[name].(time.Duration)
	return d
}

// Secret returns a secret field, or "" when it is not set.
func (c Config) Secret(name string) string { return c.Secrets[name] }

// ValidationError lists what is wrong with a connection's config, or with
// a flow's options, one message per field name. It is what the API shows
// next to each form field.
type ValidationError struct {
	Connector string
	// Of says what was checked: "" for a connection's config, or
	// [FlowOptions].
	Of     string
	Fields map[string]string
	// Secrets holds what is wrong with names sent among the secrets that
	// are not the connector's secrets (unknown, or plain fields), by the
	// name sent, apart from Fields: the same name may be wrong on both
	// sides, and the caller must be told on which side it sent it.
	Secrets map[string]string
}

// Error joins the field messages in a stable order, the secrets' after
// the fields' as secrets.<name>.
func (e *ValidationError) Error() string {
	parts := fieldMessages("", e.Fields)
	parts = append(parts, fieldMessages("secrets.", e.Secrets)...)
	of := e.Of
	if of == "" {
		of = "config"
	}
	return fmt.Sprintf("%s %s: %s", e.Connector, of, strings.Join(parts, "; "))
}

// fieldMessages lists "<prefix><name>: <message>" sorted by name.
func fieldMessages(prefix string, fields map[string]string) []string {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = prefix + name + ": " + fields[name]
	}
	return parts
}

// Resolve checks a connection's stored config and secrets against the spec
// and returns the Config a connector receives. An unknown field, a value of
// the wrong type, a secret in the plain config or a missing required field is
// refused with a *ValidationError naming every bad field.
func (s Spec) Resolve(values map[string]any, secrets map[string]string) (Config, error) {
	cfg := Config{Values: map[string]any{}, Secrets: map[string]string{}}
	problems, secretProblems := map[string]string{}, map[string]string{}
	resolveValues(s.Fields, values, cfg, problems)
	s.resolveSecrets(secrets, cfg, problems, secretProblems)
	if len(problems) > 0 || len(secretProblems) > 0 {
		return Config{}, &ValidationError{Connector: s.Name, Fields: problems, Secrets: secretProblems}
	}
	return cfg, nil
}

// ResolveAndValidate is [Spec.Resolve] followed by the connector's own
// [Spec.Validate] step: what a connection must pass on every save and
// before every run.
func (s Spec) ResolveAndValidate(values map[string]any, secrets map[string]string, env Env) (Config, error) {
	cfg, err := s.Resolve(values, secrets)
	if err != nil || s.Validate == nil {
		return cfg, err
	}
	if err := s.Validate(cfg, env); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// resolveValues coerces the plain values to their fields' types and
// applies defaults, noting each problem by field name.
func resolveValues(fields []Field, values map[string]any, cfg Config, problems map[string]string) {
	for name, raw := range values {
		f, ok := findField(fields, name)
		switch {
		case !ok:
			problems[name] = "unknown field"
		case f.Secret:
			problems[name] = "is a secret: send it in secrets, not in config"
		case isEmpty(raw):
			// treated as not set
		default:
			v, err := coerce(f, raw)
			if err != nil {
				problems[name] = err.Error()
				continue
			}
			cfg.Values[name] = v
		}
	}
	for _, f := range fields {
		if f.Secret {
			continue
		}
		if _, set := cfg.Values[f.Name]; set || problems[f.Name] != "" {
			continue
		}
		if f.Default != nil {
			cfg.Values[f.Name], _ = coerce(f, f.Default)
		} else if f.Required {
			problems[f.Name] = "is required"
		}
	}
}

// resolveSecrets takes the secrets the spec declares; a name it does not
// take as a secret is noted in sent, a required secret missing in
// problems.
func (s Spec) resolveSecrets(secrets map[string]string, cfg Config, problems, sent map[string]string) {
	for name, v := range secrets {
		f, ok := s.Field(name)
		switch {
		case !ok:
			sent[name] = "unknown secret"
		case !f.Secret:
			sent[name] = "is not a secret: send it in config"
		case v != "":
			cfg.Secrets[name] = v
		}
	}
	for _, f := range s.Fields {
		if f.Secret && f.Required && cfg.Secrets[f.Name] == "" && problems[f.Name] == "" {
			problems[f.Name] = "is required"
		}
	}
}

func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && strings.TrimSpace(s) == ""
}

// coerce converts a JSON-decoded value to the field's Go type.
func coerce(f Field, v any) (any, error) {
	switch f.Type {
	case TypeString, TypeText:
		return asString(v)
	case TypeURL:
		return asURL(v)
	case TypeSelect:
		return asOption(v, f.Options)
	case TypeInt:
		return asInt(v)
	case TypeBool:
		return asBool(v)
	case TypeDuration:
		return asDuration(v)
	}
	return nil, fmt.Errorf("unknown type %q", f.Type)
}

func asString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("must be text, got %s", jsonKind(v))
	}
	return s, nil
}

func asURL(v any) (string, error) {
	s, err := asString(v)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("must be an http or https address such as https://shop.example.com, got %q", s)
	}
	if _, hasPassword := u.User.Password(); hasPassword {
		// A password in the address would be plain config: read by every
		// role, exported with the integration, never redacted.
		return "", fmt.Errorf("must not carry a password (user:password@ in %s): enter it among the connection's secrets instead",
			u.Redacted())
	}
	return s, nil
}

func asOption(v any, options []string) (string, error) {
	s, err := asString(v)
	if err != nil {
		return "", err
	}
	for _, o := range options {
		if s == o {
			return s, nil
		}
	}
	return "", fmt.Errorf("must be one of %s, got %q", strings.Join(options, ", "), s)
}

func asInt(v any) (int64, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), nil
		}
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, nil
		}
	case string:
		var i int64
		if _, err := fmt.Sscan(strings.TrimSpace(n), &i); err == nil && fmt.Sprint(i) == strings.TrimSpace(n) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("must be a whole number, got %v", v)
}

func asBool(v any) (bool, error) {
	switch b := v.(type) {
	case bool:
		return b, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(b)) {
		case "true", "yes", "on", "1":
			return true, nil
		case "false", "no", "off", "0":
			return false, nil
		}
	}
	return false, fmt.Errorf("must be true or false, got %v", v)
}

func asDuration(v any) (time.Duration, error) {
	switch d := v.(type) {
	case time.Duration:
		return d, nil
	case string:
		if parsed, err := time.ParseDuration(strings.TrimSpace(d)); err == nil && parsed >= 0 {
			return parsed, nil
		}
	}
	return 0, fmt.Errorf("must be a duration such as 30s or 5m, got %v", v)
}

func jsonKind(v any) string {
	switch v.(type) {
	case bool:
		return "true/false"
	case float64, json.Number, int, int64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
