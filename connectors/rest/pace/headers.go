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
// X-RateLimit-* (X-RateLimit-Reset in seconds, or a Unix time in seconds
// as GitHub sends it or in milliseconds as Exact Online does).
var (
	remainingHeaders = []string{"RateLimit-Remaining", "X-RateLimit-Remaining", "X-Rate-Limit-Remaining"}
	resetHeaders     = []string{"RateLimit-Reset", "X-RateLimit-Reset", "X-Rate-Limit-Reset"}
)

// family is one window's rate-limit headers. An app may limit calls in
// more than one window at once, each with its headers: Exact Online sends
// a daily window as X-RateLimit-* and a minutely one as
// X-RateLimit-Minutely-*.
type family struct {
	remaining, reset []string
	structured       bool // the single RateLimit header counts too
}

// families are the windows a pacer keeps, each from its headers.
var families = []family{
	{remaining: remainingHeaders, reset: resetHeaders, structured: true},
	{remaining: []string{"X-RateLimit-Minutely-Remaining"}, reset: []string{"X-RateLimit-Minutely-Reset"}},
}

// unixThreshold tells a reset given as a Unix time from one given in
// seconds from now; unixMilliThreshold one in milliseconds from one in
// seconds.
const (
	unixThreshold      = 1_000_000_000
	unixMilliThreshold = 1_000_000_000_000
)

// remainingCalls reads how many calls the app still takes in its window.
func remainingCalls(h http.Header) (int, bool) { return families[0].remainingCalls(h) }

// resetTime reads when the app's window ends.
func resetTime(h http.Header, now time.Time) (time.Time, bool) { return families[0].resetTime(h, now) }

// remainingCalls reads how many calls the app still takes in the
// family's window.
func (f family) remainingCalls(h http.Header) (int, bool) {
	for _, name := range f.remaining {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Get(name))); err == nil && n >= 0 {
			return n, true
		}
	}
	if !f.structured {
		return 0, false
	}
	if v, ok := structured(h, "remaining", "r"); ok {
		return int(v), true
	}
	return 0, false
}

// resetTime reads when the family's window ends.
func (f family) resetTime(h http.Header, now time.Time) (time.Time, bool) {
	for _, name := range f.reset {
		v := strings.TrimSpace(h.Get(name))
		if v == "" {
			continue
		}
		if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
			return resetAt(n, now), true
		}
	}
	if !f.structured {
		return time.Time{}, false
	}
	if v, ok := structured(h, "reset", "t"); ok {
		return resetAt(v, now), true
	}
	return time.Time{}, false
}

// maxWindow bounds how far off a window's reset is taken to be: no app
// counts calls over more than a day, so a reset said to be further (years,
// a misread unit) is taken as a day from now, and calls are not held for
// years.
const maxWindow = 24 * time.Hour

func resetAt(v float64, now time.Time) time.Time {
	limit := now.Add(maxWindow)
	switch {
	case v >= unixMilliThreshold:
		if v/1000 > float64(limit.Unix()) {
			return limit
		}
		return time.UnixMilli(int64(v))
	case v >= unixThreshold:
		if v > float64(limit.Unix()) {
			return limit
		}
		return time.Unix(0, int64(v*float64(time.Second)))
	case v > maxWindow.Seconds():
		return limit
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
