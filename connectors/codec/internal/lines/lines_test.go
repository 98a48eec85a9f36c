package lines

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/switchboard-app/switchboard/connectors/codec"
)

// all reads every line as "N:text" or "N:TOO LONG size/counted".
func all(t *testing.T, r io.Reader, max int64) []string {
	t.Helper()
	lr := NewReader(r, max)
	lr.Count('"')
	var out []string
	for {
		line, no, err := lr.Next()
		var long *TooLongError
		switch {
		case err == io.EOF:
			return out
		case errors.As(err, &long):
			if !errors.Is(err, codec.ErrTooLarge) || long.Line != no {
				t.Fatalf("error %v for line %d", err, no)
			}
			out = append(out, fmt.Sprintf("%d:TOO LONG %d/%d", no, long.Size, long.Counted))
		case err != nil:
			t.Fatal(err)
		default:
			out = append(out, fmt.Sprintf("%d:%s", no, line))
		}
	}
}

func TestNext(t *testing.T) {
	long := strings.Repeat("x", 100)
	tests := []struct {
		name, in string
		max      int64
		want     string
	}{
		{"LF", "a\nb\n", 50, "1:a|2:b"},
		{"CRLF", "a\r\nb\r\n", 50, "1:a|2:b"},
		{"CR", "a\rb\r", 50, "1:a|2:b"},
		{"no final line end", "a\nb", 50, "1:a|2:b"},
		{"lone CR in an LF file", "a\nb\rc\nd\n", 50, "1:a|2:b|3:c|4:d"},
		{"blank lines", "a\n\n\r\n\rb", 50, "1:a|2:|3:|4:|5:b"},
		{"CRLF is one line end, LFCR two", "a\r\n\rb\n\rc", 50, "1:a|2:|3:b|4:|5:c"},
		{"over-long line, then a row", "a\n" + long + "\nb\n", 50, "1:a|2:TOO LONG 100/0|3:b"},
		{"line just past the limit, then a row", "a\n" + long[:51] + "\nb\n", 50, "1:a|2:TOO LONG 51/0|3:b"},
		{"line at the limit", "a\n" + long[:50] + "\nb\n", 50, "1:a|2:" + long[:50] + "|3:b"},
		{"over-long line with CRLF, then a row", "a\r\n" + long + "\r\nb\r\n", 50, "1:a|2:TOO LONG 100/0|3:b"},
		{"over-long line at the end", "a\n" + long, 50, "1:a|2:TOO LONG 100/0"},
		{"quotes counted in a skipped line", "\"" + long + "\"\"\nb", 50, "1:TOO LONG 103/3|2:b"},
	}
	for _, tt := range tests {
		for _, reader := range []struct {
			name string
			wrap func(io.Reader) io.Reader
		}{{"whole", func(r io.Reader) io.Reader { return r }}, {"byte by byte", iotest.OneByteReader}} {
			t.Run(tt.name+"/"+reader.name, func(t *testing.T) {
				got := strings.Join(all(t, reader.wrap(strings.NewReader(tt.in)), tt.max), "|")
				if got != tt.want {
					t.Fatalf("got  %s\nwant %s", got, tt.want)
				}
			})
		}
	}
}

// TestLongLinesKeepMemoryFlat reads lines far longer than the buffer and
// the limit and checks that the buffer never grows past the limit.
func TestLongLinesKeepMemoryFlat(t *testing.T) {
	const max = 256 << 10
	huge := strings.Repeat("y", 8<<20)
	lr := NewReader(strings.NewReader("a\n"+huge+"\n"+huge[:max]+"\nb"), max)
	var got []string
	for {
		line, no, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			got = append(got, fmt.Sprintf("%d:%v", no, err))
			continue
		}
		got = append(got, fmt.Sprintf("%d:%d bytes", no, len(line)))
	}
	want := "1:1 bytes|2:line too long: 8388608 bytes, the limit is 262144 bytes|3:262144 bytes|4:1 bytes"
	if strings.Join(got, "|") != want {
		t.Fatalf("got %q", got)
	}
	if cap(lr.buf) > max+minBuffer {
		t.Fatalf("the buffer grew to %d bytes for a limit of %d", cap(lr.buf), max)
	}
}

func TestHead(t *testing.T) {
	lr := NewReader(iotest.OneByteReader(strings.NewReader("sku;name\nA1;x\n")), 1<<20)
	if h := string(lr.Head(12)); h != "sku;name\nA1;" {
		t.Fatalf("head %q", h)
	}
	line, no, err := lr.Next()
	if string(line) != "sku;name" || no != 1 || err != nil {
		t.Fatalf("after Head: %q %d %v", line, no, err)
	}
}
