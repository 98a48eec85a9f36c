package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jftp "github.com/jlaffaye/ftp"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
	"github.com/switchboard-app/switchboard/connectors/files/transport/ftp"
	"github.com/switchboard-app/switchboard/connectors/files/transport/sftp"
	"github.com/switchboard-app/switchboard/connectors/files/transport/transporttest"
	"github.com/switchboard-app/switchboard/connectors/httpjson/fake"
)

// The file crash test's size, scaled down from the 10,000 records and 20
// kills of a manual run so that CI stays short on two cores:
// SWITCHBOARD_CRASH_RECORDS and SWITCHBOARD_CRASH_KILLS set them.
const (
	crashRecords = 2000
	crashKills   = 8
)

// fileTarget is one file target of the crash test: the connection it is
// written through and how to read what it holds afterwards.
type fileTarget struct {
	name    string
	config  map[string]any
	secrets map[string]any
	options map[string]any                         // the flow's target options
	open    func(t *testing.T) transport.Transport // on the folder the flow writes
}

// TestCrashWritesEachRecordToFileTargetsOnce kills the appliance with
// SIGKILL at random moments while it writes the same records to a folder
// (a file per run and a file per record), an FTP and an SFTP target,
// restarts it, and checks that every target holds every record exactly
// once, with no temporary file and no local buffer left.
func TestCrashWritesEachRecordToFileTargetsOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test runs the binary for a while")
	}
	records, kills := envCount(t, "SWITCHBOARD_CRASH_RECORDS", crashRecords), envCount(t, "SWITCHBOARD_CRASH_KILLS", crashKills)
	shop := fake.New()
	for i := range records {
		shop.Seed("products", map[string]any{"id": fmt.Sprint(i), "sku": fmt.Sprintf("SKU-%05d", i), "name": "Chair"})
	}
	srv := httptest.NewServer(shop)
	defer srv.Close()

	dir := t.TempDir()
	dataDir := filepath.Join(dir, "sb_data")
	targets := crashTargets(t, dataDir)
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	env := []string{"SWITCHBOARD_FLUSH_RECORDS=300", "SWITCHBOARD_FLUSH_AGE=500ms"} // many flushes, many windows to die in
	a := serve(t, dir, env)
	token := a.superuser(t)
	shopConn := a.create(t, token, "connections", map[string]any{"name": "Shop", "connector": "http", "config": map[string]any{"base_url": srv.URL}})
	flows := setUpFileFlows(t, a, token, func(fileTarget) string { return shopConn }, nil, targets)
	crashAndCheck(t, a, token, dir, dataDir, env, flows, targets, records, kills)
}

// TestCrashWritesEachRowOfAFileToFileTargetsOnce is the crash test with a
// CSV file as each flow's source: its pages go to the target unstored and
// are stored with their outcomes (app/deferred.go), two pages to a flush,
// and a kill at any moment still leaves each row in each target once.
func TestCrashWritesEachRowOfAFileToFileTargetsOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test runs the binary for a while")
	}
	rows, kills := envCount(t, "SWITCHBOARD_CRASH_FILE_ROWS", 6000), envCount(t, "SWITCHBOARD_CRASH_KILLS", crashKills)
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "sb_data")
	targets := crashTargets(t, dataDir)
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	env := []string{"SWITCHBOARD_FLUSH_RECORDS=2000", "SWITCHBOARD_FLUSH_AGE=500ms"} // pages of 1,000 rows, two to a flush
	a := serve(t, dir, env)
	token := a.superuser(t)
	source := func(tg fileTarget) string {
		folder := "in-" + tg.name
		writeCrashCSV(t, filepath.Join(dataDir, "files", folder, "products.csv"), rows)
		return a.create(t, token, "connections", map[string]any{"name": "Supplier for " + tg.name, "connector": "folder",
			"config": map[string]any{"folder": folder}})
	}
	csvFlow := map[string]any{
		"mapping": map[string]any{
			"in":  []map[string]any{{"target": "sku", "expr": "sku"}, {"target": "name", "expr": "name"}},
			"out": []map[string]any{{"target": "sku", "expr": "sku"}, {"target": "name", "expr": "name"}},
		},
		"source": map[string]any{"format": "csv", "key_field": "sku", "settle_time": "0s"},
	}
	flows := setUpFileFlows(t, a, token, source, csvFlow, targets)
	crashAndCheck(t, a, token, dir, dataDir, env, flows, targets, rows, kills)
}

