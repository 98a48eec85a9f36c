package app

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/app/profiling"
)

// TestConnectionsGetNoLoopbackTrust: the metrics (without a token) and the
// profiles answer callers on this machine's loopback; a connection that an
// editor points at them calls from loopback too, through the connections'
// transport, and is refused there as a caller from the network is, while a
// person on the machine still reads them.
func TestConnectionsGetNoLoopbackTrust(t *testing.T) {
	env := newTestEnv(t)
	appliance := httptest.NewServer(servedMux(t, env))
	t.Cleanup(appliance.Close)
	profiles, err := profiling.Start("127.0.0.1:0", slog.New(slog.NewTextHandler(io.Discard, nil)), env.sb.FromOwnConnection)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = profiles.Stop() })
	connection := &http.Client{Transport: env.sb.outbound}
	person := &http.Client{Transport: &http.Transport{}}
	for _, tc := range []struct{ what, url, want string }{
		{"the metrics", appliance.URL + MetricsPath, "switchboard_build_info"},
		{"the profiles", "http://" + profiles.Addr().String() + "/debug/pprof/goroutine?debug=1", "goroutine profile"},
	} {
		if status, body := getBody(t, person, tc.url); status != http.StatusOK || !strings.Contains(body, tc.want) {
			t.Errorf("a person on the machine reading %s = %d %.200s", tc.what, status, body)
		}
		if status, body := getBody(t, connection, tc.url); status != http.StatusForbidden || strings.Contains(body, tc.want) {
			t.Errorf("a connection reading %s = %d %.200s, want 403", tc.what, status, body)
		}
	}
}

func getBody(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
