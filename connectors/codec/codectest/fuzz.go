package codectest

import (
	"errors"
	"fmt"
	"io"

	"github.com/switchboard-app/switchboard/connectors/codec"
)

// Drain reads d to its end as a fuzz target does and checks the
// contract: every call returns a record, a *codec.RecordError, io.EOF or
// another error after which nothing more is read; lines are positive;
// and the stream ends within max calls.
func Drain(d codec.Decoder, max int) error {
	for calls := 0; calls < max; calls++ {
		rec, line, err := d.Next()
		switch {
		case err == io.EOF:
			return nil
		case codec.IsRecordError(err):
			var re *codec.RecordError
			errors.As(err, &re)
			if re.Line < 1 || re.Err == nil {
				return fmt.Errorf("record error without a line or reason: %v", err)
			}
		case err != nil:
			return nil
		case rec == nil || line < 1:
			return fmt.Errorf("record %v on line %d", rec, line)
		}
	}
	return fmt.Errorf("no end after %d calls", max)
}
