package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files"
	"github.com/switchboard-app/switchboard/connectors/files/transport/sftp"
	"github.com/switchboard-app/switchboard/connectors/files/transport/transporttest"
)

// BenchmarkFileFlow measures a batch file through a flow: a CSV of
// SB_BENCH_ROWS rows (100,000 unless set) in a folder connection's folder
// is read, mapped and written to NDJSON files by a second folder
// connection, every row recorded as a transaction. It reports rows per
// second from the run's start until every transaction has succeeded, the
// CPU time per row, the peak Go heap and the process's peak RSS, with the
// appliance's garbage collector target (TuneGC). Run it once:
//
//	go test -run XXX -bench FileFlow -benchtime 1x ./app/
func BenchmarkFileFlow(b *testing.B) {
	benchFileFlow(b, func(fe *flowEnv, root string, rows int) {
		writeBenchCSV(b, filepath.Join(root, "in", "products.csv"), rows)
		fe.pointSource(b, fe.saveConnection(b, "Supplier files", "folder", map[string]any{"folder": "in"}, nil))
	})
}

// BenchmarkFileFlowOverSFTP is BenchmarkFileFlow with the CSV read from
// the test SFTP server (.ci/servers/sshd.sh prints its variables), as the
// batch goal of docs/performance.md is stated; it is skipped without it.
func BenchmarkFileFlowOverSFTP(b *testing.B) {
	it := transporttest.RequireEnv(b, "SWITCHBOARD_IT_SFTP_ADDR", "SWITCHBOARD_IT_SFTP_USER", "SWITCHBOARD_IT_SFTP_PASS", "SWITCHBOARD_IT_SFTP_DIR")
	benchFileFlow(b, func(fe *flowEnv, _ string, rows int) {
		if err := fe.sb.registry.Register(files.SFTPSpec(), files.NewSFTP); err != nil {
			b.Fatal(err)
		}
		dir := transporttest.UniqueName("bench")
		tr := sftpDial(b, it)
		if err := tr.Mkdir(context.Background(), dir); err != nil {
			b.Fatal(err)
		}
		uploadBenchCSV(b, tr, dir+"/products.csv", rows)
		b.Cleanup(func() { // the file, wherever the run left it
			for _, name := range []string{"products.csv", "processing/products.csv", "archive/products.csv"} {
				_ = tr.Remove(context.Background(), dir+"/"+name)
			}
		})
		host, port, _ := net.SplitHostPort(it["SWITCHBOARD_IT_SFTP_ADDR"])
		fe.pointSource(b, fe.saveConnection(b, "Supplier SFTP", "sftp", map[string]any{"host": host, "port": atoiOr(port),
			"username": it["SWITCHBOARD_IT_SFTP_USER"], "folder": it["SWITCHBOARD_IT_SFTP_DIR"] + "/" + dir},
			map[string]string{"password": it["SWITCHBOARD_IT_SFTP_PASS"]}))
	})
}

// benchFileFlow runs the flow of BenchmarkFileFlow on a CSV of the
// benchmark's rows that placeCSV puts where the flow's source reads it
// (root is the data folder's files root), and reports its figures.
func benchFileFlow(b *testing.B, placeCSV func(fe *flowEnv, root string, rows int)) {
	rows := benchRows(b)
	prev := debug.SetGCPercent(-1) // the target in effect: GOGC's, or Go's default
	debug.SetGCPercent(prev)
	defer debug.SetGCPercent(prev)
	TuneGC(os.Getenv)
	for range b.N {
		fe := newFlowEnvWith(b, EngineConfig{}, connectors.Product, benchMapping)
		root, err := CreateFilesDir(fe.app.DataDir())
		if err != nil {
			b.Fatal(err)
		}
		placeCSV(fe, root, rows)
		out := fe.benchTarget(b, root)
		resetPeakRSS()
		peakHeap := watchHeap()
		start, cpuStart := time.Now(), cpuTime()
		run, err := fe.sb.engine.RunFlow(fe.flow.Id, TriggerManual)
		if err != nil {
			b.Fatal(err)
		}
		slowestRead := readActivityMeanwhile(b, fe, rows)
		fe.waitDone(b, run, rows)
		reportBatch(b, rows, time.Since(start), cpuTime()-cpuStart, peakHeap(), slowestRead())
		if got := fe.statuses(b)[StatusSucceeded]; got != rows {
			b.Fatalf("%d rows succeeded, want %d: %v", got, rows, fe.statuses(b))
		}
		if got := countLines(b, out); got != rows {
			b.Fatalf("%d rows written, want %d", got, rows)
		}
	}
}

// reportBatch reports the figures of a batch of rows: its rate, the CPU a
// row, the peak heap and RSS, and the slowest read of Activity meanwhile.
func reportBatch(b *testing.B, rows int, elapsed, cpu time.Duration, peakHeap uint64, slowestRead time.Duration) {
	b.ReportMetric(float64(slowestRead.Microseconds())/1000, "api-max-ms")
	b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(rows), "cpu-µs/row")
	b.ReportMetric(float64(peakHeap)/(1<<20), "heapMB")
	b.ReportMetric(float64(peakRSS())/(1<<10), "rssMB")
}

