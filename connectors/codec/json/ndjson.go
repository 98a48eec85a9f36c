package json

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/internal/lines"
)

// nextLine reads one NDJSON line as a record. A line over the limit is
// skipped with its size, and reading goes on.
func (d *Decoder) nextLine() (map[string]any, int, error) {
	for {
		b, no, err := d.lines.Next()
		var long *lines.TooLongError
		switch {
		case errors.As(err, &long):
			return nil, no, &codec.RecordError{Line: no, Err: err}
		case err == io.EOF:
			return nil, 0, io.EOF
		case err != nil:
			return nil, no, fmt.Errorf("json: line %d: reading the file: %w", no, err)
		}
		if len(bytes.TrimSpace(b)) == 0 {
			d.skipped++
			continue
		}
		rec, err := d.lineRecord(b, no)
		return rec, no, err
	}
}

// lineRecord reads the one value a line must hold.
func (d *Decoder) lineRecord(b []byte, no int) (map[string]any, error) {
	s := newScanner(bytes.NewReader(b), no)
	s.skipSpace()
	if err := s.read(&d.v, true, d.opts.Limits.MaxRecordBytes); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: the line ends inside the value", errStructure)
			if jerr := json.Unmarshal(b, new(any)); jerr != nil {
				err = d.syntax(&value{raw: b, line: no}, jerr)
			}
		}
		return nil, &codec.RecordError{Line: no, Err: err}
	}
	if _, more := s.skipSpace(); more {
		return nil, &codec.RecordError{Line: no, Err: errors.New("more than one value on the line")}
	}
	return d.record(&d.v)
}
