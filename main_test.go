package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the switchboard executable built once for every test here.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "switchboard-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "switchboard")
	build := exec.Command("go", "build", "-o", binary, "-ldflags", "-X main.version=v0.0.0-test", ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building switchboard:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// appliance is a running `switchboard serve`.
type appliance struct {
	cmd    *exec.Cmd
	base   string
	output *syncBuffer
}

// syncBuffer collects a child's output safely.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// run runs a switchboard command in dir and returns its combined output.
func run(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("switchboard %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// cleanEnv is the test process's environment without the settings that
// would point the binary at another data folder or key, and without a
// packaged install's environment file.
func cleanEnv() []string {
	env := []string{"SWITCHBOARD_ENV_FILE=none"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SWITCHBOARD_SECRET_KEY") && !strings.HasPrefix(kv, "SWITCHBOARD_DIR=") &&
			!strings.HasPrefix(kv, "SWITCHBOARD_ENV_FILE=") {
			env = append(env, kv)
		}
	}
	return env
}

// serve starts the appliance in dir and waits until it answers.
func serve(t testing.TB, dir string, env []string, args ...string) *appliance {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(binary, append([]string{"serve", "--http", addr}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), env...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a := &appliance{cmd: cmd, base: "http://" + addr, output: out}
	t.Cleanup(a.stop)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(a.base + "/api/health"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return a
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("switchboard did not answer on %s:\n%s", addr, out.String())
	return nil
}

// waitForOutput waits until the appliance has printed want.
func (a *appliance) waitForOutput(t testing.TB, want string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(a.output.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the appliance never printed %q:\n%s", want, a.output.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (a *appliance) stop() {
	if a.cmd.ProcessState != nil {
		return
	}
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- a.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = a.cmd.Process.Kill()
		<-done
	}
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// call makes a JSON API call and decodes the answer into out (when not nil).
func (a *appliance) call(t testing.TB, method, path, token string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, a.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, data)
		}
	}
	return res.StatusCode
}

func (a *appliance) login(t testing.TB, email, password string) string {
	t.Helper()
	var auth struct {
		Token string `json:"token"`
	}
	status := a.call(t, http.MethodPost, "/api/collections/users/auth-with-password", "",
		map[string]string{"identity": email, "password": password}, &auth)
	if status != http.StatusOK || auth.Token == "" {
		t.Fatalf("login %s: %d", email, status)
	}
	return auth.Token
}

func urlQuery(s string) string { return url.QueryEscape(s) }
