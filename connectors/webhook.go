package connectors

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// SignHMACSHA256 returns the HMAC-SHA256 of body under secret, the
// signature most apps put on their webhooks.
func SignHMACSHA256(secret string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
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