// writeCrashCSV writes a product CSV of n rows, SKU-00000 on, settled long
// ago.
func writeCrashCSV(t *testing.T, name string, n int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("sku,name\n")
	for i := range n {
		fmt.Fprintf(&b, "SKU-%05d,Chair %d\n", i, i)
	}
	if err := os.WriteFile(name, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(name, old, old); err != nil {
		t.Fatal(err)
	}
}

// crashAndCheck kills the appliance while its flows run, runs them to
// their end, and checks that every target holds each record once.
func crashAndCheck(t *testing.T, a *appliance, token, dir, dataDir string, env, flows []string, targets []fileTarget, records, kills int) {
	t.Helper()
	want := records * len(flows)
	a, token = killRepeatedly(t, a, token, dir, env, flows, want, kills)
	finishRuns(t, a, token, flows, want)
	if failed := a.count(t, token, "status='failed'"); failed > 0 {
		t.Fatalf("%d transactions failed", failed)
	}
	for _, tg := range targets {
		waitFor(t, tg.name+" to hold every record", func() bool { return len(targetSKUs(t, tg)) == records })
		checkExactlyOnce(t, tg, records)
	}
	checkNothingLeft(t, dataDir)
}

// killRepeatedly starts the flows' runs and kills the appliance once a
// random number more transactions succeeded (right after a flush's
// commit, or while writes and flushes go on), kills times, starting it
// again each time, or until every transaction succeeded; it returns the
// last one and its token.
func killRepeatedly(t *testing.T, a *appliance, token, dir string, env, flows []string, want, kills int) (*appliance, string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(2, uint64(time.Now().UnixNano())))
	for kill := range kills {
		for _, f := range flows {
			a.runFlow(t, token, f)
		}
		done := a.count(t, token, "status='succeeded'")
		if done >= want {
			t.Logf("every transaction succeeded before kill %d", kill+1)
			break
		}
		next := min(want, done+1+rng.IntN((want-done)/(kills-kill)+1))
		a.waitFor(t, token, fmt.Sprintf("%d transactions to succeed", next), func() bool { return a.count(t, token, "status='succeeded'") >= next })
		t.Logf("kill %d: SIGKILL after %d transactions succeeded", kill+1, a.count(t, token, "status='succeeded'"))
		a.kill()
		a = serve(t, dir, env)
		token = a.superuser(t)
	}
	return a, token
}

// finishRuns runs the flows until every record went through: a run cut
// off by a kill goes on from its cursor.
func finishRuns(t *testing.T, a *appliance, token string, flows []string, want int) {
	t.Helper()
	for range 10 {
		for _, f := range flows {
			a.runFlow(t, token, f)
		}
		a.waitFor(t, token, "the runs to be written", func() bool {
			return a.count(t, token, "status!='succeeded'") == 0 && a.runsDone(t, token)
		})
		if a.count(t, token, "status='succeeded'") >= want {
			return
		}
	}
}

func envCount(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	var n int
	if _, err := fmt.Sscan(v, &n); err != nil || n < 1 {
		t.Fatalf("%s=%s: want a whole number from 1", name, v)
	}
	return n
}

// crashTargets lists the targets: the folder ones always, FTP and SFTP
// when their test servers are there (or must be: SWITCHBOARD_REQUIRE_IT).
func crashTargets(t *testing.T, dataDir string) []fileTarget {
	local := func(name, mode string) fileTarget {
		folder := filepath.Join(dataDir, "files", name)
		if err := os.MkdirAll(folder, 0o700); err != nil {
			t.Fatal(err)
		}
		return fileTarget{name: name, config: map[string]any{"folder": name},
			options: map[string]any{"format": "ndjson", "write_mode": mode},
			open: func(t *testing.T) transport.Transport {
				tr, err := transport.OpenLocal(connectors.FilesRoot{Dir: filepath.Join(dataDir, "files"), DataDir: dataDir}, name)
				if err != nil {
					t.Fatal(err)
				}
				return tr
			}}
	}
	targets := []fileTarget{local("folder-per-run", "per_run"), local("folder-per-record", "per_record")}
	if tg, ok := ftpTarget(t); ok {
		targets = append(targets, tg)
	}
	if tg, ok := sftpTarget(t); ok {
		targets = append(targets, tg)
	}
	return targets
}

// itEnv returns the test servers' variables, or false when they are not
// set and need not be.
func itEnv(t *testing.T, names ...string) (map[string]string, bool) {
	out := map[string]string{}
	for _, n := range names {
		if out[n] = os.Getenv(n); out[n] == "" {
			if os.Getenv("SWITCHBOARD_REQUIRE_IT") == "1" {
				t.Fatalf("%s is not set: start the test servers (scripts/test.sh does)", n)
			}
			t.Logf("%s is not set: no %s target", n, strings.ToLower(strings.Split(n, "_")[2]))
			return nil, false
		}
	}
	return out, true
}

