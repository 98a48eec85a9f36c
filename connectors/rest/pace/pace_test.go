package pace_test

import (
	"context"

	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/httpjson/fake"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
)

func client(t *testing.T, url string, p rest.Pacer) *rest.Client {
	t.Helper()
	c, err := rest.New(rest.Options{BaseURL: url, Pacer: p})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// callAll makes n calls from workers goroutines and returns their errors.
func callAll(c *rest.Client, workers, n int, path string) []error {
	var mu sync.Mutex
	var errs []error
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if _, err := c.Do(context.Background(), rest.Request{Path: path}); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return errs
}

func TestTheAppsRateLimitHeadersKeepEveryWindowUnderItsLimit(t *testing.T) {
	app := fake.New()
	app.LimitRate(20)
	srv := httptest.NewServer(app)
	defer srv.Close()
	// No rate of its own: only the app's headers pace the calls of 8
	// workers sharing the connection's pacer.
	shared := connectors.NewShared()
	errs := callAll(client(t, srv.URL, pace.For(shared, pace.Settings{})), 8, 60, "products")
	if len(errs) > 0 || app.RateLimited() > 0 || app.MostInOneSecond() > 20 {
		t.Fatalf("%d errors (%v), %d calls answered 429, at most %d calls in one second; want none, none, at most 20",
			len(errs), errs, app.RateLimited(), app.MostInOneSecond())
	}
}

func TestTheBucketSpacesCalls(t *testing.T) {
	var mu sync.Mutex
	var sent []time.Time
	p := pace.New(pace.Settings{Rate: 20, Burst: 1, InFlight: 8})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 8 {
				done, err := p.Wait(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				sent = append(sent, time.Now())
				mu.Unlock()
				done(200, nil)
			}
		}()
	}
	wg.Wait()
	sort.Slice(sent, func(i, j int) bool { return sent[i].Before(sent[j]) })
	for i := 0; i+20 < len(sent); i++ {
		if gap := sent[i+20].Sub(sent[i]); gap < time.Second-time.Millisecond {
			t.Fatalf("calls %d and %d went out %s apart: more than 20 in a second", i, i+20, gap)
		}
	}
}

func TestCallsInFlightAreCapped(t *testing.T) {
	var current, most atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := current.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-release
		current.Add(-1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c := client(t, srv.URL, pace.New(pace.Settings{InFlight: 3}))
	finished := make(chan []error)
	go func() { finished <- callAll(c, 10, 12, "x") }()
	for released := 0; released < 12; released++ {
		waitFor(t, func() bool { return current.Load() >= int64(min(3, 12-released)) })
		release <- struct{}{}
	}
	if errs := <-finished; len(errs) > 0 {
		t.Fatal(errs)
	}
	if most.Load() != 3 {
		t.Fatalf("%d calls were in flight at once, want 3", most.Load())
	}
}

func TestA429PausesEveryCallerUntilRetryAfter(t *testing.T) {
	var mu sync.Mutex
	var refusedAt time.Time
	var arrivals []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if refusedAt.IsZero() {
			refusedAt = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"message":"slow down"}`))
			return
		}
		arrivals = append(arrivals, time.Now())
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c := client(t, srv.URL, pace.New(pace.Settings{}))
	_, err := c.Do(context.Background(), rest.Request{Path: "orders"})
	if wait, limited := connectors.IsRateLimited(err); !limited || wait != time.Second {
		t.Fatalf("the refused call = %v, want a rate limit of 1s", err)
	}
	if errs := callAll(c, 4, 4, "orders"); len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, at := range arrivals {
		if at.Sub(refusedAt) < time.Second {
			t.Fatalf("a call arrived %s after the 429 that asked for a pause of 1s", at.Sub(refusedAt))
		}
	}
}

func TestWaitingEndsWithTheContext(t *testing.T) {
	p := pace.New(pace.Settings{})
	p.Pause(time.Now().Add(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	go cancel()
	if _, err := p.Wait(ctx); err != context.Canceled {
		t.Fatalf("Wait during a pause with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestOneConnectionSharesOnePacer(t *testing.T) {
	shared := connectors.NewShared()
	a := pace.For(shared, pace.Settings{Rate: 5})
	b := pace.For(shared, pace.Settings{Rate: 2})
	other := pace.For(connectors.NewShared(), pace.Settings{Rate: 5})
	if a != b || a == other {
		t.Fatal("one connection's instances must share one pacer, and connections must not share")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 30s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestACallThatCannotOutwaitTheAppsLimitIsRateLimited: a call whose
// context ends before the app takes calls again (a window spent for the
// day, a pause after a 429) is refused at once as a rate limit, with the
// wait, not as a failure after waiting its whole time: the engine then
// pauses the connection instead of counting it as down. A window no app
// has (years long) is taken to end within a day.
func TestACallThatCannotOutwaitTheAppsLimitIsRateLimited(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		status int
		wait   time.Duration
	}{
		{"a window spent for an hour", http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"3600"}}, http.StatusOK, time.Hour},
		{"a pause after a 429", http.Header{"Retry-After": {"300"}}, http.StatusTooManyRequests, 5 * time.Minute},
		{"a window said to end in 31 years: a day at most", http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"999999999"}},
			http.StatusOK, 24 * time.Hour},
		{"a window said to end in the year 5138: a day at most", http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"99999999999999"}},
			http.StatusOK, 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				for k, vs := range tt.header {
					w.Header()[k] = vs
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(`{}`))
			}))
			defer srv.Close()
			c := client(t, srv.URL, pace.New(pace.Settings{}))
			_, _ = c.Do(context.Background(), rest.Request{Path: "orders"})
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			start := time.Now()
			_, err := c.Do(ctx, rest.Request{Path: "orders"})
			wait, limited := connectors.IsRateLimited(err)
			if !limited || wait < tt.wait-time.Minute || wait > tt.wait {
				t.Fatalf("the call = %v (rate limited %v, wait %s); want a rate limit of about %s", err, limited, wait, tt.wait)
			}
			if took := time.Since(start); took > time.Second {
				t.Fatalf("the call waited %s for a limit it could not outwait", took)
			}
			if calls.Load() != 1 {
				t.Fatalf("the app got %d calls, want the first only", calls.Load())
			}
		})
	}
}
