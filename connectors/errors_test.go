package connectors

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Class
		wait time.Duration
	}{
		{"explicit transient", Transient(errors.New("x")), ClassTransient, 0},
		{"explicit permanent wrapped", fmt.Errorf("write: %w", Permanent(errors.New("bad sku"))), ClassPermanent, 0},
		{"retry after", TransientAfter(errors.New("slow down"), 7*time.Second), ClassTransient, 7 * time.Second},
		{"deadline", fmt.Errorf("get: %w", context.DeadlineExceeded), ClassTransient, 0},
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, ClassTransient, 0},
		{"unknown is permanent", errors.New("something odd"), ClassPermanent, 0},
		// a call's error is a net.Error, but a certificate fails the same way until somebody fixes it
		{"an untrusted certificate", &url.Error{Op: "Get", URL: "https://erp.example.com/", Err: &tls.CertificateVerificationError{
			Err: x509.UnknownAuthorityError{}}}, ClassPermanent, 0},
		{"an expired certificate", &url.Error{Op: "Get", URL: "https://erp.example.com/", Err: &tls.CertificateVerificationError{
			Err: x509.CertificateInvalidError{Reason: x509.Expired}}}, ClassPermanent, 0},
		{"a certificate for another host", &url.Error{Op: "Get", URL: "https://erp.example.com/", Err: x509.HostnameError{
			Host: "erp.example.com", Certificate: &x509.Certificate{}}}, ClassPermanent, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			class, wait := Classify(tt.err)
			if class != tt.want || wait != tt.wait {
				t.Fatalf("Classify() = %s, %s; want %s, %s", class, wait, tt.want, tt.wait)
			}
		})
	}
}

// TestCertificateFailuresNeedAttention: a certificate that cannot be
// verified asks for a person, marked or not; other failures do not.
func TestCertificateFailuresNeedAttention(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"marked", fmt.Errorf("get: %w", NeedsAttention(errors.New("redirect loop"))), true},
		{"a certificate, unmarked", fmt.Errorf("get: %w", &url.Error{Op: "Get", URL: "https://x", Err: &tls.CertificateVerificationError{
			Err: x509.CertificateInvalidError{Reason: x509.Expired}}}), true},
		{"permanent", Permanent(errors.New("bad sku")), false},
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsNeedsAttention(tt.err); got != tt.want {
				t.Fatalf("IsNeedsAttention(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestHTTPStatusError(t *testing.T) {
	tests := []struct {
		status     int
		retryAfter string
		want       Class
		wait       time.Duration
	}{
		{400, "", ClassPermanent, 0},
		{401, "", ClassPermanent, 0},
		{404, "", ClassPermanent, 0},
		{408, "", ClassTransient, 0},
		{429, "12", ClassTransient, 12 * time.Second},
		{500, "", ClassTransient, 0},
		{503, "3", ClassTransient, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			h := http.Header{}
			if tt.retryAfter != "" {
				h.Set("Retry-After", tt.retryAfter)
			}
			err := HTTPStatusError("creating order 1001", tt.status, h, []byte(`{"message":"nope"}`))
			class, wait := Classify(err)
			if class != tt.want || wait != tt.wait {
				t.Fatalf("got %s %s, want %s %s (%v)", class, wait, tt.want, tt.wait, err)
			}
		})
	}
}

func TestRetryAfterDate(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}
	if got := RetryAfter(h, now); got != 90*time.Second {
		t.Fatalf("RetryAfter = %s, want 1m30s", got)
	}
	if got := RetryAfter(http.Header{"Retry-After": {"soon"}}, now); got != 0 {
		t.Fatalf("unreadable Retry-After = %s, want 0", got)
	}
}

// TestRetryAfterOfAbsurdLength: a Retry-After too long for a duration is
// the longest wait, never one that overflows into a short or negative
// one; a negative one is no wait.
func TestRetryAfterOfAbsurdLength(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		value string
		least time.Duration
	}{
		{"99999999999", 100 * 365 * 24 * time.Hour},
		{"9300000000", 100 * 365 * 24 * time.Hour},
		{"99999999999999999", 100 * 365 * 24 * time.Hour},
		{"99999999999999999999999", 100 * 365 * 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := RetryAfter(http.Header{"Retry-After": {tt.value}}, now); got < tt.least {
			t.Errorf("Retry-After: %s = %s, want at least %s", tt.value, got, tt.least)
		}
	}
	for _, v := range []string{"-30", "0", "-99999999999999999999"} {
		if got := RetryAfter(http.Header{"Retry-After": {v}}, now); got != 0 {
			t.Errorf("Retry-After: %s = %s, want 0", v, got)
		}
	}
}

