package connectors

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WebhookTolerance is how far a signed timestamp may lie from the time its
// call arrives, before or after: a captured call is refused once it is
// older than this, whatever delivery id it is sent with.
const WebhookTolerance = 5 * time.Minute

// Standard Webhooks' headers (https://www.standardwebhooks.com).
const (
	StandardIDHeader        = "Webhook-Id"
	StandardTimestampHeader = "Webhook-Timestamp"
	StandardSignatureHeader = "Webhook-Signature"
)

// ErrNotJSON marks a webhook call whose content type is not JSON; the
// engine answers it 415 Unsupported Media Type.
var ErrNotJSON = errors.New("the content type is not JSON")

// Signed is what a verified signature vouches for besides the body.
type Signed struct {
	// At is when the sender signed the call; zero when the scheme signs no
	// time.
	At time.Time
	// ID is the delivery id the signature covers; "" when it covers none.
	ID string
}

// SignHMACSHA256 returns the HMAC-SHA256 of body under secret, the
// signature most apps put on their webhooks.
func SignHMACSHA256(secret string, body []byte) []byte {
	return macOf([]byte(secret), body)
}

// macOf returns the HMAC-SHA256 of the parts, one after the other, under key.
func macOf(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// VerifyHexHMACSHA256 checks a webhook whose header carries the hex
// HMAC-SHA256 of its body under the flow's secret, in constant time. An
// empty secret verifies nothing.
func VerifyHexHMACSHA256(req WebhookRequest, header string) error {
	got, err := hex.DecodeString(req.Header.Get(header))
	if err != nil || len(got) == 0 {
		return errors.New("missing or malformed " + header + " header")
	}
	if req.Secret == "" || !hmac.Equal(got, SignHMACSHA256(req.Secret, req.Body)) {
		return errors.New("webhook signature does not match")
	}
	return nil
}

// SignTimestamped returns the header value of VerifyTimestampedHMAC's
// scheme for body signed at the given time: "t=<unix seconds>,v1=<hex>".
func SignTimestamped(secret string, at time.Time, body []byte) string {
	t := strconv.FormatInt(at.Unix(), 10)
	return "t=" + t + ",v1=" + hex.EncodeToString(macOf([]byte(secret), []byte(t+"."), body))
}

// VerifyTimestampedHMAC checks a webhook whose header carries
// "t=<unix seconds>,v1=<hex>" (Stripe's layout): the hex HMAC-SHA256,
// under the flow's secret, of the timestamp, a dot and the body. Several
// v1 values may be given (a sender changing its secret); one must match.
// The timestamp must lie within WebhookTolerance of req.Received.
func VerifyTimestampedHMAC(req WebhookRequest, header string) (Signed, error) {
	var t string
	var sigs [][]byte
	for _, part := range strings.Split(req.Header.Get(header), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			t = v
		case "v1":
			if sig, err := hex.DecodeString(v); err == nil && len(sig) > 0 {
				sigs = append(sigs, sig)
			}
		}
	}
	if t == "" || len(sigs) == 0 {
		return Signed{}, errors.New("missing or malformed " + header + " header: want t=<unix seconds>,v1=<hex signature>")
	}
	want := macOf([]byte(req.Secret), []byte(t+"."), req.Body)
	return signedAt(req, t, want, sigs)
}

// SignStandardWebhook returns the Webhook-Signature value of Standard
// Webhooks for a call with the given id, time and body: "v1,<base64>".
func SignStandardWebhook(secret, id string, at time.Time, body []byte) string {
	t := strconv.FormatInt(at.Unix(), 10)
	return "v1," + base64.StdEncoding.EncodeToString(macOf(standardKey(secret), []byte(id+"."+t+"."), body))
}

