package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app/instance"
)

// TestCommandsWithoutDataOpenNone: commands that need no data leave no
// data folder behind, wherever they are run.
func TestCommandsWithoutDataOpenNone(t *testing.T) {
	for _, args := range [][]string{
		{"version"}, {"connectors"}, {"connectors", "--json"}, {"--help"}, {"serve", "--help"},
		{"completion", "bash"}, {},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := t.TempDir()
			run(t, dir, nil, args...)
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("switchboard %s left %v in the working directory", strings.Join(args, " "), entries)
			}
		})
	}
}

// TestUsersAreListedAndDisabled: user list names each user's role and
// whether it is disabled; user disable and enable switch a user by its
// address in any case, and an address no user has is refused naming it.
func TestUsersAreListedAndDisabled(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, nil, "user", "add", "Bob@example.com", "--password", "a-password-1")
	run(t, dir, nil, "user", "add", "ann@example.com", "--role", "admin", "--password", "a-password-2")
	if out := run(t, dir, nil, "user", "disable", "bob@EXAMPLE.com"); !strings.Contains(out, "Bob@example.com is disabled.") {
		t.Fatalf("user disable said %s", out)
	}
	out := run(t, dir, nil, "user", "list")
	if !strings.Contains(out, "ann@example.com\tadmin\nBob@example.com\tviewer\tdisabled\n") {
		t.Fatalf("user list said %s", out)
	}
	run(t, dir, nil, "user", "enable", "Bob@example.com")
	if out := run(t, dir, nil, "user", "list"); !strings.Contains(out, "Bob@example.com\tviewer\n") {
		t.Fatalf("user list after enable said %s", out)
	}
	cmd := exec.Command(binary, "user", "disable", "nobody@example.com")
	cmd.Dir, cmd.Env = dir, cleanEnv()
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "no user has the e-mail address nobody@example.com") {
		t.Fatalf("disabling an unknown user: %v %s", err, out)
	}
}

// TestAnUnknownSubcommandOpensNoData: a command that groups others, called
// alone or with a subcommand it does not know (a "user lst" for a
// "user list"), is refused or prints its help, and makes no data folder.
func TestAnUnknownSubcommandOpensNoData(t *testing.T) {
	for _, args := range [][]string{
		{"user"}, {"user", "lst"}, {"demo", "instal"}, {"secrets", "rotat"}, {"superuser", "bogus"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(binary, args...)
			cmd.Dir, cmd.Env = dir, cleanEnv()
			_ = cmd.Run() // a subcommand it does not know exits 1, the help 0
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("switchboard %s left %v in the working directory", strings.Join(args, " "), entries)
			}
		})
	}
}

// TestHelpDescribesSwitchboardsFlags: --dir names every place the data
// folder is found, and serve's --origins the application URL it allows
// by default, not PocketBase's "*".
func TestHelpDescribesSwitchboardsFlags(t *testing.T) {
	for _, tt := range []struct {
		args      []string
		says, not string
	}{
		{[]string{"--help"}, "the data folder; without it SWITCHBOARD_DIR, a packaged install's, or ./sb_data", "PocketBase data directory"},
		{[]string{"serve", "--help"}, "without it SWITCHBOARD_ORIGINS, else the application URL only", "(default [*])"},
	} {
		out := run(t, t.TempDir(), nil, tt.args...)
		if !strings.Contains(out, tt.says) || strings.Contains(out, tt.not) {
			t.Errorf("switchboard %s says\n%s\nwant %q, not %q", strings.Join(tt.args, " "), out, tt.says, tt.not)
		}
	}
}

