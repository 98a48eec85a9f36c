// Package conntest is the conformance suite every connector's tests run:
// it checks that a connector keeps the promises of the connectors package
// (its spec, its capabilities, paging to the end, repeatable writes,
// webhook verification, no secret in any message), so the engine can rely
// on them whatever the app behind it.
package conntest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// Suite describes one connector under test.
type Suite struct {
	// Registration is the connector's spec and constructor.
	Registration connectors.Registration
	// Config and Secrets form a working connection.
	Config  map[string]any
	Secrets map[string]string
	// ReadOptions and WriteOptions are the options of the flows that read
	// and write in the checks below, as a flow stores them; they are
	// resolved and validated against the spec's flow fields, as the engine
	// does, and passed with every read and write.
	ReadOptions, WriteOptions map[string]any
	// BadSecrets, when set, replace Secrets to form a connection whose test
	// must fail with a verdict, not a hang or a panic.
	BadSecrets map[string]string
	// Env is handed to the constructor; a discarding logger is used when
	// its Logger is nil.
	Env connectors.Env
	// Entity is the entity to read and write in the checks below.
	Entity connectors.Entity
	// Seed, when set, makes the app hold n records of Entity to read.
	Seed func(t *testing.T, n int)
	// Rereads is how many of the records read last a connector that reads
	// by change time with an overlap reads again from its committed cursor
	// (the engine's delta hash skips them); 0 for none. Seed records
	// changed further apart than the overlap.
	Rereads int
	// Sample is a target-native record to write; writes are checked when set.
	Sample map[string]any
	// Written, when set, returns the record the app now holds under a
	// target id, to check that a writer (a buffering one after its Flush)
	// delivers the whole record it was given, nested objects and lists too.
	Written func(t *testing.T, targetID string) map[string]any
	// Webhook, when set, returns a valid signed webhook call for secret.
	Webhook func(t *testing.T, secret string) connectors.WebhookRequest
	// Timeout bounds every call; 30 seconds when 0.
	Timeout time.Duration
}

// Run runs every check that applies to the suite's connector.
func Run(t *testing.T, s Suite) {
	t.Helper()
	t.Run("spec", s.checkSpec)
	t.Run("capabilities", s.checkCapabilities)
	t.Run("missing required config is refused", s.checkRequired)
	t.Run("flow options are checked", s.checkFlowOptions)
	t.Run("test connection", s.checkTest)
	if s.BadSecrets != nil {
		t.Run("bad credentials get a verdict", s.checkBadSecrets)
	}
	if s.Seed != nil {
		t.Run("read pages to the end and resume from the cursor", s.checkRead)
	}
	if s.Sample != nil {
		t.Run("write is repeatable with the target id", s.checkWrite)
	}
	if s.Webhook != nil {
		t.Run("webhook verification", s.checkWebhook)
	}
}

func (s Suite) ctx(t *testing.T) context.Context {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}

func (s Suite) env() connectors.Env {
	env := s.Env
	if env.Logger == nil {
		env.Logger = discardLogger()
	}
	return env
}

// config resolves and validates the suite's connection config.
func (s Suite) config(t *testing.T, secrets map[string]string) connectors.Config {
	t.Helper()
	cfg, err := s.Registration.Spec.ResolveAndValidate(s.Config, secrets, s.env())
	if err != nil {
		t.Fatalf("resolving and validating the suite's config: %v", err)
	}
	return cfg
}

// options resolves and validates the suite's flow options for use.
func (s Suite) options(t *testing.T, use connectors.Use) connectors.Config {
	t.Helper()
	opts, err := s.Registration.Spec.ResolveAndValidateFlow(use, s.optionValues(use), s.config(t, s.Secrets), s.env())
	if err != nil {
		t.Fatalf("resolving and validating the suite's %s options: %v", use, err)
	}
	return opts
}