func TestRateLimitsAreMarked(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		limited bool
		wait    time.Duration
	}{
		{"429 answer", HTTPStatusError("GET /orders", 429, http.Header{"Retry-After": {"4"}}, nil), true, 4 * time.Second},
		{"wrapped", fmt.Errorf("reading: %w", RateLimited(errors.New("slow down"), time.Second)), true, time.Second},
		{"503 is an outage, not a rate limit", HTTPStatusError("GET /orders", 503, http.Header{"Retry-After": {"4"}}, nil), false, 0},
		{"transient", Transient(errors.New("x")), false, 0},
		{"plain", errors.New("x"), false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wait, limited := IsRateLimited(tt.err)
			if limited != tt.limited || wait != tt.wait {
				t.Fatalf("IsRateLimited = %s, %v; want %s, %v", wait, limited, tt.wait, tt.limited)
			}
			if class, _ := Classify(tt.err); tt.limited && class != ClassTransient {
				t.Fatalf("a rate limit is %s, want transient", class)
			}
		})
	}
}

// TestAShortBodyIsCutBetweenCharacters: an answer quoted in an error is
// cut at 300 characters, never inside one: a message in German, Greek or
// Japanese stays valid text, without half a character before the "…".
func TestAShortBodyIsCutBetweenCharacters(t *testing.T) {
	for _, body := range []string{strings.Repeat("ä", 400), "x" + strings.Repeat("日本", 200), strings.Repeat("a", 299) + "€uro"} {
		got := ShortBody([]byte(body))
		if !utf8.ValidString(got) || !strings.HasSuffix(got, "…") || utf8.RuneCountInString(got) > len(": ")+300+1 {
			t.Errorf("ShortBody of %d characters = %q: want valid text of at most 300 characters and the cut marked", utf8.RuneCountInString(body), got)
		}
	}
	if got := ShortBody([]byte(strings.Repeat("ü", 300))); got != ": "+strings.Repeat("ü", 300) {
		t.Errorf("ShortBody of 300 characters = %q, want them all, not cut", got)
	}
}

// TestA403ThatSaysToWaitIsARateLimit: an app that refuses a call over its
// rate limit with 403 (GitHub's secondary limits), saying so with a
// Retry-After or no calls remaining, pauses the connection rather than
// failing the record for good; a plain 403 stays permanent.
func TestA403ThatSaysToWaitIsARateLimit(t *testing.T) {
	tests := []struct {
		name    string
		header  http.Header
		limited bool
		wait    time.Duration
	}{
		{"Retry-After", http.Header{"Retry-After": {"60"}}, true, time.Minute},
		{"no calls remaining", http.Header{"X-Ratelimit-Remaining": {"0"}}, true, 0},
		{"no calls remaining, the standard's header", http.Header{"Ratelimit-Remaining": {"0"}}, true, 0},
		{"a plain refusal", http.Header{}, false, 0},
		{"calls remaining", http.Header{"X-Ratelimit-Remaining": {"42"}}, false, 0},
	}
	for _, tt := range tests {
		err := HTTPStatusError("GET /repos", http.StatusForbidden, tt.header, []byte(`{"message":"You have exceeded a secondary rate limit"}`))
		wait, limited := IsRateLimited(err)
		class, _ := Classify(err)
		if limited != tt.limited || wait != tt.wait || (class == ClassPermanent) == tt.limited {
			t.Errorf("%s: a 403 = %s, rate limited %v after %s; want rate limited %v after %s", tt.name, class, limited, wait, tt.limited, tt.wait)
		}
	}
}

// TestRetryAfterInFractionsOfSeconds: a Retry-After written with a
// fraction (Shopify's "2.0") is that wait, not an unreadable header that
// leaves the wait to a guess.
func TestRetryAfterInFractionsOfSeconds(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"2.0", 2 * time.Second},
		{"0.5", 500 * time.Millisecond},
		{" 1.25 ", 1250 * time.Millisecond},
		{"-1.5", 0},
		{"NaN", 0},
		{"Inf", 0},
		{"99999999999999999999.5", math.MaxInt64},
	}
	for _, tt := range tests {
		if got := RetryAfter(http.Header{"Retry-After": {tt.value}}, now); got != tt.want {
			t.Errorf("Retry-After: %q = %s, want %s", tt.value, got, tt.want)
		}
	}
}
