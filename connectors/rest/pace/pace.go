// Package pace keeps the calls of one connection under its app's rate
// limit, for every flow and worker that uses the connection at once: a
// token bucket, a cap on calls in flight, the app's rate-limit headers read
// to stop before a 429, and a pause after a 429 or a Retry-After, during
// which nobody calls.
//
// One *Pacer serves one connection; [For] keeps it in the connection's
// shared state, so that every open instance of the connection waits on the
// same one. It implements rest.Pacer.
package pace

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// Settings tune a connection's pacing.
type Settings struct {
	// Rate is how many calls per second go out on average; 0 sets no rate
	// (the app's headers and 429s still pace the calls).
	Rate float64
	// Burst is how many calls may go out at once after a quiet time (1
	// when 0): the token bucket's size.
	Burst int
	// InFlight caps the calls waiting for an answer at once (4 when 0).
	InFlight int
}

// DefaultInFlight is the cap on calls in flight when Settings names none.
const DefaultInFlight = 4

// maxPause bounds a pause that an app asks for, and the backoff after
// 429s without a Retry-After.
const maxPause = 10 * time.Minute

func (s Settings) withDefaults() Settings {
	if s.Burst <= 0 {
		s.Burst = 1
	}
	if s.InFlight <= 0 {
		s.InFlight = DefaultInFlight
	}
	if s.Rate < 0 {
		s.Rate = 0
	}
	return s
}

// Pacer paces the calls of one connection. Use [New] or [For].
type Pacer struct {
	mu       sync.Mutex
	settings Settings
	tokens   float64   // the bucket's tokens
	filled   time.Time // when tokens was last brought up to date
	inFlight int
	paused   time.Time     // no call before this
	strikes  int           // 429s in a row without a hint of how long to wait
	windows  []window      // one per family of rate-limit headers
	changed  chan struct{} // closed and replaced when a waiter may go
}

// window is what the app's rate-limit headers said of its current window.
type window struct {
	known   bool
	resetAt time.Time // when the app's window ends
	budget  int       // calls left in it, counting the calls in flight as spent
}

// New returns a pacer with the given settings.
func New(s Settings) *Pacer {
	s = s.withDefaults()
	return &Pacer{settings: s, tokens: float64(s.Burst), filled: time.Now(), changed: make(chan struct{}),
		windows: make([]window, len(families))}
}

// sharedKey is where a connection's pacer is kept in its shared state.
const sharedKey = "rest/pace"

// For returns the connection's pacer, kept in its shared state (a new one
// when shared is nil), with the given settings.
func For(shared *connectors.Shared, s Settings) *Pacer {
	p := shared.Load(sharedKey, func() any { return New(s) }).(*Pacer)
	p.Configure(s)
	return p
}

// Configure changes the settings; callers waiting are woken to check them.
func (p *Pacer) Configure(s Settings) {
	s = s.withDefaults()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.settings == s {
		return
	}
	p.settings = s
	p.tokens = min(p.tokens, float64(s.Burst))
	p.wake()
}

// PausedUntil returns when the pause that the app asked for ends; zero
// when there is none.
func (p *Pacer) PausedUntil() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Now().Before(p.paused) {
		return p.paused
	}
	return time.Time{}
}

// Pause stops every call until t.
func (p *Pacer) Pause(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pauseUntil(t)
}

func (p *Pacer) pauseUntil(t time.Time) {
	if limit := time.Now().Add(maxPause); t.After(limit) {
		t = limit
	}
	if t.After(p.paused) {
		p.paused = t
	}
}

// Wait blocks until a call may go out, or ctx ends. The done it returns
// must be called once, when the answer is in. When the app takes no calls
// (a pause it asked for, a window it says is spent) until after ctx's
// deadline, Wait returns at once a rate-limited error
// ([connectors.RateLimited]) with the time left: a caller that cannot
// outwait the app's limit is paused, not failed.
func (p *Pacer) Wait(ctx context.Context) (func(status int, header http.Header), error) {
	for {
		p.mu.Lock()
		now := time.Now()
		delay := p.delay(now)
		if delay == 0 {
			p.take(now)
			p.mu.Unlock()
			return p.doneFunc(), nil
		}
		if err := p.outlasts(ctx, now); err != nil {
			p.mu.Unlock()
			return nil, err
		}
		changed := p.changed
		p.mu.Unlock()
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-changed:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// outlasts returns a rate-limited error when the app's own limit (a pause,
// a spent window) lasts beyond ctx's deadline; nil otherwise. p.mu is
// held.
func (p *Pacer) outlasts(ctx context.Context, now time.Time) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		return nil
	}
	wait := p.windowsWait(now)
	if now.Before(p.paused) {
		wait = max(wait, p.paused.Sub(now))
	}
	if wait == 0 || !now.Add(wait).After(deadline) {
		return nil
	}
	until := now.Add(wait).UTC().Format(time.RFC3339)
	return connectors.RateLimited(fmt.Errorf("the app takes no more calls until %s (its rate limit)", until), wait)
}

