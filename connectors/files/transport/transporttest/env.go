package transporttest

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
)

// RequireEnv returns the named environment variables of an integration
// test server. When one is missing the test is skipped, unless
// SWITCHBOARD_REQUIRE_IT=1 (set by CI), where a missing server fails it.
// The .ci/servers scripts print the variables.
func RequireEnv(t testing.TB, names ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range names {
		v := os.Getenv(n)
		if v == "" {
			if os.Getenv("SWITCHBOARD_REQUIRE_IT") == "1" {
				t.Fatalf("%s is not set and SWITCHBOARD_REQUIRE_IT=1: start the servers with .ci/servers/*.sh", n)
			}
			t.Skipf("%s is not set: start the test servers with .ci/servers/*.sh", n)
		}
		out[n] = v
	}
	return out
}

// UniqueName returns a folder name no other test run uses.
func UniqueName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}