// VerifyStandardWebhook checks a call signed as Standard Webhooks specify:
// Webhook-Signature holds space-separated "v1,<base64>" signatures, one of
// which must be the HMAC-SHA256 of Webhook-Id, a dot, Webhook-Timestamp
// (unix seconds), a dot and the body. A secret "whsec_<base64>" is the
// base64 of the key; any other secret is the key as text. The timestamp
// must lie within WebhookTolerance of req.Received; the id is signed, so
// it is the delivery id.
func VerifyStandardWebhook(req WebhookRequest) (Signed, error) {
	id, t := req.Header.Get(StandardIDHeader), req.Header.Get(StandardTimestampHeader)
	var sigs [][]byte
	for _, part := range strings.Fields(req.Header.Get(StandardSignatureHeader)) {
		version, v, _ := strings.Cut(part, ",")
		if sig, err := base64.StdEncoding.DecodeString(v); version == "v1" && err == nil && len(sig) > 0 {
			sigs = append(sigs, sig)
		}
	}
	if id == "" || t == "" || len(sigs) == 0 {
		return Signed{}, fmt.Errorf("missing or malformed %s, %s or %s header", StandardIDHeader, StandardTimestampHeader, StandardSignatureHeader)
	}
	want := macOf(standardKey(req.Secret), []byte(id+"."+t+"."), req.Body)
	signed, err := signedAt(req, t, want, sigs)
	if err != nil {
		return Signed{}, err
	}
	signed.ID = id
	return signed, nil
}

// standardKey is the HMAC key of a Standard Webhooks secret.
func standardKey(secret string) []byte {
	if rest, ok := strings.CutPrefix(secret, "whsec_"); ok {
		if key, err := base64.StdEncoding.DecodeString(rest); err == nil {
			return key
		}
	}
	return []byte(secret)
}

// signedAt checks that one of sigs is want and that the signed timestamp t
// lies within WebhookTolerance of the call's arrival.
func signedAt(req WebhookRequest, t string, want []byte, sigs [][]byte) (Signed, error) {
	unix, err := strconv.ParseInt(t, 10, 64)
	if err != nil || unix <= 0 {
		return Signed{}, fmt.Errorf("signed timestamp %q is not unix seconds", t)
	}
	matched := false
	for _, sig := range sigs {
		matched = matched || hmac.Equal(sig, want)
	}
	if req.Secret == "" || !matched {
		return Signed{}, errors.New("webhook signature does not match")
	}
	at := time.Unix(unix, 0)
	now := req.Received
	if now.IsZero() {
		now = time.Now()
	}
	switch age := now.Sub(at).Truncate(time.Second); {
	case age > WebhookTolerance:
		return Signed{}, fmt.Errorf("webhook signed %s ago, more than the %s allowed: a replay, or the sender's clock is wrong", age, WebhookTolerance)
	case -age > WebhookTolerance:
		return Signed{}, fmt.Errorf("webhook signed %s in the future, more than the %s allowed: the sender's clock is wrong", -age, WebhookTolerance)
	}
	return Signed{At: at}, nil
}

// RequireJSON refuses a call whose Content-Type is set and is not JSON
// (application/json or a type ending in +json, in UTF-8 or ASCII) with an error
// wrapping ErrNotJSON. A call without a Content-Type is taken as JSON:
// senders that post JSON do not all name it.
func RequireJSON(h http.Header) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		return nil
	}
	media, params, err := mime.ParseMediaType(ct)
	if err != nil || (media != "application/json" && !strings.HasSuffix(media, "+json")) {
		return fmt.Errorf("%w: %q; send application/json", ErrNotJSON, ct)
	}
	if cs := params["charset"]; cs != "" && !utf8Charsets[strings.ToLower(cs)] {
		return fmt.Errorf("%w: charset %q; send UTF-8", ErrNotJSON, cs)
	}
	return nil
}

// utf8Charsets are the charsets whose text is UTF-8: UTF-8 under the
// names senders give it, and ASCII, which is UTF-8 as it is. A byte that
// is not UTF-8 is refused when the body is read.
var utf8Charsets = map[string]bool{"utf-8": true, "utf8": true, "us-ascii": true, "ascii": true}

// KeepMatching returns the records of a webhook call that keep takes, by
// their data, and those that failed, which the engine keeps to show: a
// webhook takes only what the flow's scheduled read would.
func KeepMatching(records []Record, keep func(data map[string]any) bool) []Record {
	var out []Record
	for _, r := range records {
		if r.Err != nil || keep(r.Data) {
			out = append(out, r)
		}
	}
	return out
}
