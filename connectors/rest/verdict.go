package rest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// Verdict words a failed "test connection" call for a person, and the
// facts worth showing: "login refused: …", "the certificate of … expired
// on …" or "the certificate of … is not trusted (SHA-256 fingerprint …)"
// with the fingerprint, "host not found:
// shop.example.com", "nothing answers at …", "no answer in time",
// "reconnect needed: …".
func Verdict(err error) (string, map[string]string) {
	if errors.Is(err, connectors.ErrReconnectNeeded) {
		return "reconnect needed: " + strings.TrimPrefix(err.Error(), connectors.ErrReconnectNeeded.Error()+": "), nil
	}
	if connectors.IsCertificateFailure(err) {
		return certificateVerdict(err)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "host not found: " + dnsErr.Name, nil
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer in time: " + err.Error(), nil
	}
	var se *StatusError
	if errors.As(err, &se) {
		if _, limited := connectors.IsRateLimited(err); limited {
			return "the app is limiting calls, try again later: " + se.Error(), nil
		}
		return statusVerdict(se), nil
	}
	return err.Error(), nil
}

// certificateVerdict words a certificate that could not be verified, as
// the call's error does, and gives its fingerprint.
func certificateVerdict(err error) (string, map[string]string) {
	var facts map[string]string
	if cert, ok := untrustedCert(err); ok {
		facts = map[string]string{"fingerprint": Fingerprint(cert)}
	}
	var ce *certificateError
	if errors.As(err, &ce) {
		return ce.text, facts
	}
	return certificateProblem("", err, time.Now()), facts
}

// FailedTest is the result of a "test connection" call that failed with
// err: its Verdict, and whether it needs a person to fix the connection.
func FailedTest(err error) connectors.TestResult {
	msg, details := Verdict(err)
	return connectors.TestResult{OK: false, Message: msg, Details: details, NeedsAttention: connectors.IsNeedsAttention(err)}
}

func statusVerdict(se *StatusError) string {
	switch {
	case se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden:
		return "login refused: " + se.Error()
	case se.Status == http.StatusNotFound:
		return "the test address was not found, check the base URL: " + se.Error()
	case se.Status == http.StatusTooManyRequests:
		return "the app is limiting calls, try again later: " + se.Error()
	case se.Status >= 500:
		return "the app has a problem of its own: " + se.Error()
	}
	return se.Error()
}
