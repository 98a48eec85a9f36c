package json

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

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

func TestDecode(t *testing.T) {
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
			[]string{`1 {"a":1}`, `2 ERR not JSON: invalid character 'o' looking for beginning of object key string`, `4 {"a":3}`}},
		{"utf-8 BOM", "\xEF\xBB\xBF[{\"a\":\"é\"}]", Options{}, []string{`1 {"a":"é"}`}},
		{"too deep fails alone", `[` + strings.Repeat(`{"a":`, 70) + `1` + strings.Repeat(`}`, 70) + `,{"b":1}]`, Options{},
			[]string{`1 ERR nested deeper than 64 levels`, `1 {"b":1}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, strings.NewReader(tt.in), tt.opts)
			if err != nil {
				t.Fatalf("error: %v (got %q)", err, got)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

type endless struct {
	prefix []byte
	fill   byte
	n      int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	i := copy(p, e.prefix)
	e.prefix = e.prefix[i:]
	for ; i < len(p) && int64(i) < e.n; i++ {
		p[i] = e.fill
	}
	e.n -= int64(i)
	return i, nil
}

func TestFileErrors(t *testing.T) {
	tests := []struct {
		name string
		in   io.Reader
		opts Options
		want string
		is   error
	}{
		{"empty", strings.NewReader(" "), Options{}, "empty", nil},
		{"path missing", strings.NewReader(`{"data":{}}`), Options{Path: "data.items"}, "path data.items not found", nil},
		{"path through a list", strings.NewReader(`{"data":[1]}`), Options{Path: "data.items"}, "data is an array, not an object", nil},
		{"truncated", strings.NewReader(`[{"a":1},{"a":`), Options{}, "record at line 1", io.ErrUnexpectedEOF},
		{"syntax error", strings.NewReader("[{\"a\":1},\n{\"a\" 2}]"), Options{}, "record at line 2", nil},
		{"2 GB string", &endless{prefix: []byte(`[{"a":"`), fill: 'x', n: 2 << 30}, Options{}, "record larger than", codec.ErrTooLarge},
		{"2 GB line in ndjson", &endless{prefix: []byte(`{"a":"`), fill: 'x', n: 2 << 30}, Options{Lines: true}, "line 1", codec.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			got, err := collect(t, tt.in, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v (got %q), want it to mention %q", err, got, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want errors.Is %v", err, tt.is)
			}
			if time.Since(start) > 5*time.Second {
				t.Fatalf("took %v", time.Since(start))
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
