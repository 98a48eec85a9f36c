package app

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestAnAppsWaitIsBoundedByTheRetryMaximum: a Retry-After of years (a
// misconfigured proxy, an attacker's answer), in seconds or as a date,
// holds a transaction and its connection for at most the retry maximum,
// never for years, whether it came with a 429 or a 503.
func TestAnAppsWaitIsBoundedByTheRetryMaximum(t *testing.T) {
	cfg := EngineConfig{BackoffBase: 5 * time.Second, BackoffMax: 30 * time.Minute, MaxAge: 72 * time.Hour}
	tenYears := 10 * 365 * 24 * time.Hour
	asDate := func(d time.Duration) http.Header {
		return http.Header{"Retry-After": {time.Now().Add(d).UTC().Format(http.TimeFormat)}}
	}
	asSeconds := http.Header{"Retry-After": {"315360000"}}
	cases := []struct {
		name   string
		status int
		header http.Header
	}{
		{"429, ten years in seconds", http.StatusTooManyRequests, asSeconds},
		{"429, ten years as a date", http.StatusTooManyRequests, asDate(tenYears)},
		{"503, ten years in seconds", http.StatusServiceUnavailable, asSeconds},
		{"503, ten years as a date", http.StatusServiceUnavailable, asDate(tenYears)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := &Engine{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			e.pauses = newPauseBook(e)
			err := connectors.HTTPStatusError("POST /products", tc.status, tc.header, nil)
			o := outcome{tx: claimed{Created: types.NowDateTime().String(), Attempts: 1}, blame: "conn"}
			o = e.failed(o, err)
			limit := time.Now().Add(cfg.BackoffMax + time.Second)
			if o.status != StatusRetrying || o.next.After(limit) {
				t.Fatalf("status %q, next try at %s; want retrying within %s", o.status, o.next, cfg.BackoffMax)
			}
			if o.pausedUntil.After(limit) {
				t.Fatalf("the connection pauses until %s; want within %s", o.pausedUntil, cfg.BackoffMax)
			}
			if tc.status != http.StatusTooManyRequests {
				return
			}
			if !e.pauseRead("conn", err) {
				t.Fatal("a rate-limited read was not taken as a pause")
			}
			if end := e.pauses.end("conn"); end.After(limit) {
				t.Fatalf("a rate-limited read pauses the connection until %s; want within %s", end, cfg.BackoffMax)
			}
		})
	}
}
