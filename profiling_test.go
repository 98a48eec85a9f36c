package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestProfilesServedOnLoopback: with SWITCHBOARD_PPROF set to a loopback
// address, serve answers Go's profiles there.
func TestProfilesServedOnLoopback(t *testing.T) {
	addr := freeAddr(t)
	serve(t, t.TempDir(), []string{"SWITCHBOARD_PPROF=" + addr})
	res, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine profile") {
		t.Fatalf("status %d, body %.200s", res.StatusCode, body)
	}
}

// TestProfilesRefusedElsewhere: an address that is not loopback stops the
// start, naming the setting, instead of opening the profiles to a network.
func TestProfilesRefusedElsewhere(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a start that goes on is killed
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "serve", "--http", freeAddr(t))
	cmd.Dir = t.TempDir()
	cmd.Env = append(cleanEnv(), "SWITCHBOARD_PPROF=0.0.0.0:6060")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || ctx.Err() != nil {
		t.Fatalf("serve with profiles on every address ended with %v; want exit status 1\n%s", err, out)
	}
	if want := "SWITCHBOARD_PPROF=0.0.0.0:6060: the profiles are served on loopback only"; !strings.Contains(string(out), want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}
