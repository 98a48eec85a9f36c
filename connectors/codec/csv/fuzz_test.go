package csv

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/codectest"
)

// addCorpus seeds f with the reader corpus files of the given extension.
func addCorpus(f *testing.F, ext string) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "files", "testdata", "corpus", "*"+ext))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
}

// FuzzDecode checks that any input ends in records, failed rows or a
// file error, without a panic and within a bounded number of calls.
func FuzzDecode(f *testing.F) {
	addCorpus(f, ".csv")
	f.Add([]byte("sep=;\na;b\n1;\"2\n3\"\n\r\n;;\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := NewDecoder(bytes.NewReader(in), Options{Limits: codec.Limits{MaxRecordBytes: 256}})
		if err != nil {
			return
		}
		if err := codectest.Drain(d, len(in)+2); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzRoundTrip checks that cells written by the encoder are read back as
// they were, line breaks inside cells read as LF.
func FuzzRoundTrip(f *testing.F) {
	f.Add("Chair, \"big\"", "two\r\nlines", "=1+1")
	f.Add("'s-Hertogenbosch", " lead", "trail\r")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		cells := []string{a, b, c}
		for _, v := range cells {
			if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
				return // refused on reading, by design
			}
		}
		if strings.TrimSpace(a+b+c) == "" {
			return // a row without data is skipped, by design
		}
		var buf bytes.Buffer
		enc, _ := NewEncoder(&buf, EncoderOptions{Columns: []string{"a", "b", "c"}, KeepFormulas: true})
		if err := enc.Encode(map[string]any{"a": a, "b": b, "c": c}); err != nil {
			t.Fatal(err)
		}
		if err := enc.Close(); err != nil {
			t.Fatal(err)
		}
		d, err := NewDecoder(&buf, Options{Delimiter: ',', Quote: '"'})
		if err != nil {
			t.Fatal(err)
		}
		rec, _, err := d.Next()
		if err != nil {
			t.Fatalf("reading %q back: %v", buf.String(), err)
		}
		lf := strings.NewReplacer("\r\n", "\n", "\r", "\n")
		for i, name := range []string{"a", "b", "c"} {
			if got, want := rec[name], lf.Replace(cells[i]); got != want {
				t.Fatalf("cell %s: wrote %q, read %q (file %q)", name, want, got, buf.String())
			}
		}
	})
}