// packagedInstall makes an environment file that names a data folder
// outside the working directory, as a packaged install's does.
func packagedInstall(t *testing.T) (envFile, dataDir string) {
	t.Helper()
	etc, state := t.TempDir(), t.TempDir()
	dataDir = filepath.Join(state, "sb_data")
	envFile = filepath.Join(etc, "switchboard.env")
	text := "# the service's settings\nSWITCHBOARD_HTTP=127.0.0.1:8090\nSWITCHBOARD_DIR=\"" + dataDir + "\"\n"
	if err := os.WriteFile(envFile, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return envFile, dataDir
}

// TestCommandsUseTheServiceData: on a packaged install a command run in
// any folder acts on the service's data folder and says so.
func TestCommandsUseTheServiceData(t *testing.T) {
	envFile, dataDir := packagedInstall(t)
	if err := os.Mkdir(dataDir, 0o700); err != nil { // as the service makes it on its first start
		t.Fatal(err)
	}
	cwd := t.TempDir()
	out := run(t, cwd, []string{"SWITCHBOARD_ENV_FILE=" + envFile}, "superuser", "upsert", "root@example.com", password)
	if want := `msg="data folder" path=` + dataDir + " from=" + envFile; !strings.Contains(out, want) {
		t.Fatalf("output lacks %q:\n%s", want, out)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "data.db")); err != nil {
		t.Fatalf("the service's data folder has no database: %v", err)
	}
	if entries, _ := os.ReadDir(cwd); len(entries) != 0 {
		t.Fatalf("the command wrote %v in the working directory", entries)
	}
	// --dir still wins, and says so.
	out = run(t, cwd, []string{"SWITCHBOARD_ENV_FILE=" + envFile}, "user", "add", "v@example.com", "--dir", "mine")
	if !strings.Contains(out, "from=--dir") {
		t.Fatalf("output does not say the folder came from --dir:\n%s", out)
	}
}

// nobody is a user id that owns no file of the test's.
const nobody = 65534

// TestRootActsAsTheDataOwner: run by root, a command switches to the
// owner of the data folder, so that the service can still open every file
// it leaves; a data folder the service has not made yet is refused.
func TestRootActsAsTheDataOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	envFile, dataDir := packagedInstall(t)
	state := filepath.Dir(dataDir)
	for _, dir := range []string{state, filepath.Dir(state)} { // the owner must reach its folder
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"SWITCHBOARD_ENV_FILE=" + envFile}
	cmd := exec.Command(binary, "user", "add", "a@example.com", "--role", "admin")
	cmd.Dir, cmd.Env = t.TempDir(), append(cleanEnv(), env...)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "does not exist yet") {
		t.Fatalf("a command on a data folder the service has not made ran: %v\n%s", err, out)
	}
	if err := os.Mkdir(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dataDir, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	out := run(t, t.TempDir(), env, "user", "add", "a@example.com", "--role", "admin")
	if !strings.Contains(out, "user=nobody") {
		t.Fatalf("output does not name the user the command ran as:\n%s", out)
	}
	entries, err := os.ReadDir(dataDir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("no files in the data folder: %v", err)
	}
	for _, e := range entries {
		info, _ := os.Stat(filepath.Join(dataDir, e.Name()))
		if st := info.Sys().(*syscall.Stat_t); st.Uid != nobody {
			t.Errorf("%s is owned by user %d, not by the data folder's owner %d", e.Name(), st.Uid, nobody)
		}
	}
}

// TestLogsGoToStderr: the appliance's messages reach standard error (and
// so the journal), as text or, by a setting, as JSON; as JSON, every line
// it prints is JSON, from the data folder's to the last at a stop. Neither
// carries PocketBase's installer link, whose token creates a superuser.
func TestLogsGoToStderr(t *testing.T) {
	for _, tc := range []struct {
		format string
		want   []string
	}{
		{"", []string{`level=INFO msg="generated a new secret key; back it up with the data folder"`,
			`msg="data folder"`, "Server started at", `msg="no superuser yet`, `msg=stopping signal=terminated`}},
		{"json", []string{`"msg":"generated a new secret key; back it up with the data folder"`,
			`"msg":"data folder"`, `"msg":"server started","address":"http://127.0.0.1:`,
			`"msg":"stopping","signal":"terminated"`}},
	} {
		t.Run("format "+tc.format, func(t *testing.T) {
			a := serve(t, t.TempDir(), []string{"SWITCHBOARD_LOG_FORMAT=" + tc.format})
			// PocketBase hints at the first superuser after its start
			a.waitForOutput(t, "no superuser yet")
			a.stop()
			out := a.output.String()
			if strings.Contains(out, "pbinstall") { // its token creates a superuser
				t.Errorf("the output, no terminal, carries PocketBase's installer link:\n%s", out)
			}
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("the output lacks %q:\n%s", want, out)
				}
			}
			if tc.format != "json" {
				return
			}
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if !json.Valid([]byte(line)) {
					t.Errorf("a line is not JSON: %q", line)
				}
			}
		})
	}
}

