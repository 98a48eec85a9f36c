package hooks

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// the signatures as each app computes them, written out independently.
func githubSig(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func shopifySig(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func slackSig(secret string, at time.Time, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%d:%s", at.Unix(), body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

func sha1Sig(secret string, body []byte) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

var (
	github  = Scheme{Header: "X-Hub-Signature-256", Prefix: "sha256="}
	shopify = Scheme{Header: "X-Shopify-Hmac-Sha256", Base64: true}
	slack   = Scheme{Header: "X-Slack-Signature", Prefix: "v0=", Signed: "v0:{timestamp}:{body}", TimestampHeader: "X-Slack-Request-Timestamp"}
	legacy  = Scheme{Header: "X-Signature", Hash: "sha1"}
)

func TestAppSignaturesAreVerified(t *testing.T) {
	const secret = "hook-secret-1"
	body := []byte(`{"id":1001,"total":"19.95"}`)
	now := time.Unix(1_800_000_000, 0)
	offByOne := append([]byte(nil), body...)
	offByOne[5]++
	flip := func(sig string) string { // the signature with its last character changed
		last := sig[len(sig)-1]
		if last == 'a' {
			return sig[:len(sig)-1] + "b"
		}
		return sig[:len(sig)-1] + "a"
	}
	slackHeader := func(sig string, at time.Time) http.Header {
		return http.Header{"X-Slack-Signature": {sig}, "X-Slack-Request-Timestamp": {fmt.Sprint(at.Unix())}}
	}
	tests := []struct {
		name   string
		scheme Scheme
		header http.Header
		body   []byte
		want   string // "" for a match
	}{
		{"GitHub", github, http.Header{"X-Hub-Signature-256": {githubSig(secret, body)}}, body, ""},
		{"Shopify, base64", shopify, http.Header{"X-Shopify-Hmac-Sha256": {shopifySig(secret, body)}}, body, ""},
		{"Slack, timestamp in the signed text", slack, slackHeader(slackSig(secret, now, body), now), body, ""},
		{"SHA-1", legacy, http.Header{"X-Signature": {sha1Sig(secret, body)}}, body, ""},
		{"two signatures, the second right", github, http.Header{"X-Hub-Signature-256": {"sha256=00ff, " + githubSig(secret, body)}}, body, ""},
		{"the body one byte off", github, http.Header{"X-Hub-Signature-256": {githubSig(secret, body)}}, offByOne, "does not match"},
		{"the signature one character off", shopify, http.Header{"X-Shopify-Hmac-Sha256": {flip(shopifySig(secret, body))}}, body, "does not match"},
		{"no signature", github, http.Header{}, body, "missing X-Hub-Signature-256 header"},
		{"without its prefix", github, http.Header{"X-Hub-Signature-256": {strings.TrimPrefix(githubSig(secret, body), "sha256=")}}, body, "does not match"},
		{"signed 6 minutes ago", slack, slackHeader(slackSig(secret, now.Add(-6*time.Minute), body), now.Add(-6*time.Minute)), body, "signed 6m0s ago"},
		{"the timestamp changed", slack, slackHeader(slackSig(secret, now, body), now.Add(time.Second)), body, "does not match"},
		{"no timestamp", slack, http.Header{"X-Slack-Signature": {slackSig(secret, now, body)}}, body, "missing X-Slack-Request-Timestamp header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signed, err := tt.scheme.Verify(connectors.WebhookRequest{Header: tt.header, Body: tt.body, Secret: secret, Received: now})
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Verify = %v, want %q", err, tt.want)
			}
			if tt.want == "" && tt.scheme.TimestampHeader != "" && !signed.At.Equal(now) {
				t.Fatalf("signed at %s, want %s", signed.At, now)
			}
		})
	}
}

func TestSignWritesWhatTheAppSends(t *testing.T) {
	body := []byte(`{"id":1}`)
	now := time.Unix(1_800_000_000, 0)
	for _, tt := range []struct {
		scheme Scheme
		want   string
	}{
		{github, githubSig("k", body)}, {shopify, shopifySig("k", body)}, {slack, slackSig("k", now, body)}, {legacy, sha1Sig("k", body)},
	} {
		if got := tt.scheme.Sign("k", now, body); got != tt.want {
			t.Errorf("%s: Sign = %q, want %q", tt.scheme.Header, got, tt.want)
		}
	}
}
