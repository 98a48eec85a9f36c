package fake

import (
	"net/http"
	"strconv"
	"time"
)

// limits are the calls taken in the current minute and day, per app and
// company, as Exact Online counts them.
type limits struct {
	minute, day window
}

type window struct {
	used    int
	resetAt time.Time
}

// roll starts a new window when the last one is over: windows begin on
// whole minutes (or the test's shorter length) and at midnight UTC.
func (w *window) roll(now time.Time, length time.Duration, daily bool) {
	if now.Before(w.resetAt) {
		return
	}
	w.used = 0
	if daily {
		y, m, d := now.UTC().Date()
		w.resetAt = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
		return
	}
	w.resetAt = now.Truncate(length).Add(length)
}

// take counts a call when both windows have room, and writes the six
// headers either way; false when the call is over a limit.
func (l *limits) take(h http.Header, o Options, now time.Time) bool {
	l.minute.roll(now, o.Minute, false)
	l.day.roll(now, 0, true)
	ok := l.minute.used < o.PerMinute && l.day.used < o.PerDay
	if ok {
		l.minute.used++
		l.day.used++
	}
	h.Set("X-RateLimit-Limit", strconv.Itoa(o.PerDay))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(o.PerDay-l.day.used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(l.day.resetAt.UnixMilli(), 10))
	h.Set("X-RateLimit-Minutely-Limit", strconv.Itoa(o.PerMinute))
	h.Set("X-RateLimit-Minutely-Remaining", strconv.Itoa(o.PerMinute-l.minute.used))
	h.Set("X-RateLimit-Minutely-Reset", strconv.FormatInt(l.minute.resetAt.UnixMilli(), 10))
	return ok
}
