package app

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Payloads is what a transaction keeps of each stage, stored compressed.
type Payloads struct {
	// Input is the native record as read from the source.
	Input map[string]any `json:"input,omitempty"`
	// Canonical is the record in the canonical model, after the rules, as
	// JSON: it is encoded as soon as it is made.
	Canonical json.RawMessage `json:"canonical,omitempty"`
	// Output is the target-native record that was written, as JSON.
	Output json.RawMessage `json:"output,omitempty"`
	// Response is what the target answered.
	Response map[string]any `json:"response,omitempty"`
	// Attempts lists every attempt, oldest first.
	Attempts []Attempt `json:"attempts,omitempty"`
	// Unreadable is set when the source could not read the record: Input
	// holds its text ("raw") and the cause ("error"), and a retry fails
	// again with that cause.
	Unreadable bool `json:"unreadable,omitempty"`
}

// Attempt is one try at a transaction.
type Attempt struct {
	At         time.Time `json:"at"`
	DurationMS int64     `json:"duration_ms"`
	Outcome    string    `json:"outcome"`
	Error      string    `json:"error,omitempty"`
}

// maxAttemptsKept bounds the attempt log of a transaction retried for days.
const maxAttemptsKept = 50

var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

// encodePayloads compresses payloads for the transactions.payloads field.
func encodePayloads(p Payloads) (string, error) {
	if len(p.Attempts) > maxAttemptsKept {
		p.Attempts = append(p.Attempts[:1], p.Attempts[len(p.Attempts)-maxAttemptsKept+1:]...)
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("encoding payloads: %w", err)
	}
	var buf bytes.Buffer
	w := flateWriters.Get().(*flate.Writer)
	defer flateWriters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(raw); err != nil {
		return "", fmt.Errorf("compressing payloads: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("compressing payloads: %w", err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// decodePayloads reads what encodePayloads wrote; an empty string is no
// payloads (they may have passed their retention).
func decodePayloads(s string) (Payloads, error) {
	var p Payloads
	if s == "" {
		return p, nil
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return p, fmt.Errorf("decoding payloads: %w", err)
	}
	data, err := inflate(raw)
	if err != nil {
		return p, fmt.Errorf("decompressing payloads: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return p, fmt.Errorf("decoding payloads: %w", err)
	}
	return p, nil
}

var flateReaders sync.Pool

// inflate decompresses DEFLATE data with a pooled reader.
func inflate(raw []byte) ([]byte, error) {
	src := bytes.NewReader(raw)
	r, ok := flateReaders.Get().(io.ReadCloser)
	if ok {
		if err := r.(flate.Resetter).Reset(src, nil); err != nil {
			return nil, err
		}
	} else {
		r = flate.NewReader(src)
	}
	defer flateReaders.Put(r)
	return io.ReadAll(r)
}

// Redacted replaces what must never be stored or logged.
const Redacted = "[redacted]"

// sensitiveKey matches field names that hold credentials.
var sensitiveKey = regexp.MustCompile(`(?i)(pass(word|wd)?|secret|token|api[_-]?key|authorization|private[_-]?key|credential|signature|cookie)`)

// redactor removes credentials from payloads and messages: values under
// sensitive keys, and any occurrence of a known secret value.
type redactor struct {
	secrets []string
}

func newRedactor(secretSets ...map[string]string) redactor {
	var r redactor
	for _, set := range secretSets {
		for _, v := range set {
			if len(v) >= 4 {
				r.secrets = append(r.secrets, v)
			}
		}
	}
	return r
}

// text redacts secret values in a message.
func (r redactor) text(s string) string {
	for _, secret := range r.secrets {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
	}
	return s
}

// record returns the record with credentials redacted: the record itself
// when there is nothing to redact, else a redacted copy. The original is
// never changed.
func (r redactor) record(m map[string]any) map[string]any {
	if m == nil || !r.needed(m) {
		return m
	}
	return r.redactedCopy(m)
}

// recordJSON encodes a record for its payload, with credentials redacted,
// and also returns its JSON before redaction (the same bytes when there is
// nothing to redact). A nil record gives nil.
func (r redactor) recordJSON(m map[string]any) (payload, plain json.RawMessage, err error) {
	if m == nil {
		return nil, nil, nil
	}
	if plain, err = json.Marshal(m); err != nil {
		return nil, nil, err
	}
	if !r.needed(m) {
		return plain, plain, nil
	}
	payload, err = json.Marshal(r.redactedCopy(m))
	return payload, plain, err
}

// needed reports whether a value holds anything to redact.
func (r redactor) needed(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if (sensitiveKey.MatchString(k) && e != nil && e != "") || r.needed(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if r.needed(e) {
				return true
			}
		}
	case string:
		return r.text(x) != x
	}
	return false
}

func (r redactor) redactedCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sensitiveKey.MatchString(k) {
			if v != nil && v != "" {
				out[k] = Redacted
			} else {
				out[k] = v
			}
			continue
		}
		out[k] = r.value(v)
	}
	return out
}

func (r redactor) value(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return r.redactedCopy(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.value(e)
		}
		return out
	case string:
		return r.text(x)
	}
	return v
}
