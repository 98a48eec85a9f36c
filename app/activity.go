package app

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
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

// encodeInboxPayloads encodes the payloads of a transaction entering the
// inbox as plain JSON, without compressing them: a worker reads them back
// soon and its outcome stores them compressed with the other stages, so
// compressing them first costs more than the bytes it saves for a while.
func encodeInboxPayloads(p Payloads) (string, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("encoding payloads: %w", err)
	}
	return string(raw), nil
}

// decodePayloads reads what encodePayloads or encodeInboxPayloads wrote
// (plain JSON begins with "{", which base64 never holds); an empty string
// is no payloads (they may have passed their retention).
func decodePayloads(s string) (Payloads, error) {
	var p Payloads
	if s == "" {
		return p, nil
	}
	data := []byte(s)
	if !strings.HasPrefix(s, "{") {
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return p, fmt.Errorf("decoding payloads: %w", err)
		}
		if data, err = inflate(raw); err != nil {
			return p, fmt.Errorf("decompressing payloads: %w", err)
		}
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
