package files

import (
	"context"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors/codec/csv"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
	"github.com/switchboard-app/switchboard/connectors/files/transport/sftp"
)

const benchRows = 1_000_000

// productCSV generates a product CSV of n rows of about 200 bytes each,
// without holding it in memory.
type productCSV struct {
	n, i int
	buf  []byte
}

func (p *productCSV) Read(b []byte) (int, error) {
	for len(p.buf) < len(b) && p.i <= p.n {
		p.buf = p.row(p.buf)
		p.i++
	}
	if len(p.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(b, p.buf)
	p.buf = p.buf[:copy(p.buf, p.buf[n:])]
	return n, nil
}

func (p *productCSV) row(b []byte) []byte {
	if p.i == 0 {
		return append(b, "sku;ean;name;brand;category;price;stock;weight;updated;description\r\n"...)
	}
	i := int64(p.i)
	b = append(b, "SKU-"...)
	b = strconv.AppendInt(b, i, 10)
	b = append(b, ';')
	b = strconv.AppendInt(b, 8710000000000+i, 10)
	b = append(b, ";Office chair model "...)
	b = strconv.AppendInt(b, i%977, 10)
	b = append(b, ";Zitwerk;Furniture > Chairs;"...)
	b = strconv.AppendInt(b, 10+i%500, 10)
	b = append(b, ",95;"...)
	b = strconv.AppendInt(b, i%1000, 10)
	b = append(b, ";12,5;2026-11-27T05:00:00Z;\"Ergonomic chair, adjustable height; breathable mesh back, lumbar support, 5-year warranty\"\r\n"...)
	return b
}

// peakHeap samples the heap in use until stopped.
type peakHeap struct {
	max  atomic.Uint64
	stop chan struct{}
	wg   sync.WaitGroup
}

func watchHeap() *peakHeap {
	p := &peakHeap{stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > p.max.Load() {
				p.max.Store(ms.HeapInuse)
			}
			select {
			case <-p.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return p
}

func (p *peakHeap) done() float64 {
	close(p.stop)
	p.wg.Wait()
	return float64(p.max.Load()) / (1 << 20)
}

// peakRSS is the process's peak resident memory in MiB (Linux).
func peakRSS() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

// countingReader counts the bytes read.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// parseAll decodes every row, checking each has its fields.
func parseAll(b *testing.B, r io.Reader) (rows int, bytes int64) {
	cr := &countingReader{r: r}
	dec, err := csv.NewDecoder(cr, csv.Options{DecimalComma: []string{"price", "weight"}})
	if err != nil {
		b.Fatal(err)
	}
	for {
		rec, _, err := dec.Next()
		if err == io.EOF {
			return rows, cr.n
		}
		if err != nil {
			b.Fatal(err)
		}
		if len(rec) != 10 {
			b.Fatalf("row %d has %d fields", rows+1, len(rec))
		}
		rows++
	}
}

// BenchmarkCSVOverSFTP reads a 1,000,000-row (~200 MB) product CSV and
// parses it to records: over SFTP when SWITCHBOARD_IT_SFTP_* are set,
// else from a generated stream. Run with -benchtime=1x.
func BenchmarkCSVOverSFTP(b *testing.B) {
	open := benchSource(b)
	runtime.GC()
	heap := watchHeap()
	start := time.Now()
	var rows int
	var size int64
	for b.Loop() {
		rc := open()
		rows, size = parseAll(b, rc)
		_ = rc.Close()
	}
	elapsed := time.Since(start).Seconds() / float64(b.N)
	if rows != benchRows {
		b.Fatalf("parsed %d rows, want %d", rows, benchRows)
	}
	b.SetBytes(size)
	b.ReportMetric(float64(rows)/elapsed, "rows/s")
	b.ReportMetric(heap.done(), "peak-heap-MiB")
	b.ReportMetric(peakRSS(), "peak-RSS-MiB")
}

// benchSource returns a function opening the benchmark file.
func benchSource(b *testing.B) func() io.ReadCloser {
	addr, user, pass, dir := os.Getenv("SWITCHBOARD_IT_SFTP_ADDR"), os.Getenv("SWITCHBOARD_IT_SFTP_USER"),
		os.Getenv("SWITCHBOARD_IT_SFTP_PASS"), os.Getenv("SWITCHBOARD_IT_SFTP_DIR")
	if addr == "" {
		b.Log("SWITCHBOARD_IT_SFTP_ADDR not set: reading a generated stream")
		return func() io.ReadCloser { return io.NopCloser(&productCSV{n: benchRows}) }
	}
	ctx := context.Background()
	tr, err := sftp.Dial(ctx, sftp.Config{Addr: addr, User: user, Password: pass, Folder: dir})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = tr.Remove(ctx, "bench-products.csv")
		_ = tr.Close()
	})
	if err := transport.Put(ctx, tr, "bench-products.csv", &productCSV{n: benchRows}); err != nil {
		b.Fatal(err)
	}
	b.Log("reading over SFTP from", addr)
	return func() io.ReadCloser {
		rc, err := tr.Open(ctx, "bench-products.csv")
		if err != nil {
			b.Fatal(err)
		}
		return rc
	}
}
