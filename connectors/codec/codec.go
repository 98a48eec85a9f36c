package codec

import (
	"errors"
	"fmt"
	"io"
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
// gives a clear error instead of eating memory. Zero values take defaults.
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

// LimitReader counts the bytes read through it and fails a Read once more
// than Max bytes were read since the last [LimitReader.Mark]. Decoders mark
// at the start of each record, so a record can never make them buffer more
// than about Max bytes.
type LimitReader struct {
	R io.Reader
	// Max is the most bytes allowed between two marks.
	Max int64
	// What names the limited thing in the error, e.g. "record".
	What string
	n    int64
	mark int64
}

// Read reads from R unless the limit is already passed.
func (l *LimitReader) Read(p []byte) (int, error) {
	if l.n-l.mark > l.Max {
		return 0, fmt.Errorf("%s larger than %d bytes: %w", l.What, l.Max, ErrTooLarge)
	}
	n, err := l.R.Read(p)
	l.n += int64(n)
	return n, err
}

// Mark starts counting again from the current position.
func (l *LimitReader) Mark() { l.mark = l.n }

// Count returns the bytes read so far.
func (l *LimitReader) Count() int64 { return l.n }
