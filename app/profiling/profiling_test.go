package profiling

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestCheckAddress(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:6060", true},
		{"localhost:6060", true},
		{"[::1]:6060", true},
		{"127.0.0.2:0", true},
		{"0.0.0.0:6060", false},
		{":6060", false},
		{"10.0.0.5:6060", false},
		{"[::]:6060", false},
		{"example.com:6060", false},
		{"127.0.0.1", false},
		{"", false},
	}
	for _, tt := range tests {
		err := CheckAddress(tt.addr)
		if (err == nil) != tt.ok {
			t.Errorf("CheckAddress(%q) = %v, want ok=%v", tt.addr, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), EnvAddress) {
			t.Errorf("CheckAddress(%q) = %v, want the setting named", tt.addr, err)
		}
	}
}

func TestStartServesProfilesOnLoopback(t *testing.T) {
	s, err := Start("127.0.0.1:0", slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	resp, err := http.Get("http://" + s.Addr().String() + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine profile") {
		t.Fatalf("status %d, body %.200s", resp.StatusCode, body)
	}
}

func TestStartRefusesOtherAddresses(t *testing.T) {
	if _, err := Start("0.0.0.0:0", slog.Default(), nil); err == nil {
		t.Fatal("a listener on every address was started")
	}
}
