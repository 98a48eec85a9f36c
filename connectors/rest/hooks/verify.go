// Package hooks holds the REST kit's webhook helpers: checking the HMAC
// signatures apps put on their webhook calls, in hex or base64, over the
// body or over a signed text with a timestamp ([Scheme]); and registering
// and removing a flow's webhook in an app whose API allows it
// ([Registrar]).
package hooks

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// Scheme is how an app signs its webhook calls. For example GitHub:
// {Header: "X-Hub-Signature-256", Prefix: "sha256="}; Shopify:
// {Header: "X-Shopify-Hmac-Sha256", Base64: true}; Slack: {Header:
// "X-Slack-Signature", Prefix: "v0=", Signed: "v0:{timestamp}:{body}",
// TimestampHeader: "X-Slack-Request-Timestamp"}.
type Scheme struct {
	// Header carries the signature.
	Header string
	// Prefix comes before the signature in the header ("sha256=").
	Prefix string
	// Base64 is set when the signature is base64; hex otherwise.
	Base64 bool
	// Hash is "sha256" (when ""), "sha512" or "sha1".
	Hash string
	// Signed is the signed text: "{body}" when "", or a template of
	// {timestamp} and {body}, such as "{timestamp}.{body}".
	Signed string
	// TimestampHeader carries {timestamp}, in Unix seconds.
	TimestampHeader string
	// Tolerance is how far the timestamp may lie from the call's arrival
	// (connectors.WebhookTolerance when 0).
	Tolerance time.Duration
}

func (s Scheme) hash() func() hash.Hash {
	switch s.Hash {
	case "sha512":
		return sha512.New
	case "sha1":
		return sha1.New
	}
	return sha256.New
}

func (s Scheme) signed() string {
	if s.Signed == "" {
		return "{body}"
	}
	return s.Signed
}

// mac is the signature of the call's text.
func (s Scheme) mac(secret, timestamp string, body []byte) []byte {
	head, tail, hasBody := strings.Cut(s.signed(), "{body}")
	m := hmac.New(s.hash(), []byte(secret))
	m.Write([]byte(strings.ReplaceAll(head, "{timestamp}", timestamp)))
	if hasBody {
		m.Write(body)
		m.Write([]byte(strings.ReplaceAll(tail, "{timestamp}", timestamp)))
	}
	return m.Sum(nil)
}

// Sign returns the signature header's value for body signed at the given
// time, as the app would send it (for tests and documentation).
func (s Scheme) Sign(secret string, at time.Time, body []byte) string {
	sum := s.mac(secret, strconv.FormatInt(at.Unix(), 10), body)
	if s.Base64 {
		return s.Prefix + base64.StdEncoding.EncodeToString(sum)
	}
	return s.Prefix + hex.EncodeToString(sum)
}

// Verify checks a call's signature under the flow's secret, in constant
// time, and its timestamp when the signed text has one. Several
// signatures may be given, separated by commas or spaces (an app changing
// its secret); one must match.
func (s Scheme) Verify(req connectors.WebhookRequest) (connectors.Signed, error) {
	value := strings.TrimSpace(req.Header.Get(s.Header))
	if value == "" {
		return connectors.Signed{}, errors.New("missing " + s.Header + " header")
	}
	timestamp := ""
	if strings.Contains(s.signed(), "{timestamp}") {
		if timestamp = strings.TrimSpace(req.Header.Get(s.TimestampHeader)); timestamp == "" {
			return connectors.Signed{}, errors.New("missing " + s.TimestampHeader + " header")
		}
	}
	want := s.mac(req.Secret, timestamp, req.Body)
	if req.Secret == "" || !s.matches(value, want) {
		return connectors.Signed{}, errors.New("webhook signature does not match")
	}
	if timestamp == "" {
		return connectors.Signed{}, nil
	}
	return s.checkTime(timestamp, req.Received)
}

func (s Scheme) matches(value string, want []byte) bool {
	matched := false
	for _, part := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' }) {
		sig, ok := strings.CutPrefix(part, s.Prefix)
		if !ok {
			continue
		}
		var got []byte
		var err error
		if s.Base64 {
			got, err = base64.StdEncoding.DecodeString(sig)
		} else {
			got, err = hex.DecodeString(sig)
		}
		matched = matched || (err == nil && hmac.Equal(got, want))
	}
	return matched
}

// checkTime refuses a timestamp further than the tolerance from arrival.
func (s Scheme) checkTime(timestamp string, received time.Time) (connectors.Signed, error) {
	unix, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || unix <= 0 {
		return connectors.Signed{}, fmt.Errorf("%s %q is not Unix seconds", s.TimestampHeader, timestamp)
	}
	tolerance := s.Tolerance
	if tolerance <= 0 {
		tolerance = connectors.WebhookTolerance
	}
	if received.IsZero() {
		received = time.Now()
	}
	at := time.Unix(unix, 0)
	switch age := received.Sub(at).Truncate(time.Second); {
	case age > tolerance:
		return connectors.Signed{}, fmt.Errorf("webhook signed %s ago, more than the %s allowed: a replay, or the sender's clock is wrong", age, tolerance)
	case -age > tolerance:
		return connectors.Signed{}, fmt.Errorf("webhook signed %s in the future, more than the %s allowed: the sender's clock is wrong", -age, tolerance)
	}
	return connectors.Signed{At: at}, nil
}