func ftpTarget(t *testing.T) (fileTarget, bool) {
	env, ok := itEnv(t, "SWITCHBOARD_IT_FTP_ADDR", "SWITCHBOARD_IT_FTP_USER", "SWITCHBOARD_IT_FTP_PASS")
	if !ok {
		return fileTarget{}, false
	}
	host, port, _ := strings.Cut(env["SWITCHBOARD_IT_FTP_ADDR"], ":")
	folder := transporttest.UniqueName("crash-ftp")
	cfg := ftp.Config{Addr: env["SWITCHBOARD_IT_FTP_ADDR"], User: env["SWITCHBOARD_IT_FTP_USER"], Password: env["SWITCHBOARD_IT_FTP_PASS"],
		TLS: ftp.TLSNone, Folder: folder, Timeout: 10 * time.Second}
	return fileTarget{name: "ftp", config: map[string]any{"host": host, "port": atoi(t, port), "username": cfg.User, "tls": "none", "folder": folder},
		secrets: map[string]any{"password": cfg.Password},
		options: map[string]any{"format": "ndjson", "write_mode": "per_run", "create_folders": true},
		open: func(t *testing.T) transport.Transport {
			tr, err := ftp.Dial(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			return tr
		}}, true
}

func sftpTarget(t *testing.T) (fileTarget, bool) {
	env, ok := itEnv(t, "SWITCHBOARD_IT_SFTP_ADDR", "SWITCHBOARD_IT_SFTP_USER", "SWITCHBOARD_IT_SFTP_PASS", "SWITCHBOARD_IT_SFTP_DIR")
	if !ok {
		return fileTarget{}, false
	}
	host, port, _ := strings.Cut(env["SWITCHBOARD_IT_SFTP_ADDR"], ":")
	folder := path.Join(env["SWITCHBOARD_IT_SFTP_DIR"], transporttest.UniqueName("crash-sftp"))
	cfg := sftp.Config{Addr: env["SWITCHBOARD_IT_SFTP_ADDR"], User: env["SWITCHBOARD_IT_SFTP_USER"],
		Password: env["SWITCHBOARD_IT_SFTP_PASS"], Folder: folder, Timeout: 10 * time.Second}
	return fileTarget{name: "sftp", config: map[string]any{"host": host, "port": atoi(t, port), "username": cfg.User, "folder": folder},
		secrets: map[string]any{"password": cfg.Password},
		options: map[string]any{"format": "ndjson", "write_mode": "per_record", "create_folders": true},
		open: func(t *testing.T) transport.Transport {
			tr, err := sftp.Dial(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			return tr
		}}, true
}

func atoi(t *testing.T, s string) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("port %q", s)
	}
	return n
}

// setUpFileFlows makes a flow to each target from the source connection
// that sourceOf returns for it, with extra flow options (source options
// under "source", a mapping under "mapping"), and returns the flows' ids.
func setUpFileFlows(t *testing.T, a *appliance, token string, sourceOf func(fileTarget) string, extra map[string]any, targets []fileTarget) []string {
	t.Helper()
	var flows []string
	for _, tg := range targets {
		shop := sourceOf(tg)
		connector := tg.name
		if strings.HasPrefix(tg.name, "folder") {
			connector = "folder"
		}
		conn := a.create(t, token, "connections", map[string]any{"name": "Files " + tg.name, "connector": connector,
			"config": tg.config, "secrets": tg.secrets})
		integ := a.create(t, token, "integrations", map[string]any{"name": "Shop -> " + tg.name, "a": shop, "b": conn, "enabled": true})
		options := map[string]any{"target": tg.options}
		if extra["source"] != nil {
			options["source"] = extra["source"]
		}
		fields := map[string]any{"integration": integ, "name": "products to " + tg.name,
			"entity": "product", "source": shop, "target": conn, "enabled": true, "schedule": "", "options": options}
		if extra["mapping"] != nil {
			fields["mapping"] = extra["mapping"]
		}
		flows = append(flows, a.create(t, token, "flows", fields))
	}
	return flows
}

