package json

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/codectest"
)

// FuzzDecode checks that any input, as JSON or NDJSON, ends in records,
// failed records or a file error, without a panic and within a bounded
// number of calls.
func FuzzDecode(f *testing.F) {
	for _, pattern := range []string{"*.json", "*.ndjson"} {
		files, _ := filepath.Glob(filepath.Join("..", "..", "files", "testdata", "corpus", pattern))
		for _, name := range files {
			if b, err := os.ReadFile(name); err == nil {
				f.Add(b, false)
			}
		}
	}
	f.Add([]byte(`{"d":{"items":[{"a":"\ud83d\ude00"},1,[2]]}} {"d":{"items":{"a":1}}}`), false)
	f.Add([]byte("{\"a\":1}\n\n[1]\n{\"a\":\"\\u0000\"}"), true)
	f.Fuzz(func(t *testing.T, in []byte, lines bool) {
		lim := codec.Limits{MaxRecordBytes: 256, MaxElementBytes: 32, MaxDepth: 8}
		for _, path := range []string{"", "d.items"} {
			d, err := NewDecoder(bytes.NewReader(in), Options{Path: path, Lines: lines, Limits: lim})
			if err != nil {
				continue
			}
			if err := codectest.Drain(d, len(in)+2); err != nil {
				t.Fatal(err)
			}
		}
	})
}
