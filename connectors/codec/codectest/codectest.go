// Package codectest holds helpers for the codecs' tests.
package codectest

import (
	"errors"
	"fmt"
	"io"

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