// targetSKUs counts the records of the visible files a target holds, by
// SKU.
func targetSKUs(t *testing.T, tg fileTarget) map[string]int {
	t.Helper()
	tr := tg.open(t)
	defer tr.Close()
	ctx := context.Background()
	list, err := tr.List(ctx, ".", "*.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, f := range list {
		if strings.HasPrefix(f.Name, ".") {
			continue
		}
		rc, err := tr.Open(ctx, f.Name)
		if err != nil {
			t.Fatal(err)
		}
		for sc := bufio.NewScanner(rc); sc.Scan(); {
			var rec map[string]any
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatalf("%s in %s: %v", f.Name, tg.name, err)
			}
			seen[fmt.Sprint(rec["sku"])]++
		}
		_ = rc.Close()
	}
	return seen
}

// checkExactlyOnce checks that a target holds each record once and no
// temporary file.
func checkExactlyOnce(t *testing.T, tg fileTarget, records int) {
	t.Helper()
	seen := targetSKUs(t, tg)
	total := 0
	for i := range records {
		sku := fmt.Sprintf("SKU-%05d", i)
		if seen[sku] != 1 {
			t.Errorf("%s holds %s %d times", tg.name, sku, seen[sku])
		}
		total += seen[sku]
	}
	if len(seen) != records || total != records {
		t.Fatalf("%s holds %d records of %d SKUs, want %d once each", tg.name, total, len(seen), records)
	}
	for _, name := range hiddenFiles(t, tg) {
		t.Errorf("%s holds a stray temporary file: %s", tg.name, name)
	}
}

// hiddenFiles lists the hidden files of a target's folder. An FTP server's
// listing hides them, so FTP asks with LIST -a.
func hiddenFiles(t *testing.T, tg fileTarget) []string {
	t.Helper()
	var names []string
	if tg.name == "ftp" {
		names = ftpNamesAll(t, tg)
	} else {
		tr := tg.open(t)
		defer tr.Close()
		list, err := tr.List(context.Background(), ".", ".*")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range list {
			names = append(names, f.Name)
		}
	}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, ".") && n != "." && n != ".." {
			out = append(out, n)
		}
	}
	return out
}

// ftpNamesAll lists every name in an FTP target's folder, hidden ones
// included (LIST -a).
func ftpNamesAll(t *testing.T, tg fileTarget) []string {
	t.Helper()
	c, err := jftp.Dial(os.Getenv("SWITCHBOARD_IT_FTP_ADDR"), jftp.DialWithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit()
	if err := c.Login(os.Getenv("SWITCHBOARD_IT_FTP_USER"), os.Getenv("SWITCHBOARD_IT_FTP_PASS")); err != nil {
		t.Fatal(err)
	}
	entries, err := c.List("-a " + tg.config["folder"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name)
	}
	return names
}

// checkNothingLeft checks that no upload journal and no local buffer is
// left in the connections' private folders.
func checkNothingLeft(t *testing.T, dataDir string) {
	t.Helper()
	for _, pattern := range []string{"connections/*/uploads/*", "connections/*/buffers/*"} {
		left, _ := filepath.Glob(filepath.Join(dataDir, pattern))
		for _, name := range left {
			t.Errorf("left behind: %s", name)
		}
	}
}

// runsDone reports whether every run has finished.
func (a *appliance) runsDone(t *testing.T, token string) bool {
	t.Helper()
	var list struct {
		TotalItems int `json:"totalItems"`
	}
	if status := a.call(t, http.MethodGet, "/api/collections/runs/records?perPage=1&filter="+urlQuery("finished=''"), token, nil, &list); status != http.StatusOK {
		t.Fatalf("counting runs: %d", status)
	}
	return list.TotalItems == 0
}

// waitFor waits for cond as waitFor does and, when it times out, shows
// the transactions' statuses and the end of the appliance's log.
func (a *appliance) waitFor(t *testing.T, token, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			log := a.output.String()
			var runs, conns struct {
				Items []map[string]any `json:"items"`
			}
			a.call(t, http.MethodGet, "/api/collections/runs/records?perPage=12&sort=-created", token, nil, &runs)
			a.call(t, http.MethodGet, "/api/collections/connections/records?perPage=20", token, nil, &conns)
			t.Fatalf("timed out waiting for %s: %d pending, %d running, %d retrying, %d succeeded, %d failed;\nruns %v\nconnections %v\nthe log ends:\n%s",
				what, a.count(t, token, "status='pending'"), a.count(t, token, "status='running'"), a.count(t, token, "status='retrying'"),
				a.count(t, token, "status='succeeded'"), a.count(t, token, "status='failed'"), runs.Items, conns.Items, log[max(0, len(log)-6000):])
		}
		time.Sleep(100 * time.Millisecond)
	}
}