func (s Suite) open(t *testing.T, secrets map[string]string) connectors.Connector {
	t.Helper()
	cfg := s.config(t, secrets)
	c, err := s.Registration.New(cfg, s.env())
	if err != nil {
		t.Fatalf("constructing connector: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func (s Suite) checkSpec(t *testing.T) {
	spec := s.Registration.Spec
	if err := spec.Check(); err != nil {
		t.Fatal(err)
	}
	for _, f := range spec.Fields {
		if f.Secret && f.Type != connectors.TypeString && f.Type != connectors.TypeText {
			t.Errorf("secret field %s has type %s; secrets are text", f.Name, f.Type)
		}
		if f.Help == "" {
			t.Errorf("field %s has no help text", f.Name)
		}
		if f.Use != 0 {
			t.Errorf("connection field %s has a use; only flow fields do", f.Name)
		}
	}
	for _, f := range spec.FlowFields {
		if f.Help == "" {
			t.Errorf("flow field %s has no help text", f.Name)
		}
		if _, clash := spec.Field(f.Name); clash {
			t.Errorf("%s is both a connection field and a flow field", f.Name)
		}
	}
}

// checkFlowOptions checks that flow options are resolved for their use:
// the suite's own are taken, an unknown option is refused, and so is a
// missing required one and one for the other use.
func (s Suite) checkFlowOptions(t *testing.T) {
	spec := s.Registration.Spec
	for _, use := range []connectors.Use{connectors.UseRead, connectors.UseWrite} {
		s.options(t, use)
		refused := map[string]map[string]any{"an unknown option": {"no_such_option_": "x"}}
		for _, f := range spec.FlowFields {
			switch {
			case f.Use&use == 0:
				refused[f.Name+", an option for the other use"] = map[string]any{f.Name: f.Default}
			case f.Required && f.Default == nil:
				refused["no "+f.Name] = without(s.optionValues(use), f.Name)
			}
		}
		for what, values := range refused {
			_, err := spec.ResolveFlow(use, values)
			var ve *connectors.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) == 0 || ve.Of != connectors.FlowOptions {
				t.Errorf("%s options with %s: got %v, want an error naming the option", use, what, err)
			}
		}
	}
}

func (s Suite) optionValues(use connectors.Use) map[string]any {
	if use == connectors.UseWrite {
		return s.WriteOptions
	}
	return s.ReadOptions
}

func (s Suite) checkCapabilities(t *testing.T) {
	c := s.open(t, s.Secrets)
	spec := s.Registration.Spec
	_, reads := c.(connectors.Reader)
	_, writes := c.(connectors.Writer)
	_, hooks := c.(connectors.WebhookReceiver)
	if reads != (len(spec.Reads) > 0) {
		t.Errorf("implements Reader = %v, but spec reads %v", reads, spec.Reads)
	}
	if writes != (len(spec.Writes) > 0) {
		t.Errorf("implements Writer = %v, but spec writes %v", writes, spec.Writes)
	}
	if hooks != spec.Webhooks {
		t.Errorf("implements WebhookReceiver = %v, but spec webhooks = %v", hooks, spec.Webhooks)
	}
}

func (s Suite) checkRequired(t *testing.T) {
	spec := s.Registration.Spec
	for _, f := range spec.Fields {
		if !f.Required || f.Default != nil {
			continue
		}
		values, secrets := without(s.Config, f.Name), withoutSecret(s.Secrets, f.Name)
		_, err := spec.Resolve(values, secrets)
		var ve *connectors.ValidationError
		if !errors.As(err, &ve) || ve.Fields[f.Name] == "" {
			t.Errorf("config without required field %s: got %v, want a field error", f.Name, err)
		}
	}
}

func (s Suite) checkTest(t *testing.T) {
	c := s.open(t, s.Secrets)
	res, err := c.Test(s.ctx(t))
	if err != nil {
		t.Fatalf("Test: %v", err)
	}
	if !res.OK || res.Message == "" {
		t.Fatalf("Test = %+v, want OK with a message", res)
	}
	s.assertNoSecret(t, res.Message, fmt.Sprint(res.Details))
}

func (s Suite) checkBadSecrets(t *testing.T) {
	c := s.open(t, s.BadSecrets)
	res, err := c.Test(s.ctx(t))
	if err == nil && res.OK {
		t.Fatalf("Test with bad credentials = %+v, want a failure", res)
	}
	msg := res.Message
	if err != nil {
		msg += err.Error()
	}
	if strings.TrimSpace(msg) == "" {
		t.Fatal("Test with bad credentials gave no message")
	}
	for _, v := range s.BadSecrets {
		if len(v) >= 4 && strings.Contains(msg, v) {
			t.Fatalf("message %q shows a secret", msg)
		}
	}
}

func (s Suite) assertNoSecret(t *testing.T, texts ...string) {
	t.Helper()
	for _, text := range texts {
		for name, v := range s.Secrets {
			if len(v) >= 4 && strings.Contains(text, v) {
				t.Errorf("output shows secret %s: %q", name, text)
			}
		}
	}
}

func without(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func withoutSecret(m map[string]string, key string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}
