package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/app/secrets"
)

const password = "Passw0rd!123"

func TestServeOnAFreshFolder(t *testing.T) {
	dir := t.TempDir()
	a := serve(t, dir, nil)
	for _, tc := range []struct{ path, want string }{
		{"/api/health", "API is healthy"},
		{"/", "Switchboard"},
		{"/_/", "<html"},
		{"/static/switchboard.css", "--accent"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res, err := http.Get(a.base + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK || !strings.Contains(string(body), tc.want) {
				t.Fatalf("GET %s = %d, body lacks %q", tc.path, res.StatusCode, tc.want)
			}
		})
	}
	info, err := os.Stat(filepath.Join(dir, "sb_data", secrets.KeyFileName))
	if err != nil {
		t.Fatalf("the data folder is not ./sb_data in the working directory: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", info.Mode().Perm())
	}
	assertPrivate(t, filepath.Join(dir, "sb_data"))
}

// assertPrivate checks that the data folder and its database files are
// its owner's only: they hold every connection's sealed secrets.
func assertPrivate(t *testing.T, dataDir string) {
	t.Helper()
	info, err := os.Stat(dataDir)
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("data folder mode %v (%v), want 0700", info.Mode().Perm(), err)
	}
	files, _ := filepath.Glob(filepath.Join(dataDir, "*.db*"))
	if len(files) == 0 {
		t.Fatal("no database files in the data folder")
	}
	for _, f := range files {
		if info, err := os.Stat(f); err == nil && info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", filepath.Base(f), info.Mode().Perm())
		}
	}
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	if out := run(t, dir, nil, "version"); !strings.Contains(out, "switchboard v0.0.0-test") {
		t.Fatalf("version printed %q", out)
	}
	if out := run(t, dir, nil, "connectors"); !strings.Contains(out, "memory") || !strings.Contains(out, "store*") {
		t.Fatalf("connectors printed %q", out)
	}
	if out := run(t, dir, nil, "connectors", "--json"); !strings.Contains(out, `"name": "memory"`) {
		t.Fatalf("connectors --json printed %q", out)
	}
	out := run(t, dir, nil, "user", "add", "ops@example.com", "--role", "operator")
	if !strings.Contains(out, "Added ops@example.com as operator") || !strings.Contains(out, "Password: ") {
		t.Fatalf("user add printed %q", out)
	}
	generated := strings.TrimSpace(out[strings.Index(out, "Password: ")+len("Password: "):])
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	a := serve(t, dir, nil)
	token := a.login(t, "ops@example.com", generated)
	var me struct {
		Items []struct {
			Role string `json:"role"`
		} `json:"items"`
	}
	a.call(t, http.MethodGet, "/api/collections/users/records", token, nil, &me)
	if len(me.Items) != 1 || me.Items[0].Role != "operator" {
		t.Fatalf("users as operator = %+v", me)
	}
}

