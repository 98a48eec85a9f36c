package canonical

import (
	"errors"
	"strconv"
	"strings"
)

// FieldError is an error about one field of one record. It is the error type
// of validation, of mapping and of rules, so the UI can show each error next
// to its field and the activity log can name the record.
type FieldError struct {
	Entity string // canonical entity, e.g. "order"
	Record string // the record's business key, e.g. "1001"; may be empty
	Field  string // field path, e.g. "lines[2].unit_price"
	Stage  string // where it happened: "map in", "rules", "validate", "map out", "compile"
	Pos    int    // 1-based column in the field's expression; 0 if none
	Cause  error
}

// Error reads like: order 1001: field lines[2].unit_price: cannot parse "abc" as decimal.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.Entity != "" {
		b.WriteString(e.Entity)
		if e.Record != "" {
			b.WriteString(" " + e.Record)
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString("field " + e.Field + ": ")
	}
	if e.Pos > 0 {
		b.WriteString("column " + strconv.Itoa(e.Pos) + ": ")
	}
	if e.Cause != nil {
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Cause }

// Errors is a list of field errors; it is returned as an error only when non-empty.
type Errors []*FieldError

// Error joins the messages with "; ".
func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap returns the errors for errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Err returns es as an error, or nil when es is empty.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// Label sets Entity, Record and Stage on every error that has none yet.
func (es Errors) Label(entity, record, stage string) {
	for _, e := range es {
		if e.Entity == "" {
			e.Entity = entity
		}
		if e.Record == "" {
			e.Record = record
		}
		if e.Stage == "" {
			e.Stage = stage
		}
	}
}

// AsErrors flattens err into field errors: an Errors value as is, a single
// *FieldError, or any other error as one FieldError without a field.
func AsErrors(err error) Errors {
	if err == nil {
		return nil
	}
	var es Errors
	if errors.As(err, &es) {
		return es
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return Errors{fe}
	}
	return Errors{{Cause: err}}
}