// TestFailedCommandsExitWithAnError: a command that fails exits with
// status 1 and says why on standard error, whether it opens the data
// (user add), works on the folder (restore) or serves (an address in use),
// so that scripts and systemd's Restart=on-failure see the failure.
func TestFailedCommandsExitWithAnError(t *testing.T) {
	dir := t.TempDir()
	busy := serve(t, dir, nil, "--dir", filepath.Join(dir, "first"))
	tests := []struct {
		name string
		args []string
		says string
	}{
		{"a refused argument", []string{"user", "add", "x@example.com", "--role", "bad", "--dir", "data"}, `unknown role "bad"`},
		{"an unknown migrate command", []string{"migrate", "bogus", "--dir", "data"}, "bogus"},
		{"an unknown demo command", []string{"demo", "instal", "--dir", "data"}, `unknown command "instal" for "switchboard demo"`},
		{"an unknown secrets command", []string{"secrets", "rotat", "--dir", "data"}, `unknown command "rotat" for "switchboard secrets"`},
		{"an unknown user command", []string{"user", "ad", "x@example.com", "--dir", "data"}, `unknown command "ad" for "switchboard user"`},
		{"an unknown superuser command", []string{"superuser", "bogus", "--dir", "data"}, `unknown command "bogus" for "switchboard superuser"`},
		{"a restore of no archive", []string{"restore", "missing.tar.gz", "--dir", "data"}, "missing.tar.gz"},
		{"an address in use", []string{"serve", "--http", strings.TrimPrefix(busy.base, "http://"), "--dir", "second"}, "address already in use"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(binary, tt.args...)
			cmd.Dir, cmd.Env = dir, cleanEnv()
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("ended with %v, want exit status 1\n%s%s", err, stdout.String(), stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.says) || strings.Contains(stdout.String(), "Error") {
				t.Fatalf("stderr %q, stdout %q: want the error on stderr only", stderr.String(), stdout.String())
			}
		})
	}
}

// TestABackupToStandardOutputIsOnlyTheArchive: "backup -" writes the
// archive alone to standard output; what it says goes to standard error.
func TestABackupToStandardOutputIsOnlyTheArchive(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, nil, "user", "add", "a@example.com", "--role", "admin", "--dir", "data")
	cmd := exec.Command(binary, "backup", "-", "--dir", "data")
	cmd.Dir, cmd.Env = dir, cleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("backup -: %v\n%s", err, stderr.String())
	}
	zr, err := gzip.NewReader(&stdout)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		t.Fatalf("the archive on standard output: %v", err)
	}
	if rest, _ := io.ReadAll(&stdout); len(rest) > 0 {
		t.Fatalf("%d bytes after the archive: %q", len(rest), rest)
	}
	if !strings.Contains(stderr.String(), "Backed up") {
		t.Fatalf("stderr %q", stderr.String())
	}
}

// TestADataFolderItsOwnerCannotWriteIsRefused: run by root, a command
// acts as the data folder's owner; a folder that owner cannot write is
// refused with the folder and the user named, instead of SQLite's
// "unable to open database file (14)".
func TestADataFolderItsOwnerCannotWriteIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	parent := t.TempDir()
	for _, dir := range []string{parent, filepath.Dir(parent)} { // the owner must reach its folder
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dataDir := filepath.Join(parent, "data")
	if err := os.Mkdir(dataDir, 0o500); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dataDir, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "user", "add", "a@example.com", "--role", "admin", "--dir", dataDir)
	cmd.Dir, cmd.Env = parent, cleanEnv()
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "cannot be written by user") ||
		!strings.Contains(string(out), dataDir) {
		t.Fatalf("= %v\n%s", err, out)
	}
}

// TestADataFileItsOwnerCannotOpenIsNamed: a data folder given to the
// service's user whose databases a command run by root had made root's is
// refused naming the file and the user, instead of SQLite's "unable to
// open database file (14)".
func TestADataFileItsOwnerCannotOpenIsNamed(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	parent := t.TempDir()
	for _, dir := range []string{parent, filepath.Dir(parent)} { // the owner must reach its folder
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dataDir := filepath.Join(parent, "data")
	run(t, parent, nil, "user", "add", "a@example.com", "--dir", dataDir) // as root: the files are root's
	if err := os.Chown(dataDir, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "user", "add", "b@example.com", "--dir", dataDir)
	cmd.Dir, cmd.Env = parent, cleanEnv()
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "cannot be opened by user nobody") ||
		!strings.Contains(string(out), filepath.Join(dataDir, "auxiliary.db")) {
		t.Fatalf("= %v\n%s", err, out)
	}
}

