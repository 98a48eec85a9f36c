package connectors

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
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
	// RateLimited is set when the app refused the call because it took too
	// many (HTTP 429): not a failure of the connection, a pause.
	RateLimited bool
	// Attention is set when the connection cannot work until a person
	// fixes a setting, its own or the app's (see [NeedsAttention]).
	Attention bool
	Err       error
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

// RateLimited marks err as the app's refusal to take more calls for now
// (HTTP 429): transient, tried again not before wait has passed. The engine
// pauses the connection until then instead of counting a failure, so a rate
// limit never marks a connection down.
func RateLimited(err error, wait time.Duration) error {
	if err == nil {
		return nil
	}
	return &Error{Class: ClassTransient, RetryAfter: wait, RateLimited: true, Err: err}
}

// IsRateLimited reports whether err, or an error it wraps, is a rate limit
// (see [RateLimited]), and the wait the app asked for.
func IsRateLimited(err error) (time.Duration, bool) {
	var ce *Error
	if errors.As(err, &ce) && ce.RateLimited {
		return ce.RetryAfter, true
	}
	return 0, false
}

// NeedsAttention marks err as a failure of the connection itself that no
// retry cures and no record causes: a TLS certificate that cannot be
// verified (expired, issued by an authority the connection does not
// trust, for another host name), a redirect loop. It is permanent; the
// engine sets the connection's status to "failing" with the error, holds
// its flows (their records wait, none fails), sends one alert, and
// resumes them once a test of the connection passes.
func NeedsAttention(err error) error {
	if err == nil {
		return nil
	}
	return &Error{Class: ClassPermanent, Attention: true, Err: err}
}

// IsNeedsAttention reports whether err, or an error it wraps, asks for a
// person to fix the connection (see [NeedsAttention]); a TLS certificate
// that could not be verified does so even when no connector marked it.
func IsNeedsAttention(err error) bool {
	var ce *Error
	if errors.As(err, &ce) && ce.Attention {
		return true
	}
	return IsCertificateFailure(err)
}

// IsCertificateFailure reports whether err, or an error it wraps, is a
// TLS certificate that could not be verified: expired or not yet valid,
// issued by an unknown authority, for another host name.
func IsCertificateFailure(err error) bool {
	var (
		verify  *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		roots   x509.SystemRootsError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) ||
		errors.As(err, &invalid) || errors.As(err, &roots)
}

// ErrReconnectNeeded marks an error after which the connection cannot work
// until a person connects it again, such as an OAuth2 refresh token the app
// revoked. The engine sets the connection's status to "reconnect needed",
// holds its flows and sends one alert, instead of failing record by record.
var ErrReconnectNeeded = errors.New("reconnect needed")

func classified(err error, class Class, wait time.Duration) error {
	if err == nil {
		return nil
	}
	return &Error{Class: class, RetryAfter: wait, Err: err}
}

// Classify tells the class of any error, and how long to wait at least
// before a retry. Errors a connector classified keep their class; a TLS
// certificate that could not be verified is permanent (it fails the same
// way until somebody renews or trusts it); context deadlines, network and
// I/O errors are transient; anything else is permanent, so an unknown
// failure is shown to a person rather than retried for days.
func Classify(err error) (Class, time.Duration) {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Class, ce.RetryAfter
	}
	if IsCertificateFailure(err) {
		return ClassPermanent, 0
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

// HTTPStatusError classifies an HTTP answer that was not a success: 429 is
// a rate limit ([RateLimited]), and so is a 403 with a Retry-After or
// X-RateLimit-Remaining: 0; 408, 425 and 5xx are transient; Retry-After
// is obeyed; every other status is permanent. body is kept short in the
// message; it must not hold secrets.
func HTTPStatusError(op string, status int, header http.Header, body []byte) error {
	return ClassifyStatus(fmt.Errorf("%s: %s%s", op, statusText(status), shortBody(body)), status, header)
}

// ClassifyStatus classifies err, the failure of a call the app answered
// with an HTTP status that was not a success, as [HTTPStatusError] does.
func ClassifyStatus(err error, status int, header http.Header) error {
	wait := RetryAfter(header, time.Now())
	switch {
	case status == http.StatusTooManyRequests || limitedByForbidden(status, header):
		return RateLimited(err, wait)
	case status == http.StatusRequestTimeout || status == http.StatusTooEarly || status >= 500:
		return TransientAfter(err, wait)
	}
	return Permanent(err)
}

// fractionalSeconds reads seconds written with a fraction ("2.0", as
// Shopify writes them), capped at the longest duration; false for
// anything else.
func fractionalSeconds(v string) (time.Duration, bool) {
	if strings.Count(v, ".") != 1 || strings.Trim(v, "0123456789.") != "" {
		return 0, false
	}
	secs, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil:
		return 0, false
	case secs >= float64(math.MaxInt64)/float64(time.Second):
		return math.MaxInt64, true
	}
	return time.Duration(secs * float64(time.Second)), true
}

// limitedByForbidden reports whether a 403 is a rate limit: an app that
// refuses calls over its limit so (GitHub's secondary limits) says when to
// try again (Retry-After) or that no calls remain.
func limitedByForbidden(status int, header http.Header) bool {
	if status != http.StatusForbidden {
		return false
	}
	return strings.TrimSpace(header.Get("Retry-After")) != "" || strings.TrimSpace(header.Get("X-RateLimit-Remaining")) == "0" ||
		strings.TrimSpace(header.Get("RateLimit-Remaining")) == "0"
}

// StatusText is "404 Not Found", or "HTTP 499" for a status without a name.
func StatusText(status int) string { return statusText(status) }

// ShortBody is an answer's body for a message: trimmed, and cut to 300
// characters with "…" marking the cut, after ": "; "" when it is empty.
func ShortBody(body []byte) string { return shortBody(body) }

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
	const limit = 300 // characters, not bytes: a cut never splits one
	if len(s) > limit {
		if cut, n := runeOffset(s, limit); cut < len(s) && n == limit {
			s = s[:cut] + "…"
		}
	}
	return ": " + s
}

// runeOffset is the byte offset of s's n-th character, and how many
// characters there are before it (fewer than n when s is shorter).
func runeOffset(s string, n int) (int, int) {
	count := 0
	for i := range s {
		if count == n {
			return i, count
		}
		count++
	}
	return len(s), count
}

// RetryAfter reads a Retry-After header, in seconds (also with a
// fraction, "2.0") or as an HTTP date, relative to now. It returns 0 when the header is absent or unreadable;
// a number of seconds too large for a duration is the longest duration,
// not one that overflows. Callers bound the wait they take.
func RetryAfter(header http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	secs, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err == nil && secs > int64(math.MaxInt64/time.Second):
		return math.MaxInt64
	case err == nil && secs > 0:
		return time.Duration(secs) * time.Second
	case err == nil: // zero or negative: no wait
		return 0
	case errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-"): // more seconds than an int64 holds
		return math.MaxInt64
	}
	if wait, ok := fractionalSeconds(v); ok {
		return wait
	}
	if at, err := http.ParseTime(v); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
}
