package app

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	kflate "github.com/klauspost/compress/flate"

	"github.com/switchboard-app/switchboard/app/jsonenc"
	"github.com/switchboard-app/switchboard/connectors/codec/jsonvalue"
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

// trimAttempts bounds an attempt log to maxAttemptsKept: it keeps the
// first attempt, the last ones, and, when a retry by hand began the
// current round of attempts, the final outcome before it and its first
// attempt, which say when the round began (roundOf).
func trimAttempts(atts []Attempt) []Attempt {
	if len(atts) <= maxAttemptsKept {
		return atts
	}
	head := []int{0}
	if first := roundStart(atts); first > 0 && first < len(atts) {
		head = append(head, first-1, first)
	}
	out := make([]Attempt, 0, maxAttemptsKept)
	next := 0 // the first index not kept or dropped yet
	for _, i := range head {
		if i >= next && i < len(atts)-(maxAttemptsKept-len(out)) {
			out, next = append(out, atts[i]), i+1
		}
	}
	return append(out, atts[max(next, len(atts)-(maxAttemptsKept-len(out))):]...)
}

// payloadDict1 is the preset dictionary of the payloads stored with the
// prefix "d1:": JSON that payloads often hold, the most frequent last, so
// that DEFLATE finds it in a small payload that cannot repeat itself yet.
// Payloads stored with it are read with it: never change it; a better one
// takes a new prefix.
const payloadDict1 = `"description":"","attributes":{},"company":"","line1":"","line2":"",` +
	`"postcode":"","city":"","region":"","country":"","phone":"","first_name":"","last_name":"",` +
	`"created_at":"","updated_at":"","status":"","tax_rate":"","tax":"","discount":"","price":"",` +
	`"quantity":"","unit_price":"","total":"","currency":"EUR","email":"","name":"","customer":{},` +
	`"billing":{},"shipping":{},"lines":[{"sku":"","quantity":"","unit_price":""}],` +
	`"totals":{"subtotal":"","total":""},"number":"","sku":"","id":"",` +
	`{"input":{"id":"","canonical":{"number":"","output":{"id":"","response":{"ok":true,"id":"",` +
	`"error":"","outcome":"retrying"},{"at":"2026-01-01T00:00:00.000000000Z","duration_ms":0,` +
	`"outcome":"failed","error":""},"attempts":[{"at":"2026-01-01T00:00:00.000000000Z",` +
	`"duration_ms":0,"outcome":"succeeded"}]}`

// dictPrefix marks payloads compressed with payloadDict1 and stored as
// base64 text, as they were before rawDictMarker; base64 has no ":".
const dictPrefix = "d1:"

// rawDictMarker is the first byte of payloads compressed with payloadDict1
// and stored as they are, a BLOB: base64 took a third more bytes. Neither
// JSON nor base64 begins with it.
const rawDictMarker = "\x01"

// payloadLevel is the DEFLATE level of stored payloads. Level 1 makes an
// outcome's payloads a few percent larger than level 4 did (a row keeps
// the room its plain input took when it was inserted, so the bytes on disk
// stay the same) in a fifth less time, and took a tenth less CPU a record
// in the binary: its one hash table is half of level 4's two, and leaves
// more of the core's caches to SQLite (docs/performance.md, change 28).
const payloadLevel = 1

// builtInDict is payloadDict1 as the compressors take it.
var builtInDict = []byte(payloadDict1)

// flateWriters compress with github.com/klauspost/compress/flate, which
// writes the same DEFLATE as the standard library's (read back by
// compress/flate) at a third of its cost for a payload of 1 KB: the
// standard writer spends most of it clearing its tables at each reset.
// Each use sets the dictionary it compresses with (ResetDict).
var flateWriters = sync.Pool{New: func() any {
	w, _ := kflate.NewWriterDict(nil, payloadLevel, builtInDict)
	return w
}}

// jsonBuffers hold the JSON of payloads while they are compressed or
// copied into their string, so that encoding them does not grow a new
// buffer each time.
var jsonBuffers = sync.Pool{New: func() any {
	b := make([]byte, 0, 4096)
	return &b
}}

