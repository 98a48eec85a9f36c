package pace

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The rate-limit headers read, in the order they are looked for: the
// IETF draft's (RateLimit-Remaining, RateLimit-Reset in seconds, or one
// RateLimit header "limit=100, remaining=50, reset=30") and the common
// X-RateLimit-* (X-RateLimit-Reset in seconds, or a Unix time as GitHub
// sends it).
var (
	remainingHeaders = []string{"RateLimit-Remaining", "X-RateLimit-Remaining", "X-Rate-Limit-Remaining"}
	resetHeaders     = []string{"RateLimit-Reset", "X-RateLimit-Reset", "X-Rate-Limit-Reset"}
)

// unixThreshold tells a reset given as a Unix time from one given in
// seconds from now.
const unixThreshold = 1_000_000_000

// remainingCalls reads how many calls the app still takes in its window.
func remainingCalls(h http.Header) (int, bool) {
	for _, name := range remainingHeaders {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Get(name))); err == nil && n >= 0 {
			return n, true
		}
	}
	if v, ok := structured(h, "remaining", "r"); ok {
		return int(v), true
	}
	return 0, false
}

// resetTime reads when the app's window ends.
func resetTime(h http.Header, now time.Time) (time.Time, bool) {
	for _, name := range resetHeaders {
		v := strings.TrimSpace(h.Get(name))
		if v == "" {
			continue
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 {
			return resetAt(f, now), true
		}
	}
	if v, ok := structured(h, "reset", "t"); ok {
		return resetAt(v, now), true
	}
	return time.Time{}, false
}

func resetAt(v float64, now time.Time) time.Time {
	if v >= unixThreshold {
		return time.Unix(0, int64(v*float64(time.Second)))
	}
	return now.Add(time.Duration(v * float64(time.Second)))
}

// structured reads a parameter of the single RateLimit header, such as
// "limit=100, remaining=50, reset=30" (or with ; between parameters).
func structured(h http.Header, names ...string) (float64, bool) {
	v := h.Get("RateLimit")
	if v == "" {
		return 0, false
	}
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		for _, name := range names {
			if strings.EqualFold(k, name) {
				if f, err := strconv.ParseFloat(strings.Trim(val, `"`), 64); err == nil && f >= 0 {
					return f, true
				}
			}
		}
	}
	return 0, false
}
