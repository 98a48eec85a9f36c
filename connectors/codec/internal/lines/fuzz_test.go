package lines

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzNext checks that lines read in any chunking, joined with their line
// ends normalised, give back the input, with over-long lines counted by
// size.
func FuzzNext(f *testing.F) {
	f.Add([]byte("a\r\nb\rc\n\n\rd"), 4)
	f.Fuzz(func(t *testing.T, in []byte, max int) {
		if max < 1 || max > 64 {
			return
		}
		want := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(string(in))
		for _, r := range []io.Reader{bytes.NewReader(in), iotest.OneByteReader(bytes.NewReader(in))} {
			var got strings.Builder
			lr := NewReader(r, int64(max))
			for {
				line, no, err := lr.Next()
				var long *TooLongError
				if err == io.EOF {
					break
				}
				if errors.As(err, &long) {
					got.WriteString(strings.Repeat("?", int(long.Size)) + "\n")
				} else if err != nil {
					t.Fatal(err)
				} else {
					got.Write(line)
					got.WriteByte('\n')
				}
				if no < 1 {
					t.Fatalf("line number %d", no)
				}
			}
			mask := func(s string) string {
				var b strings.Builder
				for _, l := range strings.SplitAfter(s, "\n") {
					if len(strings.TrimSuffix(l, "\n")) > max {
						l = strings.Repeat("?", len(strings.TrimSuffix(l, "\n"))) + l[len(strings.TrimSuffix(l, "\n")):]
					}
					b.WriteString(l)
				}
				return b.String()
			}
			if g, w := strings.TrimSuffix(got.String(), "\n"), strings.TrimSuffix(mask(want), "\n"); g != w {
				t.Fatalf("got %q want %q", g, w)
			}
		}
	})
}
