package app

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestPayloadsEncodeAsEncodingJSON: the payloads' own encoder writes the
// bytes json.Marshal writes, for every field (a field added to Payloads
// and not to the encoder fails here), and fails where it fails.
func TestPayloadsEncodeAsEncodingJSON(t *testing.T) {
	typ := reflect.TypeFor[Payloads]()
	if typ.NumField() != len(payloadFields) {
		t.Fatalf("Payloads has %d fields, its encoder knows %d", typ.NumField(), len(payloadFields))
	}
	for i, name := range payloadFields {
		if tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ","); tag != name {
			t.Fatalf("field %d is %q, the encoder writes %q", i, tag, name)
		}
	}
	attempt := reflect.TypeFor[Attempt]()
	for i, name := range []string{"at", "duration_ms", "outcome", "error"} { // as appendAttempts writes them
		if tag, _, _ := strings.Cut(attempt.Field(i).Tag.Get("json"), ","); tag != name || attempt.NumField() != 4 {
			t.Fatalf("Attempt's field %d is %q of %d, appendAttempts writes %q of 4", i, tag, attempt.NumField(), name)
		}
	}
	full := benchOutcome(t)
	full.Unreadable = true
	full.Attempts = append(full.Attempts, Attempt{At: time.Now(), DurationMS: 5, Outcome: "failed", Error: "<503> & more"})
	tests := []struct {
		name string
		p    Payloads
	}{
		{"empty", Payloads{}},
		{"inbox", Payloads{Input: benchOrder(t)}},
		{"every field", full},
		{"empty maps", Payloads{Input: map[string]any{}, Response: map[string]any{}, Canonical: json.RawMessage{}}},
		{"numbers and odd text", Payloads{Input: map[string]any{"n": json.Number("1.50"), "f": 1e-9, "i": 7,
			"s": "a\u2028\xff<b>", "l": []any{nil, true, map[string]any{"z": "", "a": []any{}}}}}},
		{"raw output not compact", Payloads{Output: json.RawMessage("{ \"a\" : \"<x>\" }")}},
		{"raw output invalid", Payloads{Output: json.RawMessage("{")}},
		{"attempt far in time", Payloads{Attempts: []Attempt{{At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}}},
		{"unsupported", Payloads{Input: map[string]any{"x": math.Inf(1)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, wantErr := json.Marshal(tt.p)
			got, err := appendPayloads(nil, tt.p)
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("error = %v, json.Marshal's = %v", err, wantErr)
			}
			if err == nil && !bytes.Equal(got, want) {
				t.Fatalf("\n got %s\nwant %s", got, want)
			}
		})
	}
}

