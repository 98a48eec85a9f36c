package mappings

import (
	"errors"
	"fmt"

	"github.com/expr-lang/expr/file"
	"github.com/switchboard-app/switchboard/mappings/canonical"
)

// FieldError is an error about one field of one record; see canonical.FieldError.
type FieldError = canonical.FieldError

// Errors is a list of field errors; see canonical.Errors.
type Errors = canonical.Errors

// Stages of a record's trip, as named in FieldError.Stage. Compile errors
// carry the stage of the part they are in, and no record.
const (
	StageMapIn    = "map in"
	StageRules    = "rules"
	StageValidate = "validate"
	StageMapOut   = "map out"
)

// exprError turns an error from expr into a FieldError with the position.
func exprError(stage, field string, err error) *FieldError {
	fe := &FieldError{Field: field, Stage: stage, Cause: err}
	var xe *file.Error
	if errors.As(err, &xe) {
		fe.Pos = xe.From + 1
		fe.Cause = errors.New(xe.Message)
		if xe.Prev != nil {
			fe.Cause = xe.Prev
		}
		if xe.Message == budgetExceeded {
			fe.Cause = errOverBudget
		}
	}
	return fe
}

// budgetExceeded is expr-lang's message of an evaluation over its memory
// budget (work.go).
const budgetExceeded = "memory budget exceeded"

// errOverBudget says what an evaluation over its budget did.
var errOverBudget = fmt.Errorf("the expression makes or goes through more than %d list elements, "+
	"or about %d MB of text, for one record (%s)", workBudget, workBudget*textUnit>>20, budgetExceeded)

// recovered turns a panic value into an error.
func recovered(r any) error {
	if err, ok := r.(error); ok {
		return fmt.Errorf("internal error: %w", err)
	}
	return fmt.Errorf("internal error: %v", r)
}

// AsErrorList flattens any error into field errors (see canonical.AsErrors).
func AsErrorList(err error) Errors { return canonical.AsErrors(err) }
