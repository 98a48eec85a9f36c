package json

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/switchboard-app/switchboard/connectors/codec"
)

// EncoderOptions configure an [Encoder].
type EncoderOptions struct {
	// Lines writes NDJSON, one record per line, instead of an array.
	Lines bool
	// Path wraps the array in objects, e.g. "data.items" writes
	// {"data":{"items":[...]}}.
	Path string
}

// Encoder writes records as a JSON array or as NDJSON. Each record is
// written whole or not at all: one that cannot be encoded fails alone and
// leaves the output as it was.
type Encoder struct {
	w      *bufio.Writer
	rec    bytes.Buffer  // the record being encoded
	enc    *json.Encoder // encodes into rec
	opts   EncoderOptions
	count  int
	suffix string
}

// NewEncoder returns an encoder writing UTF-8 JSON to w.
func NewEncoder(w io.Writer, opts EncoderOptions) *Encoder {
	e := &Encoder{w: bufio.NewWriter(w), opts: opts}
	e.enc = json.NewEncoder(&e.rec)
	e.enc.SetEscapeHTML(false)
	return e
}

// Encode writes one record; one that cannot be encoded writes nothing.
func (e *Encoder) Encode(rec map[string]any) error {
	e.rec.Reset()
	if err := e.enc.Encode(rec); err != nil {
		return fmt.Errorf("json: encoding a record: %w", err)
	}
	if !e.opts.Lines {
		sep := ",\n"
		if e.count == 0 {
			sep = e.prefix() + "[\n"
		}
		if _, err := e.w.WriteString(sep); err != nil {
			return fmt.Errorf("json: %w", err)
		}
	}
	if _, err := e.w.Write(e.rec.Bytes()); err != nil {
		return fmt.Errorf("json: %w", err)
	}
	e.count++
	return nil
}

func (e *Encoder) prefix() string {
	if e.opts.Path == "" {
		return ""
	}
	var pre, suf strings.Builder
	for _, key := range strings.Split(e.opts.Path, ".") {
		k, _ := json.Marshal(key)
		pre.WriteString("{" + string(k) + ":")
		suf.WriteString("}")
	}
	e.suffix = suf.String()
	return pre.String()
}

// Close ends the array and flushes.
func (e *Encoder) Close() error {
	if !e.opts.Lines {
		end := "]" + e.suffix + "\n"
		if e.count == 0 {
			end = e.prefix() + "[]" + e.suffix + "\n"
		}
		if _, err := e.w.WriteString(end); err != nil {
			return fmt.Errorf("json: %w", err)
		}
	}
	if err := e.w.Flush(); err != nil {
		return fmt.Errorf("json: flushing: %w", err)
	}
	return nil
}

var _ codec.Encoder = (*Encoder)(nil)
