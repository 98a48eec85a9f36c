package jsonenc

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
)

// same checks that Append writes what json.Marshal writes for v, or fails
// where it fails.
func same(t *testing.T, v any) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	got, err := Append(nil, v)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("Append(%#v) error = %v, json.Marshal error = %v", v, err, wantErr)
	}
	if err == nil && !bytes.Equal(got, want) {
		t.Fatalf("Append(%#v)\n got %s\nwant %s", v, got, want)
	}
}

func TestAppendWritesWhatEncodingJSONWrites(t *testing.T) {
	tests := []struct {
		name string
		v    any
	}{
		{"nil", nil},
		{"string", "Garden chair"},
		{"escapes", "a\"b\\c\n\r\t\b\f\x00\x1f<tag>&amp;"},
		{"unicode", "Zürich € 東京 \u2028\u2029 \U0001F600"},
		{"invalid utf-8", "a\xffb\xc3"},
		{"bools", []any{true, false}},
		{"floats", []any{0.0, -0.0, 1.0, 19.95, 1e-7, 1e21, 1e20, 123456789.123, -2.5e-10, math.MaxFloat64, math.SmallestNonzeroFloat64}},
		{"ints", []any{0, -1, 1 << 62, int64(-1 << 63)}},
		{"numbers", []any{json.Number("12"), json.Number("-0.5e+10"), json.Number("1E3"), json.Number("")}},
		{"bad number", json.Number("01")},
		{"number with space", json.Number("1 ")},
		{"number literal", json.Number("true")},
		{"NaN", math.NaN()},
		{"infinity", []any{math.Inf(1)}},
		{"nested", map[string]any{"b": []any{map[string]any{"z": 1.0, "a": nil}}, "a": map[string]any{}, "c": []any{}}},
		{"nil map and slice", map[string]any{"m": map[string]any(nil), "s": []any(nil)}},
		{"keys escaped and sorted", map[string]any{"é": 1.0, "<b>": 2.0, "B": 3.0, "a": 4.0, "": 5.0}},
		{"other types", map[string]any{"t": time.Date(2026, 12, 1, 10, 0, 0, 5, time.UTC), "ss": []string{"x"},
			"raw": json.RawMessage(`{"a" : "<"}`), "f32": float32(0.1), "u": uint8(7), "ms": map[string]string{"k": "v"}}},
		{"unsupported", map[string]any{"ch": make(chan int)}},
		{"marshalers", []any{json.RawMessage(" [ 1 , \"<a&b>\u2028\" ] "), json.RawMessage(nil), time.Unix(0, 5).UTC(),
			decimalLike("59.85"), &pointerMarshaler{"x"}, (*pointerMarshaler)(nil)}},
		{"marshaler's invalid JSON", json.RawMessage("{")},
		{"marshaler's error", []any{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { same(t, tt.v) })
	}
}

// decimalLike marshals as the mapping's decimals do: a JSON string.
type decimalLike string

func (d decimalLike) MarshalJSON() ([]byte, error) { return []byte(`"` + string(d) + `"`), nil }

type pointerMarshaler struct{ s string }

func (p *pointerMarshaler) MarshalJSON() ([]byte, error) {
	return []byte(` { "s" : "` + p.s + `" } `), nil
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "<&>", "\u2028", "\xff", "\"\\\x01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		same(t, s)
		same(t, map[string]any{s: s})
		same(t, json.Number(s))
		same(t, json.RawMessage(s))
	})
}

// BenchmarkAppend encodes an order as a webhook's body decodes, against
// json.Marshal.
func BenchmarkAppend(b *testing.B) {
	var order map[string]any
	dec := json.NewDecoder(bytes.NewReader([]byte(`{"id":"ORD-000000001","order_id":"ORD-000000001","sku":"SKU-1","qty":3,
		"price":19.95,"currency":"EUR","customer":{"name":"Ada Lovelace","email":"ada@example.test","address":{
		"street":"Main Street 1","city":"Amsterdam","zip":"1011AA","country":"NL"}},"notes":"leave at the door",
		"created_at":"2026-12-01T10:00:00Z","status":"processing","channel":"web","tags":["gift","priority"]}`)))
	dec.UseNumber()
	if err := dec.Decode(&order); err != nil {
		b.Fatal(err)
	}
	b.Run("jsonenc", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = Append(buf[:0], order); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(order); err != nil {
				b.Fatal(err)
			}
		}
	})
}