// encodePayloads compresses payloads for the transactions.payloads field,
// with the preset dictionary: rawDictMarker and the DEFLATE stream, to be
// stored as a BLOB (storedPayloads).
func encodePayloads(p Payloads) (string, error) {
	return compressPayloads(p, []byte(rawDictMarker), builtInDict)
}

// compressPayloads encodes p and compresses it with the preset dictionary
// dict, after prefix.
func compressPayloads(p Payloads, prefix, dict []byte) (string, error) {
	p.Attempts = trimAttempts(p.Attempts)
	return withPayloadJSON(p, func(raw []byte) (string, error) {
		buf := bytes.NewBuffer(prefix)
		w := flateWriters.Get().(*kflate.Writer)
		defer flateWriters.Put(w)
		w.ResetDict(buf, dict)
		if _, err := w.Write(raw); err != nil {
			return "", fmt.Errorf("compressing payloads: %w", err)
		}
		if err := w.Close(); err != nil {
			return "", fmt.Errorf("compressing payloads: %w", err)
		}
		return buf.String(), nil
	})
}

// withPayloadJSON encodes p into a pooled buffer and returns what use
// makes of the JSON; use must not keep it.
func withPayloadJSON(p Payloads, use func(raw []byte) (string, error)) (string, error) {
	scratch := jsonBuffers.Get().(*[]byte)
	defer jsonBuffers.Put(scratch)
	raw, err := appendPayloads((*scratch)[:0], p)
	if err != nil {
		return "", fmt.Errorf("encoding payloads: %w", err)
	}
	*scratch = raw
	return use(raw)
}

// payloadFields are the JSON names of Payloads' fields, in their order.
var payloadFields = [...]string{"input", "canonical", "output", "response", "attempts", "unreadable"}

