package connectors

import (
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestVerifyHexHMACSHA256(t *testing.T) {
	body := []byte(`{"id":1}`)
	good := hex.EncodeToString(SignHMACSHA256("s3cret", body))
	tests := []struct {
		name, header, secret string
		body                 []byte
		ok                   bool
	}{
		{"valid", good, "s3cret", body, true},
		{"other secret", good, "other", body, false},
		{"no secret configured", good, "", body, false},
		{"changed body", good, "s3cret", []byte(`{"id":2}`), false},
		{"missing header", "", "s3cret", body, false},
		{"not hex", "zz", "s3cret", body, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("X-Signature", tt.header)
			}
			err := VerifyHexHMACSHA256(WebhookRequest{Header: h, Body: tt.body, Secret: tt.secret}, "X-Signature")
			if (err == nil) != tt.ok {
				t.Fatalf("Verify = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestVerifyTimestampedHMAC(t *testing.T) {
	body := []byte(`{"id":1}`)
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name, header, secret string
		body                 []byte
		ok                   bool
	}{
		{"valid", SignTimestamped("s3cret", now, body), "s3cret", body, true},
		{"signed 4 minutes ago", SignTimestamped("s3cret", now.Add(-4*time.Minute), body), "s3cret", body, true},
		{"signed 6 minutes ago", SignTimestamped("s3cret", now.Add(-6*time.Minute), body), "s3cret", body, false},
		{"signed 6 minutes ahead", SignTimestamped("s3cret", now.Add(6*time.Minute), body), "s3cret", body, false},
		{"one of two signatures matches", SignTimestamped("old", now, body) + ",v1=" +
			strings.TrimPrefix(SignTimestamped("s3cret", now, body), "t=1800000000,v1="), "s3cret", body, true},
		{"other secret", SignTimestamped("s3cret", now, body), "other", body, false},
		{"no secret configured", SignTimestamped("", now, body), "", body, false},
		{"changed body", SignTimestamped("s3cret", now, body), "s3cret", []byte(`{"id":2}`), false},
		{"timestamp changed", strings.Replace(SignTimestamped("s3cret", now, body), "t=1800000000", "t=1800000001", 1), "s3cret", body, false},
		{"no timestamp", "v1=" + hex.EncodeToString(SignHMACSHA256("s3cret", body)), "s3cret", body, false},
		{"plain signature", hex.EncodeToString(SignHMACSHA256("s3cret", body)), "s3cret", body, false},
		{"missing header", "", "s3cret", body, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			h.Set("X-Signature", tt.header)
			signed, err := VerifyTimestampedHMAC(WebhookRequest{Header: h, Body: tt.body, Secret: tt.secret, Received: now}, "X-Signature")
			if (err == nil) != tt.ok {
				t.Fatalf("Verify = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && signed.At.IsZero() {
				t.Fatal("a verified call has no signing time")
			}
		})
	}
}

func TestVerifyStandardWebhook(t *testing.T) {
	body := []byte(`{"id":1}`)
	now := time.Unix(1_800_000_000, 0)
	const whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	headers := func(secret, id string, at time.Time) http.Header {
		h := http.Header{}
		h.Set(StandardIDHeader, id)
		h.Set(StandardTimestampHeader, strconv.FormatInt(at.Unix(), 10))
		h.Set(StandardSignatureHeader, SignStandardWebhook(secret, id, at, body))
		return h
	}
	otherID := headers("s3cret", "msg_1", now)
	otherID.Set(StandardIDHeader, "msg_2")
	rotated := headers("s3cret", "msg_1", now)
	rotated.Set(StandardSignatureHeader, SignStandardWebhook("old", "msg_1", now, body)+" "+rotated.Get(StandardSignatureHeader))
	tests := []struct {
		name   string
		header http.Header
		secret string
		ok     bool
	}{
		{"valid", headers("s3cret", "msg_1", now), "s3cret", true},
		{"valid under a whsec_ secret", headers(whsec, "msg_1", now), whsec, true},
		{"one of two signatures matches", rotated, "s3cret", true},
		{"signed 6 minutes ago", headers("s3cret", "msg_1", now.Add(-6*time.Minute)), "s3cret", false},
		{"signed 6 minutes ahead", headers("s3cret", "msg_1", now.Add(6*time.Minute)), "s3cret", false},
		{"the id is signed", otherID, "s3cret", false},
		{"other secret", headers("s3cret", "msg_1", now), "other", false},
		{"no headers", http.Header{}, "s3cret", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signed, err := VerifyStandardWebhook(WebhookRequest{Header: tt.header, Body: body, Secret: tt.secret, Received: now})
			if (err == nil) != tt.ok {
				t.Fatalf("Verify = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && (signed.ID != "msg_1" || !signed.At.Equal(now)) {
				t.Fatalf("signed = %+v, want msg_1 at %s", signed, now)
			}
		})
	}
}

func TestStaleSignatureSaysWhy(t *testing.T) {
	body := []byte(`{"id":1}`)
	now := time.Unix(1_800_000_000, 0)
	h := http.Header{}
	h.Set("X-Signature", SignTimestamped("s3cret", now.Add(-10*time.Minute), body))
	_, err := VerifyTimestampedHMAC(WebhookRequest{Header: h, Body: body, Secret: "s3cret", Received: now}, "X-Signature")
	if err == nil || !strings.Contains(err.Error(), "signed 10m0s ago") {
		t.Fatalf("Verify = %v, want the age named", err)
	}
}

func TestRequireJSON(t *testing.T) {
	tests := []struct {
		contentType string
		ok          bool
	}{
		{"", true},
		{"application/json", true},
		{"application/json; charset=utf-8", true},
		{"Application/JSON; charset=UTF-8", true},
		{"application/cloudevents+json", true},
		{"text/plain", false},
		{"application/x-www-form-urlencoded", false},
		{"application/xml", false},
		{"application/json; charset=iso-8859-1", false},
		{"not a media type;;", false},
		// UTF-8 under another name, and ASCII, which is UTF-8: a byte
		// that is not UTF-8 is refused when the body is read.
		{"application/json; charset=UTF8", true},
		{"application/json; charset=us-ascii", true},
		{"application/json; charset=ASCII", true},
	}
	for _, tt := range tests {
		t.Run(tt.contentType, func(t *testing.T) {
			h := http.Header{}
			if tt.contentType != "" {
				h.Set("Content-Type", tt.contentType)
			}
			err := RequireJSON(h)
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrNotJSON)) {
				t.Fatalf("RequireJSON(%q) = %v, want ok=%v", tt.contentType, err, tt.ok)
			}
		})
	}
}

// TestStandardWebhookExample checks the example call of the Standard
// Webhooks specification.
func TestStandardWebhookExample(t *testing.T) {
	h := http.Header{}
	h.Set(StandardIDHeader, "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set(StandardTimestampHeader, "1614265330")
	h.Set(StandardSignatureHeader, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	req := WebhookRequest{Header: h, Body: []byte(`{"test": 2432232314}`),
		Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Received: time.Unix(1614265330, 0)}
	if _, err := VerifyStandardWebhook(req); err != nil {
		t.Fatalf("the specification's example is refused: %v", err)
	}
}
