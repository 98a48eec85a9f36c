package xml

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/codectest"
)

// FuzzDecode checks that any input ends in records, failed records or a
// file error, without a panic and within a bounded number of calls.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "files", "testdata", "corpus", "*.xml"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`<r><p a="&#x41;&amp;"><![CDATA[x]]>t<!-- c --><?pi x?></p><p><n>&#xD800;</n></p></r>`))
	f.Add([]byte("<!DOCTYPE r [<!-- ' --><!ELEMENT r ANY>]><r><p>1</p></r>"))
	f.Fuzz(func(t *testing.T, in []byte) {
		lim := codec.Limits{MaxRecordBytes: 256, MaxElementBytes: 32, MaxDepth: 8}
		d, err := NewDecoder(bytes.NewReader(in), Options{Limits: lim})
		if err != nil {
			return
		}
		if err := codectest.Drain(d, len(in)+2); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzGuard checks that the guard passes on well-formed text unchanged
// and never passes on more than it was given plus its replacements.
func FuzzGuard(f *testing.F) {
	f.Add([]byte(`<r a="x&#65;"><!-- -- --><![CDATA[ ]] ]]>&lt;text</r>`))
	f.Fuzz(func(t *testing.T, in []byte) {
		g := newGuard(bytes.NewReader(in), "utf-8", codec.Limits{MaxRecordBytes: 1 << 20, MaxElementBytes: 1 << 20})
		var out bytes.Buffer
		_, err := out.ReadFrom(g)
		if err != nil {
			t.Fatalf("guard failed under its limits: %v", err)
		}
		if len(g.events) == 0 && !bytes.Equal(out.Bytes(), in) {
			t.Fatalf("no event, yet the text changed:\n%q\n%q", in, out.Bytes())
		}
		if out.Len() > 3*len(in) {
			t.Fatalf("%d bytes out for %d in", out.Len(), len(in))
		}
	})
}