// readActivityMeanwhile reads a page of Activity every tenth of a second,
// the first page and then one row's by its key in turn, as a user would
// while the batch runs, until the returned function is called; that
// returns the slowest read.
func readActivityMeanwhile(b *testing.B, fe *flowEnv, rows int) func() time.Duration {
	done, slowest := make(chan struct{}), make(chan time.Duration)
	go func() {
		var most time.Duration
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-done:
				slowest <- most
				return
			case <-tick.C:
			}
			filter := ActivityFilter{}
			if i%2 == 1 {
				filter.Key = fmt.Sprintf("SKU-%07d", i*7919%rows)
			}
			start := time.Now()
			if _, err := fe.sb.ListActivity(filter, "", 50); err != nil {
				b.Error(err)
			}
			most = max(most, time.Since(start))
		}
	}()
	return func() time.Duration {
		close(done)
		return <-slowest
	}
}

// benchMapping maps the CSV's columns in, computes a price with tax and
// writes it as a number.
var benchMapping = map[string]any{"mapping": map[string]any{
	"in": []map[string]any{
		{"target": "sku", "expr": "sku"}, {"target": "name", "expr": "name"}, {"target": "description", "expr": "description"},
		{"target": "prices.list", "expr": "price"}, {"target": "stock_quantity", "expr": "stock"},
	},
	"out": []map[string]any{
		{"target": "sku", "expr": "sku"}, {"target": "title", "expr": "name"}, {"target": "body", "expr": "description"},
		{"target": "price", "expr": "num(prices.list * 1.21)"}, {"target": "stock", "expr": "num(stock_quantity)"},
	},
}}

// waitDone waits until the run's counts say that every row has finished:
// the counts are kept on the run's row, so that waiting costs the engine
// nothing.
func (fe *flowEnv) waitDone(b *testing.B, run string, rows int) {
	for {
		var done int
		err := fe.app.DB().NewQuery(`SELECT succeeded + failed + skipped FROM runs WHERE id = {:run}`).
			Bind(dbx.Params{"run": run}).Row(&done)
		if err != nil {
			b.Fatal(err)
		}
		if done >= rows {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func benchRows(b *testing.B) int {
	if s := os.Getenv("SB_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("SB_BENCH_ROWS=%q: want a positive number", s)
		}
		return n
	}
	return 100_000
}

// benchTarget points the flow at a folder connection writing NDJSON into
// the files root's folder "out", and returns that folder.
func (fe *flowEnv) benchTarget(b testing.TB, root string) string {
	folder := filepath.Join(root, "out")
	if err := os.MkdirAll(folder, 0o700); err != nil {
		b.Fatal(err)
	}
	fe.pointTarget(b, fe.saveConnection(b, "Shop files", "folder", map[string]any{"folder": "out"}, nil))
	fe.flow.Set("options", map[string]any{
		"source": map[string]any{"format": "csv", "key_field": "sku", "settle_time": "0s"},
		"target": map[string]any{"format": "ndjson"},
	})
	if err := fe.app.Save(fe.flow); err != nil {
		b.Fatal(err)
	}
	return folder
}

// writeBenchCSV writes a product CSV of n rows of about 150 bytes.
func writeBenchCSV(b testing.TB, path string, n int) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	writeBenchRows(b, f, n)
	old := time.Now().Add(-time.Hour) // settled long ago
	if err := os.Chtimes(path, old, old); err != nil {
		b.Fatal(err)
	}
}

// uploadBenchCSV writes the benchmark's CSV of n rows to name on the test
// SFTP server.
func uploadBenchCSV(b *testing.B, tr *sftp.Transport, name string, n int) {
	w, err := tr.Create(context.Background(), name)
	if err != nil {
		b.Fatal(err)
	}
	writeBenchRows(b, w, n)
}

// writeBenchRows writes the benchmark's CSV of n rows to w and closes it.
func writeBenchRows(b testing.TB, w io.WriteCloser, n int) {
	buf := bufio.NewWriter(w)
	_, _ = buf.WriteString("sku,name,description,price,stock\n")
	for i := range n {
		fmt.Fprintf(buf, "SKU-%07d,Office chair model %d,\"Ergonomic chair, adjustable height, mesh back\",%d.95,%d\n", i, i%977, 10+i%500, i%1000)
	}
	if err := buf.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

// countLines counts the lines of the visible files of folder.
func countLines(b testing.TB, folder string) int {
	names, err := filepath.Glob(filepath.Join(folder, "*.ndjson"))
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		n += strings.Count(string(data), "\n")
	}
	return n
}

// watchHeap samples the Go heap until the returned function is called,
// which answers the largest sample.
func watchHeap() func() uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(stop); return peak.Load() }
}

// cpuTime is the CPU time the process has used, user and system: on a
// shared machine, CPU per row moves less than rows per second.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS starts the kernel's count of the peak RSS again (Linux).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak RSS in KiB, 0 where /proc is not there.
func peakRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
