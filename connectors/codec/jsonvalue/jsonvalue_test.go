package jsonvalue

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// want decodes data with encoding/json: json.Unmarshal's error for invalid
// JSON, or the value of a json.Decoder with UseNumber.
func want(t testing.TB, data []byte) (any, error) {
	t.Helper()
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("json.Unmarshal takes %q, a json.Decoder fails: %v", data, err)
	}
	return v, nil
}

// same checks that Decode gives what encoding/json gives for data, and
// that its fast way takes exactly the data encoding/json takes.
func same(t testing.TB, data []byte) {
	t.Helper()
	wantV, wantErr := want(t, data)
	d := decoder{data: data}
	fast, ok := d.document()
	if ok != (wantErr == nil) {
		t.Fatalf("fast way of %q: ok = %v, encoding/json's error = %v", data, ok, wantErr)
	}
	if ok && !reflect.DeepEqual(fast, wantV) {
		t.Fatalf("fast way of %q\n got %#v\nwant %#v", data, fast, wantV)
	}
	v, err := Decode(data)
	if errText(err) != errText(wantErr) || !reflect.DeepEqual(v, wantV) {
		t.Fatalf("Decode(%q) = %#v, %v\nwant %#v, %v", data, v, err, wantV, wantErr)
	}
	sameMembers(t, data, wantV, wantErr)
}

// sameMembers checks Members against json.Unmarshal into a map of raw
// messages: the same keys and value bytes, the same errors.
func sameMembers(t testing.TB, data []byte, v any, wantErr error) {
	t.Helper()
	got := map[string]json.RawMessage{}
	err := Members(data, func(key string, value []byte) error {
		got[key] = bytes.Clone(value)
		return nil
	})
	if _, isObject := v.(map[string]any); wantErr == nil && !isObject {
		wantErr = ErrNotObject
	}
	if errText(err) != errText(wantErr) {
		t.Fatalf("Members(%q) error = %v, want %v", data, err, wantErr)
	}
	if err != nil {
		return
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, raw) {
		t.Fatalf("Members(%q) = %q, want %q", data, got, raw)
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func nested(open, close string, n int) string {
	return strings.Repeat(open, n) + strings.Repeat(close, n)
}

var tricky = []string{
	// values and whitespace
	`{}`, `[]`, `""`, `0`, `true`, `false`, `null`, " \t\r\n{ \"a\" : [ 1 , true , null ] }\n ",
	`{"a":{"b":[{},[],""]},"c":{}}`, `[[[]]]`, `{"":""}`,
	// escapes and surrogates
	`"\"\\\/\b\f\n\r\t"`, `"\u0000\u001f\u00e9\u20AC\uFFFF"`, `"\ud83d\ude00"`, `"\uD83D\uDE00x"`,
	`"\ud83d"`, `"\ude00"`, `"\ud83dx"`, `"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`, `"\ude00\ud83d"`,
	`"\ud83d\"`, `"\ud83d\\"`, `"a\u00"`, `"\u00zz"`, `"\x"`, `"\'"`, `"\`, `"\u`, `"a`, `"\ud83d\u`,
	"\"tab\there\"", "\"nl\n\"", "\"del\x7f\"", `{"\u0061":1,"a":2}`,
	// UTF-8, valid and not
	`"Zürich € 東京 😀"`, "\"a\xffb\"", "\"\xc3\"", "\"\xe2\x82\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
	"\"\xc0\xaf\"", "\"\xef\xbf\xbd\"", "{\"k\xff\":\"v\xfe\"}", "\"\xe2\x82\xac\\n\xff\"", "[\"\xff\"]\xff",
	// numbers
	`-0`, `-0.0`, `1e400`, `-1e-400`, `01`, `-01`, `1.`, `.5`, `-`, `+1`, `1e`, `1e+`, `1E-5`, `0e0`, `1.5e+10`,
	`123456789012345678901234567890`, `-9223372036854775809`, `0.1e1e1`, `1.2.3`, `[1,]`, `[01]`, `[-]`, `0x10`,
	`NaN`, `Infinity`, `-Infinity`, `1 2`, `[1 2]`, `{"a":1 "b":2}`,
	// literals
	`tru`, `truex`, `nul`, `nulll`, `True`, `[true false]`, `[null,`,
	// structure
	``, ` `, `{`, `}`, `[`, `]`, `{"a"}`, `{"a":}`, `{"a" 1}`, `{a:1}`, `{"a":1,}`, `{,}`, `[,]`, `{1:2}`,
	`{"a":1}}`, `{"a":1}{}`, `{"a":1} x`, `[] []`, `"a" "b"`, `{"a":[}`, `{"a":{]}`, "\x00", "[\x00]",
	// duplicate keys: the last wins, a nested object is replaced, not merged
	`{"a":1,"a":2}`, `{"a":{"x":1},"a":{"y":2}}`, `{"a":[1],"a":null}`,
	// a byte order mark is not whitespace
	"\xef\xbb\xbf{}", "{}\xef\xbb\xbf", "\u00a0{}", "\f{}", "\v{}",
	// nesting around encoding/json's limit
	nested("[", "]", maxDepth-1), nested("[", "]", maxDepth), nested("[", "]", maxDepth+1),
	nested(`{"a":`, "}", maxDepth-1) + "", `{"a":` + nested("[", "]", maxDepth-1) + "}",
	`{"a":` + nested("[", "]", maxDepth) + "}", nested("[", "]", maxDepth+1)[:maxDepth+5],
	nested(`[{"k":`, `}]`, maxDepth/2) + "", nested(`[{"k":`, `}]`, maxDepth/2+1),
}

func TestDecodeAsEncodingJSON(t *testing.T) {
	for _, s := range tricky {
		name := s
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) { same(t, []byte(s)) })
	}
}

