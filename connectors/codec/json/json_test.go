package json

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/codectest"
)

func collect(t *testing.T, in io.Reader, opts Options) ([]string, error) {
	t.Helper()
	d, err := NewDecoder(in, opts)
	if err != nil {
		return nil, err
	}
	return codectest.Lines(d, func(rec map[string]any) string {
		b, _ := json.Marshal(rec)
		return string(b)
	})
}

// small are limits small enough for tests to go past them quickly.
var small = codec.Limits{MaxRecordBytes: 1 << 20, MaxElementBytes: 64 << 10}

func TestDecode(t *testing.T) {
	big := strings.Repeat("x", 70<<10)
	bigRecord := `{"a":"` + strings.Repeat(big+`","b":"`, 20) + `"}`
	tests := []struct {
		name string
		in   string
		opts Options
		want []string
	}{
		{"top-level array", "[\n {\"sku\":\"A1\",\"price\":12.50},\n {\"sku\":\"A2\",\"qty\":12345678901234567890}\n]",
			Options{}, []string{`2 {"price":12.50,"sku":"A1"}`, `3 {"qty":12345678901234567890,"sku":"A2"}`}},
		{"path", `{"meta":{"skip":[1,{"x":[2]}]},"data":{"total":2,"items":[{"a":1},{"a":2}]},"after":1}`,
			Options{Path: "data.items"}, []string{`1 {"a":1}`, `1 {"a":2}`}},
		{"path to one object", `{"data":{"order":{"n":1}}}`, Options{Path: "data.order"}, []string{`1 {"n":1}`}},
		{"concatenated values", "{\"a\":1}\n{\"a\":2}\n", Options{}, []string{`1 {"a":1}`, `2 {"a":2}`}},
		{"single object", `{"a":1}`, Options{}, []string{`1 {"a":1}`}},
		{"empty array", `[]`, Options{}, nil},
		{"non-object element fails alone", `[{"a":1}, 5, {"a":2}]`, Options{}, []string{`1 {"a":1}`, `1 ERR the record is a number, not an object`, `1 {"a":2}`}},
		{"ndjson bad line fails alone", "{\"a\":1}\n{oops\n\n{\"a\":3}\n", Options{Lines: true},
			[]string{`1 {"a":1}`, `2 ERR not valid JSON: invalid character 'o' looking for beginning of object key string (at line 2, byte offset 1)`, `4 {"a":3}`}},
		{"utf-8 BOM", "\xEF\xBB\xBF[{\"a\":\"é\"}]", Options{}, []string{`1 {"a":"é"}`}},
		{"too deep fails alone", `[` + strings.Repeat(`{"a":`, 70) + `1` + strings.Repeat(`}`, 70) + `,{"b":1}]`, Options{},
			[]string{`1 ERR nested deeper than 64 levels`, `1 {"b":1}`}},
		{"broken element fails alone", "[{\"a\":1},\n{\"a\" 2},{\"a\":3}]", Options{},
			[]string{`1 {"a":1}`, `2 ERR not valid JSON: invalid character '2' after object key (at line 2, byte offset 5)`, `2 {"a":3}`}},
		// a second top-level value is read, not dropped
		{"two top-level arrays", `[{"a":1},{"a":2}][{"a":3}]`, Options{}, []string{`1 {"a":1}`, `1 {"a":2}`, `1 {"a":3}`}},
		{"two top-level values with a path", "{\"d\":[{\"a\":1}]}\n{\"d\":[{\"a\":2}]}", Options{Path: "d"}, []string{`1 {"a":1}`, `2 {"a":2}`}},
		{"array after an object", "{\"a\":1}\n[{\"a\":2}]", Options{}, []string{`1 {"a":1}`, `2 {"a":2}`}},
		// values are never changed silently
		{"invalid UTF-8 in a string", "[{\"a\":\"ok\"},\n{\"a\":\"caf\xe9\"},{\"a\":\"ok\"}]", Options{Encoding: "utf-8"},
			[]string{`1 {"a":"ok"}`, `2 ERR invalid UTF-8 (byte 0xE9): the file seems to be in another encoding (set encoding, e.g. windows-1252) (at byte offset 9)`, `2 {"a":"ok"}`}},
		{"lone surrogate escape", `[{"a":"x\ud800y"},{"a":"\ud83d\ude00"},{"a":"\\ud800"}]`, Options{},
			[]string{`1 ERR the escape \ud800 is a lone UTF-16 surrogate, which is not a character (at byte offset 8)`, `1 {"a":"😀"}`, `1 {"a":"\\ud800"}`}},
		{"NUL escape", `[{"a":{"b":["x\u0000"]}},{"a":1}]`, Options{},
			[]string{`1 ERR field "a.b[0]" holds a NUL character (\u0000), which is not text`, `1 {"a":1}`}},
		{"raw NUL byte", "[{\"a\":\"x\x00\"},{\"a\":1}]", Options{},
			[]string{`1 ERR a NUL byte (0x00), which is not text (at byte offset 8)`, `1 {"a":1}`}},
		{"duplicate key", "[{\"sku\":\"A\",\"price\":1,\n\"price\":2},{\"a\":1}]", Options{},
			[]string{`1 ERR field "price" is given twice in the record: only one value can be kept, remove or rename one (at line 2, byte offset 0)`, `2 {"a":1}`}},
		{"duplicate key nested", `[{"a":{"b":1},"c":[{"d":1,"d":2}]},{"a":{"b":1,"b":1}}]`, Options{},
			[]string{`1 ERR field "c[0].d" is given twice in the record: only one value can be kept, remove or rename one (at byte offset 26)`,
				`1 ERR field "a.b" is given twice in the record: only one value can be kept, remove or rename one (at byte offset 47)`}},
		{"duplicate key written with escapes", `[{"a\"":1,"\u0061\"":2},{"a":"1","b":"1"}]`, Options{},
			[]string{`1 ERR field "a\"" is given twice in the record: only one value can be kept, remove or rename one (at byte offset 10)`, `1 {"a":"1","b":"1"}`}},
		{"ndjson duplicate key", "{\"a\":1,\"a\":1}\n{\"a\":{\"x\":1},\"b\":{\"x\":2}}\n", Options{Lines: true},
			[]string{`1 ERR field "a" is given twice in the record: only one value can be kept, remove or rename one (at byte offset 7)`, `2 {"a":{"x":1},"b":{"x":2}}`}},
		// limits fail the item alone
		{"string over the limit", `[{"a":"` + big + `"},{"a":2}]`, Options{Limits: small},
			[]string{`1 ERR a string on line 1 is 71680 bytes, larger than the limit of 65536 bytes (too large)`, `1 {"a":2}`}},
		{"record over the limit", `[{"a":1},` + bigRecord + `,{"a":2}]`, Options{Limits: small},
			[]string{`1 {"a":1}`, fmt.Sprintf(`1 ERR record larger than the limit of 1048576 bytes: %d bytes (too large)`, len(bigRecord)), `1 {"a":2}`}},
		{"ndjson line over the limit", "{\"a\":1}\n" + bigRecord + "\n{\"a\":2}\n", Options{Lines: true, Limits: small},
			[]string{`1 {"a":1}`, fmt.Sprintf(`2 ERR line too long: %d bytes, the limit is 1048576 bytes`, len(bigRecord)), `3 {"a":2}`}},
		{"ndjson string over the limit", "{\"a\":\"" + big + "\"}\n{\"a\":2}\n", Options{Lines: true, Limits: small},
			[]string{`1 ERR a string on line 1 is 71680 bytes, larger than the limit of 65536 bytes (too large)`, `2 {"a":2}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, strings.NewReader(tt.in), tt.opts)
			if err != nil {
				t.Fatalf("error: %v (got %q)", err, got)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%.500s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestFileErrors checks the errors that end a file, after the records
// before them.
func TestFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		opts    Options
		records string
		want    string
		is      error
	}{
		{"empty", " ", Options{}, "", "the file is empty", nil},
		{"path missing", `{"data":{}}`, Options{Path: "data.items"}, "", "path data.items not found", nil},
		{"path through a list", `{"data":[1]}`, Options{Path: "data.items"}, "", "data is an array, not an object", nil},
		{"cut inside a record", `[{"a":1},{"a":`, Options{}, `1 {"a":1}`, "line 1: the file ends inside the value that starts on line 1", io.ErrUnexpectedEOF},
		{"cut before the closing bracket", "[{\"a\":1},\n{\"a\":2}", Options{}, `1 {"a":1}|2 {"a":2}`, "line 2: the file ends before the array of records closes", io.ErrUnexpectedEOF},
		{"cut after a comma", `[{"a":1},`, Options{}, `1 {"a":1}`, "the file ends where a value should start", io.ErrUnexpectedEOF},
		{"cut in the object around the path", `{"d":{"items":[{"a":1}]}`, Options{Path: "d.items"}, `1 {"a":1}`, "the file ends inside an object", io.ErrUnexpectedEOF},
		{"cut after one object", `{"a":1`, Options{}, ``, "the file ends inside the value", io.ErrUnexpectedEOF},
		{"text between records", `[{"a":1} {"a":2}]`, Options{}, `1 {"a":1}`, `'{' where , or ] should follow a record`, nil},
		{"bracket closing the wrong thing", `[{"a":1},{"a":[1}]`, Options{}, `1 {"a":1}`, `'}' closes '['`, nil},
		{"comma before the closing bracket", `[{"a":1},]`, Options{}, `1 {"a":1}`, `a , before the ]`, nil},
		{"path not found in a second value", `{"d":[{"a":1}]} {"e":1}`, Options{Path: "d"}, `1 {"a":1}`, "path d not found", nil},
		// the records under a second member of the path's name are not dropped unseen
		{"path given twice", "{\"items\":[{\"a\":1}],\n\"items\":[{\"a\":2}]}", Options{Path: "items"}, `1 {"a":1}`,
			"line 2: items is given twice in the object: only the records of the first were read", nil},
		{"outer step of the path given twice", `{"d":{"items":[{"a":1}],"x":1},"e":1,"d":{"items":[]}}`, Options{Path: "d.items"}, `1 {"a":1}`,
			"d is given twice in the object", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, strings.NewReader(tt.in), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Join(got, "|") != tt.records {
				t.Fatalf("err = %v (got %q), want records %q and an error mentioning %q", err, got, tt.records, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want errors.Is %v", err, tt.is)
			}
		})
	}
}

// TestHugeItemsKeepMemoryFlat reads items many times the record limit and
// checks that they fail alone, the records after them are read, and the
// reading allocates at most a quarter of their size.
func TestHugeItemsKeepMemoryFlat(t *testing.T) {
	const huge, deep = 32 << 20, 4 << 20
	tests := []struct {
		name string
		in   *codectest.Generated
		opts Options
		want string
	}{
		{"string", &codectest.Generated{Prefix: `[{"a":"`, Fill: 'x', N: huge, Suffix: `"},{"a":2}]`}, Options{Limits: small},
			fmt.Sprintf(`1 ERR record larger than the limit of 1048576 bytes: %d bytes (too large)|1 {"a":2}`, huge+8)},
		{"nested arrays", &codectest.Generated{Prefix: `[{"a":`, Fill: '[', N: deep, Suffix: strings.Repeat("]", deep) + `},{"a":2}]`},
			Options{Limits: codec.Limits{MaxRecordBytes: 256 << 10}},
			fmt.Sprintf(`1 ERR record larger than the limit of 262144 bytes: %d bytes (too large)|1 {"a":2}`, 2*deep+6)},
		{"ndjson line", &codectest.Generated{Prefix: `{"a":"`, Fill: 'x', N: huge, Suffix: "\"}\n{\"a\":2}\n"}, Options{Lines: true, Limits: small},
			fmt.Sprintf(`1 ERR line too long: %d bytes, the limit is 1048576 bytes|2 {"a":2}`, huge+8)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			var err error
			alloc := codectest.Allocated(func() { got, err = collect(t, tt.in, tt.opts) })
			if err != nil || strings.Join(got, "|") != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
			if alloc > uint64(tt.in.Taken/4) {
				t.Fatalf("reading %d bytes allocated %d bytes", tt.in.Taken, alloc)
			}
		})
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		enc  EncoderOptions
		dec  Options
	}{
		{"array", EncoderOptions{}, Options{}},
		{"wrapped", EncoderOptions{Path: "data.items"}, Options{Path: "data.items"}},
		{"ndjson", EncoderOptions{Lines: true}, Options{Lines: true}},
	}
	recs := []map[string]any{{"sku": "A1", "price": json.Number("12.50")}, {"sku": "<A2>"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			enc := NewEncoder(&buf, tt.enc)
			for _, r := range recs {
				if err := enc.Encode(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := enc.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := collect(t, &buf, tt.dec)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || !strings.Contains(got[0], `"price":12.50`) || !strings.Contains(got[1], `A2`) {
				t.Fatalf("got %q", got)
			}
		})
	}
}

// TestEncodeBadRecordFailsAlone checks that a record that cannot be
// encoded fails and writes nothing, first in the file or not, so the
// records around it make a whole file.
func TestEncodeBadRecordFailsAlone(t *testing.T) {
	bad := map[string]any{"sku": "B", "price": math.Inf(1)}
	tests := []struct {
		name string
		enc  EncoderOptions
		dec  Options
		recs []map[string]any // nil is the bad record
		want string
	}{
		{"array", EncoderOptions{}, Options{}, []map[string]any{{"sku": "A"}, nil, {"sku": "C"}}, "A C"},
		{"array, bad first", EncoderOptions{}, Options{}, []map[string]any{nil, {"sku": "A"}, {"sku": "C"}}, "A C"},
		{"array, only bad", EncoderOptions{}, Options{}, []map[string]any{nil}, ""},
		{"wrapped, bad first", EncoderOptions{Path: "data.items"}, Options{Path: "data.items"}, []map[string]any{nil, {"sku": "A"}}, "A"},
		{"ndjson", EncoderOptions{Lines: true}, Options{Lines: true}, []map[string]any{{"sku": "A"}, nil, {"sku": "C"}}, "A C"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			enc := NewEncoder(&buf, tt.enc)
			for _, r := range tt.recs {
				if r != nil {
					if err := enc.Encode(r); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := enc.Encode(bad); err == nil || !strings.Contains(err.Error(), "unsupported value") {
					t.Fatalf("err = %v, want unsupported value", err)
				}
			}
			if err := enc.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := collect(t, &buf, tt.dec)
			if err != nil {
				t.Fatalf("reading back: %v\n%s", err, buf.String())
			}
			var skus []string
			for _, line := range got {
				_, rec, _ := strings.Cut(line, " ")
				var m map[string]string
				_ = json.Unmarshal([]byte(rec), &m)
				skus = append(skus, m["sku"])
			}
			if strings.Join(skus, " ") != tt.want {
				t.Fatalf("read back %q from\n%s", got, buf.String())
			}
		})
	}
}