// idle is how long a waiter sleeps when only an answer can free it; an
// answer wakes it sooner.
const idle = time.Minute

// delay is how long a call must wait at now; 0 when it may go. p.mu is held.
func (p *Pacer) delay(now time.Time) time.Duration {
	if now.Before(p.paused) {
		return p.paused.Sub(now)
	}
	if p.inFlight >= p.settings.InFlight {
		return idle
	}
	if wait := p.windowsWait(now); wait > 0 {
		return wait
	}
	if p.settings.Rate <= 0 {
		return 0
	}
	p.refill(now)
	if p.tokens >= 1 {
		return 0
	}
	return max(time.Millisecond, time.Duration((1-p.tokens)/p.settings.Rate*float64(time.Second)))
}

// windowsWait is how long until every app window whose calls are spent
// is over; 0 when none is spent. p.mu is held.
func (p *Pacer) windowsWait(now time.Time) time.Duration {
	var wait time.Duration
	for i := range p.windows {
		w := &p.windows[i]
		if w.known && !now.Before(w.resetAt) {
			*w = window{} // the app's window is over: its budget is unknown again
		}
		if w.known && w.budget <= 0 {
			wait = max(wait, w.resetAt.Sub(now))
		}
	}
	return wait
}

func (p *Pacer) refill(now time.Time) {
	if now.After(p.filled) {
		p.tokens = min(float64(p.settings.Burst), p.tokens+now.Sub(p.filled).Seconds()*p.settings.Rate)
		p.filled = now
	}
}

// take spends a turn: a token, a call in flight and one of the window's
// budget. p.mu is held.
func (p *Pacer) take(now time.Time) {
	p.inFlight++
	if p.settings.Rate > 0 {
		p.tokens--
	}
	for i := range p.windows {
		if p.windows[i].known {
			p.windows[i].budget--
		}
	}
}

func (p *Pacer) doneFunc() func(int, http.Header) {
	var once sync.Once
	return func(status int, header http.Header) {
		once.Do(func() { p.done(status, header) })
	}
}

func (p *Pacer) done(status int, header http.Header) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inFlight--
	now := time.Now()
	p.observePause(status, header, now)
	p.observeWindow(header, now)
	p.wake()
}

// wake lets every waiter look again. p.mu is held.
func (p *Pacer) wake() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// observePause pauses the connection after a 429, and after any answer
// with a Retry-After, until the time the app asked for; 429s without a
// hint pause for a second, doubling while they keep coming.
func (p *Pacer) observePause(status int, header http.Header, now time.Time) {
	wait := connectors.RetryAfter(header, now)
	switch {
	case wait > 0:
		p.strikes = 0
		p.pauseUntil(now.Add(wait))
	case status == http.StatusTooManyRequests:
		if reset, ok := spentReset(header, now); ok {
			p.pauseUntil(reset)
			return
		}
		p.strikes++
		p.pauseUntil(now.Add(min(maxPause, time.Second<<min(p.strikes-1, 10))))
	case status >= 200 && status < 300:
		p.strikes = 0
	}
}

// spentReset is when a 429 ends: the latest reset of the windows the
// app says are spent (no calls remaining), or, when none says so, of the
// first window that names its reset.
func spentReset(header http.Header, now time.Time) (time.Time, bool) {
	var latest time.Time
	for _, f := range families {
		remaining, ok := f.remainingCalls(header)
		if reset, okReset := f.resetTime(header, now); ok && remaining == 0 && okReset && reset.After(latest) {
			latest = reset
		}
	}
	if latest.After(now) {
		return latest, true
	}
	reset, ok := resetTime(header, now)
	return reset, ok && reset.After(now)
}

// observeWindow takes up what the app's rate-limit headers say of each of
// its windows. The calls in flight may not have been counted by the app
// yet, so they are counted as spent: the budget errs on the side of too
// few calls.
func (p *Pacer) observeWindow(header http.Header, now time.Time) {
	for i, f := range families {
		remaining, okRemaining := f.remainingCalls(header)
		reset, okReset := f.resetTime(header, now)
		if okRemaining && okReset && reset.After(now) {
			p.windows[i].observe(remaining-p.inFlight, reset)
		}
	}
}

// observe takes up one answer's count of a window.
func (w *window) observe(budget int, reset time.Time) {
	switch {
	case !w.known || !reset.Before(w.resetAt.Add(sameWindow)):
		*w = window{known: true, resetAt: reset, budget: budget} // a new window
	case reset.After(w.resetAt.Add(-sameWindow)):
		w.budget = min(w.budget, budget) // the same window, maybe a later count
	}
}

// sameWindow is how far apart two reset times of one window may lie: an
// app that says "reset in N seconds" rounds to whole seconds.
const sameWindow = 990 * time.Millisecond
