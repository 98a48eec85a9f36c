// Package codectest holds helpers for the codecs' tests.
package codectest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/switchboard-app/switchboard/connectors/codec"
)

// Lines decodes everything and renders each record as "LINE RENDERED" and
// each record error as "LINE ERR cause", in order. Another error ends the
// stream and is returned with the lines before it.
func Lines(d codec.Decoder, render func(map[string]any) string) ([]string, error) {
	var out []string
	for {
		rec, line, err := d.Next()
		if err == io.EOF {
			return out, nil
		}
		if codec.IsRecordError(err) {
			out = append(out, fmt.Sprintf("%d ERR %v", line, errors.Unwrap(err)))
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, fmt.Sprintf("%d %s", line, render(rec)))
	}
}

// Generated is a reader of Prefix, then N bytes of Fill, then Suffix,
// made up as it is read: a large input that takes no memory.
type Generated struct {
	Prefix, Suffix string
	Fill           byte
	N              int64
	block          []byte
	// Taken counts the bytes read so far.
	Taken int64
}

// Read implements io.Reader.
func (g *Generated) Read(p []byte) (int, error) {
	n := 0
	switch {
	case g.Prefix != "":
		n = copy(p, g.Prefix)
		g.Prefix = g.Prefix[n:]
	case g.N > 0:
		if g.block == nil {
			g.block = bytes.Repeat([]byte{g.Fill}, 64<<10)
		}
		n = copy(p[:min(int64(len(p)), g.N)], g.block)
		g.N -= int64(n)
	case g.Suffix != "":
		n = copy(p, g.Suffix)
		g.Suffix = g.Suffix[n:]
	default:
		return 0, io.EOF
	}
	g.Taken += int64(n)
	return n, nil
}

// Allocated returns the bytes f allocates on the heap, counted over all
// goroutines: run it in a test that is not parallel.
func Allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
