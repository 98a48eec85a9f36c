package pace_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
)

// windowedApp limits calls as Exact Online does: a long window and a
// short one at once, each with its X-RateLimit-* headers and its reset as
// a Unix time in milliseconds, and 429 for a call over either.
type windowedApp struct {
	mu                sync.Mutex
	long, short       appWindow
	answered, refused int
}

type appWindow struct {
	limit, used int
	length      time.Duration
	resetAt     time.Time
}

func (w *appWindow) roll(now time.Time) {
	if !now.Before(w.resetAt) {
		w.used, w.resetAt = 0, time.UnixMilli(now.Add(w.length).UnixMilli()) // the time it says
	}
}

func (a *windowedApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	a.long.roll(now)
	a.short.roll(now)
	over := a.long.used >= a.long.limit || a.short.used >= a.short.limit
	if !over {
		a.long.used++
		a.short.used++
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(a.long.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(a.long.limit-a.long.used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(a.long.resetAt.UnixMilli(), 10))
	h.Set("X-RateLimit-Minutely-Limit", strconv.Itoa(a.short.limit))
	h.Set("X-RateLimit-Minutely-Remaining", strconv.Itoa(a.short.limit-a.short.used))
	h.Set("X-RateLimit-Minutely-Reset", strconv.FormatInt(a.short.resetAt.UnixMilli(), 10))
	h.Set("Content-Type", "application/json")
	if over {
		a.refused++
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error":{"message":{"value":"API rate limit exceeded"}}}`))
		return
	}
	a.answered++
	_, _ = w.Write([]byte(`{}`))
}

// TestEveryWindowOfTheAppIsKept: with a short window and a long one, as
// Exact Online's minutely and daily limits, the pacer waits for whichever
// is spent, reading resets in milliseconds, and the app refuses nothing.
func TestEveryWindowOfTheAppIsKept(t *testing.T) {
	tests := []struct {
		name        string
		long, short appWindow
	}{
		{"the short window is spent first", appWindow{limit: 1000, length: time.Hour}, appWindow{limit: 4, length: 400 * time.Millisecond}},
		{"the long window is spent first", appWindow{limit: 5, length: 700 * time.Millisecond}, appWindow{limit: 1000, length: 100 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := &windowedApp{long: tt.long, short: tt.short}
			srv := httptest.NewServer(app)
			defer srv.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			c := client(t, srv.URL, pace.New(pace.Settings{InFlight: 1}))
			var errs []error
			for range 12 {
				if _, err := c.Do(ctx, restGet("items")); err != nil {
					errs = append(errs, err)
				}
			}
			if len(errs) > 0 || app.refused > 0 || app.answered != 12 {
				t.Fatalf("%d errors (%v), %d refused, %d answered; want 12 answered, none refused", len(errs), errs, app.refused, app.answered)
			}
		})
	}
}

func restGet(path string) rest.Request { return rest.Request{Path: path} }
