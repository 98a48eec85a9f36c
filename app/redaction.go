package app

import (
	"bytes"
	"encoding/json"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/redact"
	"github.com/switchboard-app/switchboard/connectors"
)

// Redacted replaces what must never be stored, returned, logged or pushed.
const Redacted = redact.Mask

// redactor takes the secrets of a flow's connections, or of one
// connection, out of what the engine stores, returns, logs, mails and
// pushes. A flow's redactor is built once with its runtime. The zero
// redactor knows no secrets but still redacts credential-like keys.
type redactor struct{ *redact.Redactor }

// redactorOf builds the redactor of some connections.
func (s *Switchboard) redactorOf(conns ...*core.Record) redactor {
	creds := make([]redact.Credentials, 0, len(conns))
	for _, rec := range conns {
		config, _ := recordConfig(rec)
		plain, _ := s.ConnectionSecrets(rec) // secrets that do not open are never sent either
		creds = append(creds, credentials(config, plain))
	}
	return redactor{redact.New(creds...)}
}

// credentials is what a redactor must know of a connection: its secrets,
// and its plain text settings, any of which may be the user name that
// goes with a secret.
func credentials(config map[string]any, secrets map[string]string) redact.Credentials {
	var c redact.Credentials
	for _, v := range secrets {
		c.Secrets = append(c.Secrets, v)
	}
	for _, v := range config {
		if text, ok := v.(string); ok {
			c.Names = append(c.Names, text)
		}
	}
	return c
}

// text redacts a message.
func (r redactor) text(s string) string { return r.Text(s) }

// record returns the record with credentials redacted: the record itself
// when there is nothing to redact, else a redacted copy.
func (r redactor) record(m map[string]any) map[string]any { return r.Record(m) }

// recordJSON encodes a record for its payload, with credentials redacted,
// and returns its JSON before redaction too.
func (r redactor) recordJSON(m map[string]any) (payload, plain json.RawMessage, err error) {
	return r.RecordJSON(m)
}

// testResult redacts a connection test's verdict.
func (r redactor) testResult(res connectors.TestResult) connectors.TestResult {
	res.Message = r.text(res.Message)
	if res.Details != nil {
		details := make(map[string]string, len(res.Details))
		for k, v := range res.Details {
			details[k] = r.text(v)
		}
		res.Details = details
	}
	return res
}

// payloads redacts a transaction's payloads, as they are served: those
// stored before a secret was known to the redactor are cleaned too.
func (r redactor) payloads(p Payloads) Payloads {
	p.Input, p.Response = r.record(p.Input), r.record(p.Response)
	p.Canonical, p.Output = r.recordText(p.Canonical), r.recordText(p.Output)
	for i, a := range p.Attempts {
		p.Attempts[i].Outcome, p.Attempts[i].Error = r.text(a.Outcome), r.text(a.Error)
	}
	return p
}

// recordText redacts a record stored as JSON; anything but a JSON object
// (which no record is) is left as it is.
func (r redactor) recordText(raw json.RawMessage) json.RawMessage {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if len(raw) == 0 || dec.Decode(&m) != nil || m == nil {
		return raw
	}
	out, _, err := r.recordJSON(m)
	if err != nil {
		return raw
	}
	return out
}