// appendPayloads appends what json.Marshal writes for p, written without
// reflection by jsonenc: the engine encodes each record's payloads twice
// (into the inbox and with the outcome), and encoding/json spent four
// times as long on a record's maps.
func appendPayloads(dst []byte, p Payloads) ([]byte, error) {
	values := [len(payloadFields)]any{p.Input, p.Canonical, p.Output, p.Response, p.Attempts, p.Unreadable}
	omit := [len(payloadFields)]bool{len(p.Input) == 0, len(p.Canonical) == 0, len(p.Output) == 0,
		len(p.Response) == 0, len(p.Attempts) == 0, !p.Unreadable}
	dst = append(dst, '{')
	first := true
	for i, v := range values {
		if omit[i] {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = jsonenc.AppendString(dst, payloadFields[i])
		dst = append(dst, ':')
		var err error
		if attempts, ok := v.([]Attempt); ok {
			dst, err = appendAttempts(dst, attempts)
		} else {
			dst, err = jsonenc.Append(dst, v)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", payloadFields[i], err)
		}
	}
	return append(dst, '}'), nil
}

// appendAttempts appends what json.Marshal writes for attempts.
func appendAttempts(dst []byte, attempts []Attempt) ([]byte, error) {
	dst = append(dst, '[')
	for i, a := range attempts {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"at":`...)
		var err error
		if dst, err = jsonenc.Append(dst, a.At); err != nil {
			return nil, err
		}
		dst = append(dst, `,"duration_ms":`...)
		dst = strconv.AppendInt(dst, a.DurationMS, 10)
		dst = append(dst, `,"outcome":`...)
		dst = jsonenc.AppendString(dst, a.Outcome)
		if a.Error != "" {
			dst = append(dst, `,"error":`...)
			dst = jsonenc.AppendString(dst, a.Error)
		}
		dst = append(dst, '}')
	}
	return append(dst, ']'), nil
}

// encodeInboxPayloads encodes the payloads of a transaction entering the
// inbox as plain JSON, without compressing them: a worker reads them back
// soon and its outcome stores them compressed with the other stages, so
// compressing them first costs more than the bytes it saves for a while.
func encodeInboxPayloads(p Payloads) (string, error) {
	return withPayloadJSON(p, func(raw []byte) (string, error) { return string(raw), nil })
}

// storedPayloads is what a transaction's row stores of encoded payloads:
// compressed ones as a BLOB, plain JSON as text.
func storedPayloads(encoded string) any {
	if strings.HasPrefix(encoded, rawDictMarker) || strings.HasPrefix(encoded, flowDictMarker) {
		return []byte(encoded)
	}
	return encoded
}

// decodePayloads reads what encodePayloads or encodeInboxPayloads wrote:
// plain JSON begins with "{", compressed payloads with rawDictMarker, or
// are base64 when stored before it was used, with the preset dictionary
// when they begin with dictPrefix and without it when stored before it
// was used; an empty string is no payloads (they may have passed their
// retention).
func decodePayloads(s string) (Payloads, error) {
	var p Payloads
	if s == "" {
		return p, nil
	}
	data := []byte(s)
	switch {
	case s[0] == '{':
	case strings.HasPrefix(s, flowDictMarker):
		return p, errors.New("decompressing payloads: they are compressed with their flow's dictionary, which only the engine reads")
	case strings.HasPrefix(s, rawDictMarker):
		var err error
		if data, err = inflate(data[len(rawDictMarker):], builtInDict); err != nil {
			return p, fmt.Errorf("decompressing payloads: %w", err)
		}
	default:
		var dict []byte
		if rest, ok := strings.CutPrefix(s, dictPrefix); ok {
			s, dict = rest, builtInDict
		}
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return p, fmt.Errorf("decoding payloads: %w", err)
		}
		if data, err = inflate(raw, dict); err != nil {
			return p, fmt.Errorf("decompressing payloads: %w", err)
		}
	}
	return decodePayloadJSON(data)
}

// decodePayloadJSON decodes the JSON of payloads: the forms without
// attempts (the inbox's, an unreadable record's) with jsonvalue, a few
// times faster, any other with encoding/json. Payloads that hold the text
// "attempts" (an outcome's) go to encoding/json at once: decodePayloadsFast
// would decode their input before it meets the attempts it leaves to it.
func decodePayloadJSON(data []byte) (Payloads, error) {
	if !bytes.Contains(data, []byte(`"attempts"`)) {
		if p, ok := decodePayloadsFast(data); ok {
			return p, nil
		}
	}
	var p Payloads
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return p, fmt.Errorf("decoding payloads: %w", err)
	}
	return p, nil
}

// errSlowPayloads turns payloads that decodePayloadsFast does not take
// over to encoding/json.
var errSlowPayloads = errors.New("payloads for encoding/json")

// decodePayloadsFast decodes payloads as encoding/json decodes them,
// without reflection; ok is false for any it does not take: attempts
// (encoding/json parses their times), a key it does not know, in another
// letter case or twice (encoding/json merges a second object into the
// first), a value of another type, invalid JSON, anything after the object.
func decodePayloadsFast(data []byte) (p Payloads, ok bool) {
	var seen [len(payloadFields)]bool
	err := jsonvalue.Members(data, func(key string, value []byte) error {
		i := slices.Index(payloadFields[:], key)
		if i < 0 || seen[i] {
			return errSlowPayloads
		}
		seen[i] = true
		return p.decodeField(key, value)
	})
	return p, err == nil
}

// decodeField sets the field whose JSON name is key to value, a valid JSON
// value, as encoding/json does: a raw message keeps a copy of its bytes,
// null included; null leaves a boolean as it is. It returns an error for
// what it does not decode.
func (p *Payloads) decodeField(key string, value []byte) error {
	var err error
	switch key {
	case "input":
		p.Input, err = jsonvalue.DecodeObject(value)
	case "canonical":
		p.Canonical = bytes.Clone(value)
	case "output":
		p.Output = bytes.Clone(value)
	case "response":
		p.Response, err = jsonvalue.DecodeObject(value)
	case "unreadable":
		switch string(value) {
		case "true":
			p.Unreadable = true
		case "false", "null":
		default:
			return errSlowPayloads
		}
	default:
		return errSlowPayloads
	}
	return err
}

var flateReaders sync.Pool

// inflate decompresses DEFLATE data, compressed with the preset
// dictionary dict (nil for none), with a pooled reader.
func inflate(raw, dict []byte) ([]byte, error) {
	src := bytes.NewReader(raw)
	r, ok := flateReaders.Get().(io.ReadCloser)
	if ok {
		if err := r.(flate.Resetter).Reset(src, dict); err != nil {
			return nil, err
		}
	} else {
		r = flate.NewReaderDict(src, dict)
	}
	defer flateReaders.Put(r)
	return io.ReadAll(r)
}
