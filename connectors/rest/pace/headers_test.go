package pace

import (
	"net/http"
	"testing"
	"time"
)

func TestRateLimitHeadersAreRead(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name      string
		header    http.Header
		remaining int
		reset     time.Time
		ok        bool
	}{
		{"IETF draft fields", http.Header{"Ratelimit-Remaining": {"7"}, "Ratelimit-Reset": {"30"}}, 7, now.Add(30 * time.Second), true},
		{"GitHub's Unix time", http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1800000042"}}, 0, now.Add(42 * time.Second), true},
		{"X- with seconds", http.Header{"X-Ratelimit-Remaining": {"3"}, "X-Ratelimit-Reset": {"2"}}, 3, now.Add(2 * time.Second), true},
		{"one structured header", http.Header{"Ratelimit": {"limit=100, remaining=50, reset=5"}}, 50, now.Add(5 * time.Second), true},
		{"structured, short names", http.Header{"Ratelimit": {`"default";r=4;t=10`}}, 4, now.Add(10 * time.Second), true},
		{"nothing", http.Header{}, 0, time.Time{}, false},
		{"unreadable", http.Header{"X-Ratelimit-Remaining": {"many"}, "X-Ratelimit-Reset": {"soon"}}, 0, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			remaining, okR := remainingCalls(tt.header)
			reset, okT := resetTime(tt.header, now)
			if okR != tt.ok || okT != tt.ok || remaining != tt.remaining || !reset.Equal(tt.reset) {
				t.Fatalf("got %d (%v), %s (%v); want %d, %s (%v)", remaining, okR, reset, okT, tt.remaining, tt.reset, tt.ok)
			}
		})
	}
}

func TestExactOnlinesWindowsAreRead(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	h := http.Header{
		"X-Ratelimit-Limit": {"5000"}, "X-Ratelimit-Remaining": {"4990"}, "X-Ratelimit-Reset": {"1800086400000"},
		"X-Ratelimit-Minutely-Limit": {"60"}, "X-Ratelimit-Minutely-Remaining": {"0"}, "X-Ratelimit-Minutely-Reset": {"1800000042500"},
	}
	daily, minutely := families[0], families[1]
	if n, ok := daily.remainingCalls(h); !ok || n != 4990 {
		t.Fatalf("daily remaining = %d, %v", n, ok)
	}
	if reset, ok := daily.resetTime(h, now); !ok || !reset.Equal(time.UnixMilli(1800086400000)) {
		t.Fatalf("daily reset = %s, %v; want the Unix time in milliseconds", reset, ok)
	}
	if n, ok := minutely.remainingCalls(h); !ok || n != 0 {
		t.Fatalf("minutely remaining = %d, %v", n, ok)
	}
	if reset, ok := spentReset(h, now); !ok || !reset.Equal(time.UnixMilli(1800000042500)) {
		t.Fatalf("a 429 with the minutely window spent lasts until %s, %v; want the minutely reset", reset, ok)
	}
}