// TestASecondServeChangesNothing: a serve refused because another
// appliance serves its data folder (a newer build started beside the
// running one) applied its migrations to that folder first, changing the
// schema under the running appliance; the lock is now taken before them.
func TestASecondServeChangesNothing(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, nil, "user", "add", "a@example.com", "--dir", "data")
	data := filepath.Join(dir, "data")
	// The folder as an older build left it: without the last migration.
	sqlExec(t, filepath.Join(data, "data.db"), "DROP TABLE ui_sessions", "DELETE FROM _migrations WHERE file LIKE '1766500000%'")
	unlock, err := instance.Lock(data) // as the running appliance holds it
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	cmd := exec.Command(binary, "serve", "--http", freeAddr(t), "--dir", "data")
	cmd.Dir, cmd.Env = dir, cleanEnv()
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "another Switchboard serves it") {
		t.Fatalf("a second serve = %v\n%s", err, out)
	}
	db, err := core.DefaultDBConnect(filepath.Join(data, "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var applied int
	if err := db.NewQuery("SELECT COUNT(*) FROM _migrations WHERE file LIKE '1766500000%'").Row(&applied); err != nil || applied != 0 {
		t.Fatalf("the refused serve applied a migration to the running appliance's folder (%d, %v)", applied, err)
	}
}

// sqlExec runs statements on a database file.
func sqlExec(t *testing.T, path string, statements ...string) {
	t.Helper()
	db, err := core.DefaultDBConnect(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range statements {
		if _, err := db.NewQuery(s).Execute(); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestAFolderANewerBuildMigratedIsRefused: an older build started on a
// data folder that a newer build has migrated ran on a schema it does not
// know. Every command that opens the data now stops before it changes
// anything, naming the folder, the migrations it does not know and what
// to do; the same folder without them (an older one, PocketBase's own
// migrations in it) is upgraded as before.
func TestAFolderANewerBuildMigratedIsRefused(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, nil, "user", "add", "a@example.com", "--dir", "data")
	data := filepath.Join(dir, "data")
	dbPath := filepath.Join(data, "data.db")
	const newer = "1799999999_a_newer_feature.go"
	// An older build's folder (without the last migration) that a newer
	// build then migrated: the check comes before any migration.
	sqlExec(t, dbPath, "DROP TABLE ui_sessions", "DELETE FROM _migrations WHERE file LIKE '1766500000%'",
		"INSERT INTO _migrations (file, applied) VALUES ('"+newer+"', 1)")
	for _, args := range [][]string{
		{"serve", "--http", freeAddr(t)},
		{"user", "add", "b@example.com"},
		{"superuser", "upsert", "root@example.com", password},
		{"secrets", "rotate"},
	} {
		t.Run(args[0], func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a serve that starts ends here
			defer cancel()
			cmd := exec.CommandContext(ctx, binary, append(args, "--dir", "data")...)
			cmd.Dir, cmd.Env = dir, cleanEnv()
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("switchboard %s on a newer folder = %v, want exit status 1\n%s", args[0], err, out)
			}
			for _, want := range []string{data, newer, "newer build", "restore a backup made by this version"} {
				if !strings.Contains(string(out), want) {
					t.Errorf("the refusal does not say %q:\n%s", want, out)
				}
			}
			if strings.Contains(string(out), "1640988000") {
				t.Errorf("PocketBase's own migrations are named as unknown:\n%s", out)
			}
		})
	}
	// Its backup is taken, and refused by restore: this build would not serve it.
	archive := filepath.Join(dir, "newer.tar.gz")
	run(t, dir, nil, "backup", archive, "--dir", "data")
	cmd := exec.Command(binary, "restore", archive, "--dir", "other")
	cmd.Dir, cmd.Env = dir, cleanEnv()
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), newer) {
		t.Fatalf("restore of a newer build's backup = %v\n%s", err, out)
	}
	if n := countRows(t, dbPath, "SELECT COUNT(*) FROM _migrations WHERE file LIKE '1766500000%'"); n != 0 {
		t.Fatalf("a refused command applied a migration to the newer folder")
	}
	if n := countRows(t, dbPath, "SELECT COUNT(*) FROM users WHERE email = 'b@example.com'"); n != 0 {
		t.Fatalf("a refused command added a user to the newer folder")
	}
	// Without the newer migration it is an older folder: serve upgrades it.
	sqlExec(t, dbPath, "DELETE FROM _migrations WHERE file = '"+newer+"'")
	a := serve(t, dir, nil, "--dir", "data")
	a.stop()
	if n := countRows(t, dbPath, "SELECT COUNT(*) FROM _migrations WHERE file LIKE '1766500000%'"); n != 1 {
		t.Fatalf("serve did not upgrade an older folder:\n%s", a.output.String())
	}
}