// TestPayloadsDecodeAsEncodingJSON: decodePayloadJSON decodes what a
// json.Decoder decodes, and fails where it fails, for the payloads the
// engine writes and for odd ones. A field of Payloads added, renamed or
// of another type fails here until decodePayloadsFast knows it.
func TestPayloadsDecodeAsEncodingJSON(t *testing.T) {
	fields := []struct { // as decodeField decodes them; attempts are left to encoding/json
		name string
		typ  reflect.Type
	}{
		{"input", reflect.TypeFor[map[string]any]()}, {"canonical", reflect.TypeFor[json.RawMessage]()},
		{"output", reflect.TypeFor[json.RawMessage]()}, {"response", reflect.TypeFor[map[string]any]()},
		{"attempts", reflect.TypeFor[[]Attempt]()}, {"unreadable", reflect.TypeFor[bool]()},
	}
	typ := reflect.TypeFor[Payloads]()
	if typ.NumField() != len(fields) || len(payloadFields) != len(fields) {
		t.Fatalf("Payloads has %d fields, decodePayloadsFast knows %d", typ.NumField(), len(fields))
	}
	for i, f := range fields {
		tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if tag != f.name || payloadFields[i] != f.name || typ.Field(i).Type != f.typ {
			t.Fatalf("field %d is %q of %s, decodePayloadsFast decodes %q of %s", i, tag, typ.Field(i).Type, f.name, f.typ)
		}
	}
	unreadable := Payloads{Input: map[string]any{"raw": "a;b\n\"", "error": "line 2: bad quote"}, Unreadable: true}
	outcome := benchOutcome(t)
	outcome.Attempts = nil
	engine := []struct {
		name string
		p    Payloads
		fast bool
	}{
		{"empty", Payloads{}, true},
		{"inbox", Payloads{Input: benchOrder(t)}, true},
		{"unreadable", unreadable, true},
		{"outcome without attempts", outcome, true},
		{"outcome", benchOutcome(t), false},
	}
	for _, tt := range engine {
		t.Run(tt.name, func(t *testing.T) {
			data, err := appendPayloads(nil, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if _, fast := decodePayloadsFast(data); fast != tt.fast {
				t.Errorf("decodePayloadsFast takes %s: %v, want %v", data, fast, tt.fast)
			}
			samePayloads(t, data)
		})
	}
	for _, s := range odd {
		samePayloads(t, []byte(s))
	}
	var p Payloads
	if err := json.Unmarshal([]byte(`{"canonical":null}`), &p); err != nil || string(p.Canonical) != "null" {
		t.Fatalf("encoding/json decodes a null raw message as %q, %v; decodeField as \"null\"", p.Canonical, err)
	}
}

// odd are payloads the engine does not write, for decodePayloadJSON.
var odd = []string{`{}`, ` { } `, `{"canonical":null,"output":null}`, `{"input":null,"response":null,"unreadable":null}`,
	`{"output": { "a" : [ 1, 2 ] } , "canonical" : "x" }`, `{"canonical":[1,2.50,"\u00e9"]}`, `{"unreadable":false}`,
	`{"input":{"a":"\ud83d","b":1e400,"c":{"d":[]}}}`, `{"inp\u0075t":{"a":1}}`, `{"Input":{"a":1}}`, `{"OUTPUT":1}`,
	`{"input":{"a":1},"input":{"b":2}}`, `{"input":{"a":1},"input":null}`, `{"unreadable":true,"unreadable":false}`,
	`{"input":"x"}`, `{"input":[]}`, `{"response":7}`, `{"unreadable":"true"}`, `{"unreadable":1}`, `{"other":1}`,
	`{"attempts":[]}`, `{"attempts":null}`, `{"attempts":[{"at":"2026-01-02T03:04:05Z","duration_ms":2,"outcome":"failed"}]}`,
	`{"input":{}} {"output":1}`, `{"input":{}} x`, `{"input":{"a":1}`, `{"input":{"a":01}}`, `{"output":}`, ``, ` `,
	`null`, `[]`, `"x"`, `{"input":{}}]`, "\xef\xbb\xbf{}", `{"response":{"a":"\xff"}}`}

// samePayloads checks that decodePayloadJSON decodes data as a
// json.Decoder with UseNumber does.
func samePayloads(t *testing.T, data []byte) {
	t.Helper()
	var want Payloads
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	wantErr := dec.Decode(&want)
	got, err := decodePayloadJSON(data)
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != "decoding payloads: "+wantErr.Error() {
		t.Fatalf("decodePayloadJSON(%s) error = %v, want %v", data, err, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodePayloadJSON(%s)\n got %#v\nwant %#v", data, got, want)
	}
}

func FuzzDecodePayloadJSON(f *testing.F) {
	for _, s := range odd {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { samePayloads(t, data) })
}

// BenchmarkPayloadsDecode measures decoding the payloads of the
// benchmark's order as the inbox stores them and as an outcome stores them.
func BenchmarkPayloadsDecode(b *testing.B) {
	order, outcome := benchOrder(b), benchOutcome(b)
	tests := []struct {
		name   string
		p      Payloads
		encode func(Payloads) (string, error)
	}{
		{"inbox", Payloads{Input: order}, encodeInboxPayloads},
		{"outcome", outcome, encodePayloads},
		{"outcome-plain", outcome, encodeInboxPayloads},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			enc, err := tt.encode(tt.p)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decodePayloads(enc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestPayloadsRoundTrip(t *testing.T) {
	p := Payloads{
		Input:    map[string]any{"sku": "A-1", "qty": "3"},
		Output:   json.RawMessage(`{"code":"A-1"}`),
		Attempts: []Attempt{{At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Outcome: "failed", Error: "503"}},
	}
	enc, err := encodePayloads(p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodePayloads(enc)
	if err != nil {
		t.Fatal(err)
	}
	if got.Input["sku"] != "A-1" || string(got.Output) != `{"code":"A-1"}` || len(got.Attempts) != 1 || got.Attempts[0].Error != "503" {
		t.Fatalf("round trip = %+v", got)
	}
	if _, err := decodePayloads("not base64!"); err == nil {
		t.Fatal("garbage decoded")
	}
}

func TestAttemptLogIsBounded(t *testing.T) {
	var p Payloads
	for i := range 200 {
		p.Attempts = append(p.Attempts, Attempt{DurationMS: int64(i)})
	}
	enc, _ := encodePayloads(p)
	got, _ := decodePayloads(enc)
	if len(got.Attempts) != maxAttemptsKept || got.Attempts[0].DurationMS != 0 || got.Attempts[maxAttemptsKept-1].DurationMS != 199 {
		t.Fatalf("kept %d attempts: first %d last %d", len(got.Attempts), got.Attempts[0].DurationMS, got.Attempts[len(got.Attempts)-1].DurationMS)
	}
}

// TestInboxPayloadsRoundTrip: the plain JSON payloads of a transaction in
// the inbox, and the compressed ones of its outcome, both decode.
func TestInboxPayloadsRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		encode func(Payloads) (string, error)
	}{
		{"inbox, plain", encodeInboxPayloads},
		{"outcome, compressed", encodePayloads},
	}
	in := Payloads{Input: map[string]any{"sku": "A-1", "qty": json.Number("3"), "lines": []any{map[string]any{"n": "{"}}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := tt.encode(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodePayloads(enc)
			if err != nil {
				t.Fatal(err)
			}
			lines, _ := got.Input["lines"].([]any)
			if got.Input["sku"] != "A-1" || got.Input["qty"] != json.Number("3") || len(lines) != 1 {
				t.Fatalf("round trip = %+v", got)
			}
		})
	}
	if _, err := decodePayloads("{not json"); err == nil {
		t.Fatal("broken JSON decoded")
	}
}

// encodeWithoutDict encodes payloads as outcomes were stored before the
// preset dictionary: DEFLATE without one, then base64.
func encodeWithoutDict(t testing.TB, p Payloads) string {
	t.Helper()
	raw, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestSpeed)
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// TestPayloadsDictionary: an outcome's payloads are compressed with the
// preset dictionary, smaller than without it, and kept as bytes, not as
// base64 (a third more); payloads stored before, without the dictionary or
// as base64, still decode.
func TestPayloadsDictionary(t *testing.T) {
	p := benchOutcome(t)
	before := encodeWithoutDict(t, p)
	now, err := encodePayloads(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(now) > len(before)*85/100 {
		t.Errorf("payloads stored in %d bytes, %d without the dictionary; want at least 15%% fewer", len(now), len(before))
	}
	raw, ok := strings.CutPrefix(now, rawDictMarker)
	if !ok {
		t.Fatalf("payloads stored as %.10q; want them to begin with the raw marker", now)
	}
	asBase64 := dictPrefix + base64.StdEncoding.EncodeToString([]byte(raw))
	for _, enc := range []string{before, now, asBase64} {
		got, err := decodePayloads(enc)
		if err != nil {
			t.Fatalf("decoding %.20s: %v", enc, err)
		}
		if got.Input["id"] != "ORD-000000001" || string(got.Output) != string(p.Output) || len(got.Attempts) != 1 {
			t.Fatalf("decoding %.20s = %+v", enc, got)
		}
	}
	if _, err := decodePayloads(dictPrefix + "not base64!"); err == nil {
		t.Fatal("garbage decoded")
	}
}

// benchOrder is an order like the benchmark's (docs/performance.md).
func benchOrder(t testing.TB) map[string]any {
	t.Helper()
	order := map[string]any{}
	if err := json.Unmarshal([]byte(`{"id":"ORD-000000001","order_id":"ORD-000000001","sku":"SKU-1","qty":3,"price":19.95,
		"currency":"EUR","customer":{"name":"Ada Lovelace","email":"ada@example.test","address":{"street":"Main Street 1",
		"city":"Amsterdam","zip":"1011AA","country":"NL"}},"notes":"leave at the door","created_at":"2026-12-01T10:00:00Z",
		"status":"processing","channel":"web","tags":["gift","priority"]}`), &order); err != nil {
		t.Fatal(err)
	}
	return order
}

// benchOutcome is the payloads of a benchOrder's outcome.
func benchOutcome(t testing.TB) Payloads {
	return Payloads{Input: benchOrder(t), Canonical: json.RawMessage(`{"number":"ORD-000000001","currency":"EUR","totals":{"total":59.85},"lines":[{"sku":"SKU-1","quantity":3,"unit_price":19.95}]}`),
		Output:   json.RawMessage(`{"order_id":"ORD-000000001","sku":"SKU-1","qty":3,"price":21.95}`),
		Response: map[string]any{"ok": true},
		Attempts: []Attempt{{At: time.Now(), DurationMS: 2, Outcome: "succeeded"}}}
}

// flowDictOf is the dictionary that a flow whose first outcome is p has.
func flowDictOf(t testing.TB, p Payloads) *payloadDict {
	t.Helper()
	dict, err := appendPayloads(nil, skeletonOf(p))
	if err != nil {
		t.Fatal(err)
	}
	return newPayloadDict(1, dict)
}

// BenchmarkPayloadsEncode measures the payloads of the benchmark's order
// as the inbox stores them and as an outcome stores them.
func BenchmarkPayloadsEncode(b *testing.B) {
	order, outcome := benchOrder(b), benchOutcome(b)
	tests := []struct {
		name   string
		p      Payloads
		encode func(Payloads) (string, error)
	}{
		{"inbox", Payloads{Input: order}, encodeInboxPayloads},
		{"inbox-compressed", Payloads{Input: order}, encodePayloads},
		{"outcome", outcome, encodePayloads},
		{"outcome-plain", outcome, encodeInboxPayloads},
		{"outcome-without-dictionary", outcome, func(p Payloads) (string, error) { return encodeWithoutDict(b, p), nil }},
		{"outcome-flow-dictionary", outcome, flowDictOf(b, outcome).encode},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				enc, err := tt.encode(tt.p)
				if err != nil {
					b.Fatal(err)
				}
				size = len(enc)
			}
			b.ReportMetric(float64(size), "bytes")
		})
	}
}