func TestDecodeOrder(t *testing.T) {
	same(t, readOrder(t))
}

func TestDecodeObject(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]any
		err  string
	}{
		{`{"a":"b"}`, map[string]any{"a": "b"}, ""},
		{` {} `, map[string]any{}, ""},
		{`null`, nil, ""},
		{`[{}]`, nil, ErrNotObject.Error()},
		{`"{}"`, nil, ErrNotObject.Error()},
		{`{"a":`, nil, "unexpected end of JSON input"},
		{"\t\r\n 12", nil, ErrNotObject.Error()},
		{`[{}, `, nil, "unexpected end of JSON input"},
		{`nul`, nil, "invalid character ' ' in literal null (expecting 'l')"},
		{`  `, nil, "unexpected end of JSON input"},
		{``, nil, "unexpected end of JSON input"},
		{`x`, nil, "invalid character 'x' looking for beginning of value"},
	}
	for _, tt := range tests {
		got, err := DecodeObject([]byte(tt.in))
		if errText(err) != cmpOr(tt.err, "<nil>") || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("DecodeObject(%q) = %#v, %v; want %#v, %s", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// TestDecodeObjectDoesNotBuildWhatItRefuses: a large array (a signed
// webhook body may be 10 MB of one) is refused as not an object without
// its elements being made.
func TestDecodeObjectDoesNotBuildWhatItRefuses(t *testing.T) {
	array := []byte("[" + strings.Repeat(`{"a":[1,2]},`, 999) + `{"a":[1,2]}]`)
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := DecodeObject(array); err != ErrNotObject {
			t.Fatalf("DecodeObject(an array) = %v, want ErrNotObject", err)
		}
	})
	if allocs > 10 {
		t.Errorf("DecodeObject made %.0f allocations to refuse an array of 1,000 objects; want it told without building them", allocs)
	}
}

func cmpOr(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

func TestMembersStopsAtItsFunctionsError(t *testing.T) {
	stop := errors.New("stop")
	var keys []string
	err := Members([]byte(`{"a":1,"b":2,"c":3}`), func(key string, _ []byte) error {
		keys = append(keys, key)
		if key == "b" {
			return stop
		}
		return nil
	})
	if err != stop || strings.Join(keys, ",") != "a,b" {
		t.Fatalf("Members = %v after %v, want stop after a,b", err, keys)
	}
}

func readOrder(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/order.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func FuzzDecode(f *testing.F) {
	for _, s := range tricky {
		if len(s) < 1000 {
			f.Add([]byte(s))
		}
	}
	f.Add(readOrder(f))
	f.Fuzz(func(t *testing.T, data []byte) { same(t, data) })
}

// BenchmarkDecode decodes the webhook order of the benchmark with
// encoding/json (the webhook's decoding before) and Decode.
func BenchmarkDecode(b *testing.B) {
	data := readOrder(b)
	b.Run("jsonvalue", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			var v map[string]any
			if err := dec.Decode(&v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