// countRows runs a COUNT query on a database file.
func countRows(t *testing.T, path, query string) int {
	t.Helper()
	db, err := core.DefaultDBConnect(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.NewQuery(query).Row(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestAMisspelledSettingIsNamed: a SWITCHBOARD_ variable of the
// environment file that Switchboard does not know (a misspelt
// SWITCHBOARD_WORKER for SWITCHBOARD_WORKERS) was ignored without a word,
// the setting left at its default. It is now named, with the file; the
// settings it knows, and SWITCHBOARD_HTTP that the service's unit reads,
// are not.
func TestAMisspelledSettingIsNamed(t *testing.T) {
	envFile, dataDir := packagedInstall(t)
	f, err := os.OpenFile(envFile, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("SWITCHBOARD_WORKER=8\nSWITCHBOARD_RETRY_MAX=1h\n")
	_ = f.Close()
	if err := os.Mkdir(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	out := run(t, t.TempDir(), []string{"SWITCHBOARD_ENV_FILE=" + envFile}, "user", "add", "a@example.com")
	if !strings.Contains(out, "SWITCHBOARD_WORKER") || !strings.Contains(out, envFile) {
		t.Fatalf("the misspelt setting is not named with its file:\n%s", out)
	}
	for _, known := range []string{"SWITCHBOARD_HTTP", "SWITCHBOARD_DIR", "SWITCHBOARD_RETRY_MAX"} {
		if strings.Contains(out, "variable="+known) {
			t.Errorf("the known setting %s is named as unknown:\n%s", known, out)
		}
	}
}

// TestThePackagedSettingsAreKnown: every variable the packaged
// environment file lists, commented out or not, is a known setting.
func TestThePackagedSettingsAreKnown(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("packaging", "switchboard.env"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		name, _, ok := strings.Cut(strings.TrimLeft(line, "#; "), "=")
		if ok && strings.HasPrefix(name, "SWITCHBOARD_") && !slices.Contains(knownSettings, name) {
			t.Errorf("packaging/switchboard.env lists %s, which is not in knownSettings", name)
		}
	}
}

// TestAFilesRootTheServiceCannotReachIsNamed: a files root behind a folder
// the service's user may not enter (a home folder the packaged unit hides)
// is refused at the start naming the files root, the folder in the way and
// the user, instead of "mkdir ...: permission denied".
func TestAFilesRootTheServiceCannotReachIsNamed(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	parent := t.TempDir()
	for _, dir := range []string{parent, filepath.Dir(parent)} { // the user must reach its data folder
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dataDir, closed := filepath.Join(parent, "data"), filepath.Join(parent, "closed")
	if err := os.Mkdir(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dataDir, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(closed, 0o000); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(closed, "exchange")
	bin := filepath.Join(parent, "switchboard") // the build's folder is root's alone
	if data, err := os.ReadFile(binary); err != nil || os.WriteFile(bin, data, 0o755) != nil {
		t.Fatalf("copying the binary: %v", err)
	}
	cmd := exec.Command(bin, "serve", "--http", freeAddr(t), "--dir", dataDir)
	cmd.Dir, cmd.Env = dataDir, append(cleanEnv(), "SWITCHBOARD_FILES_ROOT="+root)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a := &appliance{cmd: cmd, output: out}
	t.Cleanup(a.stop)
	a.waitForOutput(t, "local file connections cannot work")
	want := "the files root " + root + " (SWITCHBOARD_FILES_ROOT) cannot be used: " + closed + " is closed to the user nobody"
	if !strings.Contains(out.String(), want) {
		t.Fatalf("the start does not say %q:\n%s", want, out)
	}
}
