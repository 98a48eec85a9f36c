package app

import (
	"sync"
	"time"
)

// hookLimiter keeps a token bucket per flow for its webhook calls: a flow
// takes up to burst calls at once and rate calls per second on average, so
// that a burst of deliveries from an app passes and a flood is answered
// 429 without being read. Flows do not share buckets.
type hookLimiter struct {
	mu      sync.Mutex
	rate    float64 // tokens added per second
	burst   float64 // tokens a bucket holds at most
	buckets map[string]*tokenBucket
}

// tokenBucket is one flow's bucket.
type tokenBucket struct {
	tokens float64
	last   time.Time // when tokens was last brought up to date
}

func newHookLimiter(rate float64, burst int) *hookLimiter {
	return &hookLimiter{rate: rate, burst: float64(burst), buckets: map[string]*tokenBucket{}}
}

// take spends one of flow's tokens at now. When there is none it returns
// false and how long until there is one.
func (l *hookLimiter) take(flow string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[flow]
	if !ok {
		b = &tokenBucket{tokens: l.burst, last: now}
		l.buckets[flow] = b
	}
	if now.After(b.last) {
		b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), false
}
