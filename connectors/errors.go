package connectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Class says what the engine should do with an error.
type Class string

// The error classes.
const (
	// ClassTransient errors may succeed later: network trouble, timeouts,
	// rate limits, 5xx. The engine retries them with backoff.
	ClassTransient Class = "transient"
	// ClassPermanent errors will fail again until somebody changes
	// something: validation, 4xx, bad data. The transaction fails.
	ClassPermanent Class = "permanent"
)

// Error is a classified connector error.
type Error struct {
	Class Class
	// RetryAfter is the wait the app asked for (429/503 Retry-After), or 0.
	RetryAfter time.Duration
	Err        error
}

// Error returns the wrapped error's message.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }

// Transient marks err as worth retrying.
func Transient(err error) error { return classified(err, ClassTransient, 0) }

// TransientAfter marks err as worth retrying, not before wait has passed.
func TransientAfter(err error, wait time.Duration) error {
	return classified(err, ClassTransient, wait)
}

// Permanent marks err as failing until something changes.
func Permanent(err error) error { return classified(err, ClassPermanent, 0) }

func classified(err error, class Class, wait time.Duration) error {
	if err == nil {
		return nil
	}
	return &Error{Class: class, RetryAfter: wait, Err: err}
}

// Classify tells the class of any error, and how long to wait at least
// before a retry. Errors a connector classified keep their class; context
// deadlines, network and I/O errors are transient; anything else is
// permanent, so an unknown failure is shown to a person rather than retried
// for days.
func Classify(err error) (Class, time.Duration) {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Class, ce.RetryAfter
	}
	if isTransientByNature(err) {
		return ClassTransient, 0
	}
	return ClassPermanent, 0
}

func isTransientByNature(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// HTTPStatusError classifies an HTTP answer that was not a success: 408,
// 425, 429 and 5xx are transient (Retry-After obeyed), every other status is
// permanent. body is kept short in the message; it must not hold secrets.
func HTTPStatusError(op string, status int, header http.Header, body []byte) error {
	err := fmt.Errorf("%s: %s%s", op, statusText(status), shortBody(body))
	if status == http.StatusRequestTimeout || status == http.StatusTooEarly ||
		status == http.StatusTooManyRequests || status >= 500 {
		return TransientAfter(err, RetryAfter(header, time.Now()))
	}
	return Permanent(err)
}

func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return strconv.Itoa(status) + " " + t
	}
	return "HTTP " + strconv.Itoa(status)
}

func shortBody(body []byte) string {
	s := strings.TrimSpace(string(body))
	if s == "" {
		return ""
	}
	const limit = 300
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return ": " + s
}

// RetryAfter reads a Retry-After header, in seconds or as an HTTP date,
// relative to now. It returns 0 when the header is absent or unreadable.
func RetryAfter(header http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
}
