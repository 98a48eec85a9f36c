package rest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// StatusError is an answer that was not a success, with the app's own
// message when its body has one. The client's errors wrap it, classified:
// find it with errors.As.
type StatusError struct {
	// Op is the method and path, such as "POST /api/orders".
	Op string
	// Status is the HTTP status.
	Status int
	// Message is the app's message, or the beginning of the body.
	Message string
	// Header is the answer's header.
	Header http.Header
}

// Error reads like "POST /api/orders: 422 Unprocessable Entity: the e-mail
// address is not valid".
func (e *StatusError) Error() string {
	msg := e.Op + ": " + connectors.StatusText(e.Status)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// statusError classifies an answer that was not a success: 429 rate
// limited, 408, 425 and 5xx transient, other statuses permanent.
func statusError(op string, res *Response) error {
	se := &StatusError{Op: op, Status: res.Status, Message: AppMessage(res.Body), Header: res.Header}
	return connectors.ClassifyStatus(se, res.Status, res.Header)
}

// messageKeys are where apps put the words of an error, in the order they
// are looked for; "value" is OData's ({"error": {"message": {"value": …}}}).
var messageKeys = []string{"message", "error_description", "error", "errors", "detail", "title", "msg", "description", "fault", "value"}

// AppMessage finds the app's message in an error answer's body: a JSON
// object's "message", "error_description", "error" (a text or an object
// with a message), "errors" (texts, objects, or fields with texts),
// "detail", "title"... It falls back to the beginning of the body. The
// message is cut to 300 characters, the cut marked with "…".
func AppMessage(body []byte) string {
	var v any
	if DecodeJSON(body, &v) == nil {
		if msg := messageOf(v, 0); msg != "" {
			return strings.TrimPrefix(connectors.ShortBody([]byte(msg)), ": ")
		}
	}
	return strings.TrimPrefix(connectors.ShortBody(body), ": ")
}

func messageOf(v any, depth int) string {
	if depth > 4 {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var parts []string
		for _, e := range x {
			if msg := messageOf(e, depth+1); msg != "" {
				parts = append(parts, msg)
			}
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		return objectMessage(x, depth)
	}
	return ""
}

func objectMessage(obj map[string]any, depth int) string {
	for _, k := range messageKeys {
		if msg := messageOf(obj[k], depth+1); msg != "" {
			if k == "error" && obj["error_description"] != nil {
				continue // OAuth2 puts the words in error_description
			}
			if field := fieldOf(obj); field != "" && !strings.Contains(msg, field) {
				return field + ": " + msg
			}
			return msg
		}
	}
	if depth == 0 {
		return ""
	}
	// {"email": ["is not valid"]}: a field and its complaints
	for field, e := range obj {
		if msg := messageOf(e, depth+1); msg != "" {
			return field + " " + msg
		}
	}
	return ""
}

// fieldKeys are where an error object names the field it is about:
// {"field": "email", "message": …}, Stripe's "param", Symfony's
// "propertyPath".
var fieldKeys = []string{"field", "property", "propertyPath", "param", "parameter", "attribute"}

// fieldOf is the field an error object is about, when it names one: at
// one of fieldKeys, JSON:API's source ({"source": {"pointer": "/0/name"}}),
// or a location as a list ({"loc": ["body", "items", 0, "sku"]}, GraphQL's
// "path"); "" when it names none.
func fieldOf(obj map[string]any) string {
	for _, k := range fieldKeys {
		if f, ok := obj[k].(string); ok && f != "" {
			return f
		}
	}
	if src, ok := obj["source"].(map[string]any); ok {
		for _, k := range []string{"pointer", "parameter"} {
			if f, ok := src[k].(string); ok && f != "" {
				return f
			}
		}
	}
	for _, k := range []string{"loc", "path"} {
		if f := locationOf(obj[k]); f != "" {
			return f
		}
	}
	return ""
}

// locationOf joins a location given as a list of names and indexes with
// dots; "" for anything else.
func locationOf(v any) string {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return ""
	}
	parts := make([]string, 0, len(list))
	for _, e := range list {
		switch x := e.(type) {
		case string:
			parts = append(parts, x)
		case fmt.Stringer: // json.Number
			parts = append(parts, x.String())
		case float64:
			parts = append(parts, fmt.Sprint(x))
		default:
			return ""
		}
	}
	return strings.Join(parts, ".")
}

// transportError words a call that got no answer; it is transient: the
// network, the host or the app may be back later. An error the client's
// redirect policy classified (a redirect to another origin, refused as
// permanent) keeps its class. A TLS certificate that could not be verified
// needs a person (connectors.NeedsAttention): it fails the same way until
// it is renewed, or trusted in tls_ca.
func transportError(op string, err error, ctx context.Context) error {
	host := ""
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = u.Hostname()
		}
		err = ue.Err
	}
	var ce *connectors.Error
	if errors.As(err, &ce) { // a redirect refused: the app answered, and the error says how
		return fmt.Errorf("%s: %w", op, err)
	}
	if connectors.IsCertificateFailure(err) {
		return connectors.NeedsAttention(&certificateError{text: op + ": " + certificateProblem(host, err, time.Now()), err: err})
	}
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded {
		return connectors.Transient(fmt.Errorf("%s: no answer in time: %w", op, context.DeadlineExceeded))
	}
	return connectors.Transient(fmt.Errorf("%s: %s: %w", op, describeTransport(err), err))
}

