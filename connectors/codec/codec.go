package codec

import (
	"errors"
	"fmt"
)

// Decoder reads native records from a stream, one at a time, with memory
// that stays flat whatever the stream's size.
type Decoder interface {
	// Next returns the next record and the line it starts on (1-based).
	// It returns io.EOF after the last record. A *RecordError means only that
	// record is bad: the caller reports it and calls Next again. Any other
	// error ends the stream; the records returned before it stand.
	Next() (rec map[string]any, line int, err error)
}

// Encoder writes native records to a stream.
type Encoder interface {
	// Encode writes one record.
	Encode(rec map[string]any) error
	// Close writes what the format needs at the end (closing tags, a closing
	// bracket) and flushes. It does not close the underlying writer.
	Close() error
}

// RecordError is a record that could not be read while the rest of the
// stream can: a CSV row with the wrong number of fields, an NDJSON line
// that is not JSON.
type RecordError struct {
	// Line is where the bad record starts (1-based).
	Line int
	// Err says what is wrong.
	Err error
	// Raw is the bad record's text as far as the decoder has it, "" when
	// it has none: for a person to see what could not be read.
	Raw string
}

// Error returns "line N: reason".
func (e *RecordError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the reason.
func (e *RecordError) Unwrap() error { return e.Err }

// IsRecordError reports whether err is a *RecordError: a bad record after
// which decoding goes on.
func IsRecordError(err error) bool {
	var re *RecordError
	return errors.As(err, &re)
}

// ErrTooLarge is wrapped by the errors returned when a record, element or
// token is larger than the configured limit.
var ErrTooLarge = errors.New("too large")

// Limits bound what one record may cost, so that a hostile or broken file
// gives a clear error instead of eating memory. An item over a limit fails
// as one record and reading goes on after it; only markup the XML reader
// cannot read past ends the file. Zero values take defaults.
type Limits struct {
	// MaxRecordBytes is the largest record in bytes of input (default 8 MiB).
	MaxRecordBytes int64
	// MaxDepth is the deepest nesting of XML elements or JSON values
	// (default 64).
	MaxDepth int
	// MaxElementBytes is the largest text of one XML element or one JSON
	// string (default 1 MiB).
	MaxElementBytes int64
}

// The default limits.
const (
	DefaultMaxRecordBytes  = 8 << 20
	DefaultMaxDepth        = 64
	DefaultMaxElementBytes = 1 << 20
)

// WithDefaults returns l with every zero field set to its default.
func (l Limits) WithDefaults() Limits {
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxElementBytes <= 0 {
		l.MaxElementBytes = DefaultMaxElementBytes
	}
	return l
}

// TextError is the record error for something that is not text (see
// charset.Check) at byte offset off of physical line at, in the record
// that starts on line line.
func TextError(line, at, off int, reason error) *RecordError {
	where := fmt.Sprintf("at byte offset %d", off)
	if at != line {
		where = fmt.Sprintf("at line %d, byte offset %d", at, off)
	}
	return &RecordError{Line: line, Err: fmt.Errorf("%w (%s)", reason, where)}
}

// Skipper is implemented by decoders that pass over rows holding no data,
// such as blank lines, instead of returning them.
type Skipper interface {
	// Skipped returns how many rows were passed over so far.
	Skipped() int
}