// TestBadEnvironmentStopsTheStart: a mistyped engine setting stops the
// appliance at once with an error naming the variable, its value and what
// is expected, instead of running with the default.
func TestBadEnvironmentStopsTheStart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a start that goes on is killed
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "serve", "--http", freeAddr(t))
	cmd.Dir = t.TempDir()
	cmd.Env = append(cleanEnv(), "SWITCHBOARD_WORKERS=abc", "SWITCHBOARD_RETRY_BASE=5")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || ctx.Err() != nil {
		t.Fatalf("serve with a bad environment ended with %v; want exit status 1\n%s", err, out)
	}
	for _, want := range []string{"SWITCHBOARD_WORKERS=abc: want a whole number",
		"SWITCHBOARD_RETRY_BASE=5: want a duration above zero with its unit"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestWrongSecretKeyAtStart(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, nil, "user", "add", "ed@example.com", "--role", "editor", "--password", password)

	first := serve(t, dir, nil)
	token := first.login(t, "ed@example.com", password)
	var conn struct {
		ID string `json:"id"`
	}
	status := first.call(t, http.MethodPost, "/api/collections/connections/records", token, map[string]any{
		"name": "Shop", "connector": "memory", "config": map[string]any{"store": "e2e"},
		"secrets": map[string]any{"token": "hunter2-e2e"},
	}, &conn)
	if status != http.StatusOK {
		t.Fatalf("creating connection: %d", status)
	}
	first.stop()
	stored := readDataFiles(t, dir)

	other, _ := secrets.GenerateKey()
	wrong := serve(t, dir, []string{secrets.EnvKey + "=" + other.String()})
	if !strings.Contains(wrong.output.String(), "WILL NOT RUN FLOWS") ||
		!strings.Contains(wrong.output.String(), "is not the key this data folder's secrets were sealed with") {
		t.Fatalf("start-up output does not say what is wrong:\n%s", wrong.output.String())
	}
	assertPublicStatusTellsNothing(t, wrong)
	token = wrong.login(t, "ed@example.com", password)
	var st struct {
		FlowsReady bool   `json:"flows_ready"`
		Problem    string `json:"problem"`
	}
	wrong.call(t, http.MethodGet, "/api/switchboard/status", token, nil, &st)
	if st.FlowsReady || st.Problem == "" {
		t.Fatalf("status under a wrong key = %+v", st)
	}
	if status := wrong.call(t, http.MethodPatch, "/api/collections/connections/records/"+conn.ID, token,
		map[string]any{"secrets": map[string]any{"token": "new"}}, nil); status != http.StatusServiceUnavailable {
		t.Fatalf("saving a secret under a wrong key = %d, want 503", status)
	}
	var verdict struct {
		OK bool `json:"ok"`
	}
	wrong.call(t, http.MethodPost, "/api/switchboard/connections/"+conn.ID+"/test", token, nil, &verdict)
	if verdict.OK {
		t.Fatal("connection test passed under a wrong key")
	}
	wrong.stop()

	right := serve(t, dir, nil)
	token = right.login(t, "ed@example.com", password)
	right.call(t, http.MethodPost, "/api/switchboard/connections/"+conn.ID+"/test", token, nil, &verdict)
	if !verdict.OK {
		t.Fatalf("with the right key again the connection does not open: %s", right.output.String())
	}
	right.stop()
	if !strings.Contains(stored, "sb1:") {
		t.Fatal("the sealed secret is not in the data folder")
	}
	if all := readDataFiles(t, dir); strings.Contains(all, "hunter2-e2e") {
		t.Fatal("a secret is stored or logged in plain text in the data folder")
	}
	if strings.Contains(right.output.String()+wrong.output.String()+first.output.String(), "hunter2-e2e") {
		t.Fatal("a secret reached the output")
	}
}

// readDataFiles returns the data folder's files (databases and their WAL
// logs included) as one string, to search for what must not be there.
func readDataFiles(t *testing.T, dir string) string {
	t.Helper()
	var all strings.Builder
	err := filepath.Walk(filepath.Join(dir, "sb_data"), func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		all.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return all.String()
}

// TestDemoRunsAtFirstStart: `serve --demo` on a fresh folder shows real
// transactions within a minute, one of them failing on a bad row.
func TestDemoRunsAtFirstStart(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	a := serve(t, dir, nil, "--demo")
	token := a.superuser(t)
	waitFor(t, "the demo's transactions", func() bool {
		return a.count(t, token, "status='succeeded'") >= 14 && a.count(t, token, "status='failed'") == 1
	})
	var failed struct {
		Items []struct {
			Key   string `json:"key"`
			Error string `json:"error"`
		} `json:"items"`
	}
	a.call(t, http.MethodGet, "/api/collections/transactions/records?filter="+urlQuery("status='failed'"), token, nil, &failed)
	if len(failed.Items) != 1 || !strings.Contains(failed.Items[0].Error, "prices.cost") {
		t.Fatalf("failed transactions %+v; want the bad row, naming its field", failed.Items)
	}
	outbox, err := filepath.Glob(filepath.Join(dir, "sb_data", "files", "demo", "shop", "outbox", "*.xml"))
	if err != nil || len(outbox) == 0 {
		t.Fatalf("no XML file for the shop: %v", err)
	}
}

// assertPublicStatusTellsNothing: visitors who have not signed in learn
// that the appliance needs attention, and not which key it needs or where.
func assertPublicStatusTellsNothing(t *testing.T, a *appliance) {
	t.Helper()
	for _, path := range []string{"/", "/api/switchboard/status"} {
		res, err := http.Get(a.base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(body), "needs attention") || strings.Contains(string(body), "secret.key") ||
			strings.Contains(string(body), "key ") || strings.Contains(string(body), secrets.EnvKey) {
			t.Errorf("GET %s as a visitor = %d %s", path, res.StatusCode, body)
		}
	}
}
