package app

import (
	"errors"
	"strconv"
)

// The services are what the REST routes and the web UI both call, so the
// two never disagree: run, retry, resolve, test, preview, payloads and the
// Activity listing. Each answers a sentinel or typed error that a route
// turns into a status code and the UI into a message.

// ErrNotFound is returned when the record a service is asked about does
// not exist.
var ErrNotFound = errors.New("not found")

// ErrNotResolvable is returned when a transaction that is not failed or
// retrying is resolved by hand.
var ErrNotResolvable = errors.New("only a failed or retrying transaction can be resolved")

// NotResolvableError is returned when a transaction that is not failed or
// retrying is resolved by hand; errors.Is(err, ErrNotResolvable) holds.
type NotResolvableError struct {
	// Status is the transaction's status when it was refused.
	Status string
}

// Error says which transactions can be resolved, and what this one is.
func (e *NotResolvableError) Error() string {
	return ErrNotResolvable.Error() + "; this one is " + e.Status
}

// Is makes the error an ErrNotResolvable.
func (e *NotResolvableError) Is(target error) bool { return target == ErrNotResolvable }

// ErrNoSample is returned by a preview without a sample when the flow has
// no records yet to take one from.
var ErrNoSample = errors.New("send a sample record: the flow has no records yet")

// FlowDeletedError is returned when a transaction whose flow was deleted is
// retried: it cannot run again, only be resolved.
type FlowDeletedError struct {
	// FlowName is the name the deleted flow had.
	FlowName string
}

// Error says why the transaction cannot run again.
func (e *FlowDeletedError) Error() string {
	return "its " + e.flow() + " was deleted, so it cannot run again; resolve it instead"
}

// flow names the deleted flow: "flow" and its name in quotes, or "flow"
// alone for a transaction stored before flows' names were kept.
func (e *FlowDeletedError) flow() string {
	if e.FlowName == "" {
		return "flow"
	}
	return "flow " + strconv.Quote(e.FlowName)
}

// NotRetryableError is returned when a transaction that is neither failed
// nor skipped is retried.
type NotRetryableError struct {
	// Status is the transaction's status.
	Status string
	// Already is set when it was failed or skipped and another retry put
	// it back in the inbox meanwhile (a retry clicked twice at once).
	Already bool
}

// Error says which transactions can be retried.
func (e *NotRetryableError) Error() string {
	if e.Already {
		return "it was retried already and is " + e.Status + " now"
	}
	return "only a failed or skipped transaction can be retried; this one is " + e.Status
}

// InvalidRequestError is a request a service cannot take, with the reason
// in words: a preview body that is not JSON, a flow whose mapping does not
// load.
type InvalidRequestError struct {
	// Reason says what is wrong.
	Reason string
}

// Error is the reason.
func (e *InvalidRequestError) Error() string { return e.Reason }