// certificateError is a call refused because the app's certificate could
// not be verified, in words; it wraps the TLS error.
type certificateError struct {
	text string
	err  error
}

func (e *certificateError) Error() string { return e.text }
func (e *certificateError) Unwrap() error { return e.err }

// certificateProblem words why the certificate of host could not be
// verified at now, and what fixes it.
func certificateProblem(host string, err error, now time.Time) string {
	cert, _ := untrustedCert(err)
	of := "the certificate of " + cmp.Or(host, "the app")
	var invalid x509.CertificateInvalidError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired && cert != nil && now.Before(cert.NotBefore):
		return of + " is valid only from " + cert.NotBefore.UTC().Format(time.DateTime) + " UTC: check this machine's clock"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired && cert != nil:
		return of + " expired on " + cert.NotAfter.UTC().Format(time.DateTime) + " UTC: it must be renewed on the server"
	case errors.As(err, &hostErr) && hostErr.Certificate != nil:
		return of + " is not for that name, it is for " + certNames(hostErr.Certificate) + ": the base URL must name a host the certificate is for"
	case cert != nil && isUnknownAuthority(err):
		return of + " is not trusted (SHA-256 fingerprint " + Fingerprint(cert) + "), issued by " + issuerName(cert) +
			", an authority this machine does not trust: trust it in tls_ca if it is yours"
	}
	return of + " cannot be verified: " + tlsCause(err)
}

// certNames lists the names a certificate is for: its host names and
// addresses, or its common name when it has none.
func certNames(cert *x509.Certificate) string {
	names := slices.Clone(cert.DNSNames)
	for _, ip := range cert.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		return cmp.Or(cert.Subject.CommonName, "no name")
	}
	return strings.Join(names, ", ")
}

// issuerName names the authority that issued a certificate.
func issuerName(cert *x509.Certificate) string {
	name := cert.Issuer.CommonName
	if name == "" && len(cert.Issuer.Organization) > 0 {
		name = cert.Issuer.Organization[0]
	}
	return cmp.Or(name, "an unnamed authority")
}

// isUnknownAuthority reports whether a certificate was refused for its
// issuer: an authority this machine does not know.
func isUnknownAuthority(err error) bool {
	var unknown x509.UnknownAuthorityError
	return errors.As(err, &unknown)
}

// tlsCause is the innermost words of a TLS error, without Go's prefixes.
func tlsCause(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "x509: "); i >= 0 {
		return msg[i+len("x509: "):]
	}
	return strings.TrimPrefix(msg, "tls: ")
}

// describeTransport says in words why a call got no answer.
func describeTransport(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return "host not found"
	case isRefused(err):
		return "nothing answers at that address"
	}
	return "no answer"
}

// bodyError words an answer whose body could not be read: too large is
// permanent (it will be as large next time), a cut connection transient.
func bodyError(op string, err error, limit int64) error {
	if errors.Is(err, errTooLarge) {
		return connectors.Permanent(fmt.Errorf("%s: the answer is larger than %s; nothing of it is used", op, sizeText(limit)))
	}
	return connectors.Transient(fmt.Errorf("%s: reading the answer: %w", op, err))
}

// sizeText words a size in bytes: "512 bytes", "64 KB", "32 MB".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}

// Fingerprint is the SHA-256 fingerprint of a certificate, as browsers
// show it: upper-case hex pairs joined by colons.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// untrustedCert returns the certificate a TLS handshake refused, if any.
func untrustedCert(err error) (*x509.Certificate, bool) {
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) && len(certErr.UnverifiedCertificates) > 0 {
		return certErr.UnverifiedCertificates[0], true
	}
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) && unknown.Cert != nil {
		return unknown.Cert, true
	}
	var hostErr x509.HostnameError
	if errors.As(err, &hostErr) && hostErr.Certificate != nil {
		return hostErr.Certificate, true
	}
	return nil, false
}
