package metrics

import (
	"bufio"
	"fmt"
	"slices"
	"sync"
)

// DurationBuckets are upper bounds in seconds, from 5 ms to 5 minutes.
var DurationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}

// HistogramVec is a family of histograms, one per set of label values.
type HistogramVec struct {
	desc
	buckets []float64
	mu      sync.Mutex
	values  map[string]*histogram
}

type histogram struct {
	labels []string
	counts []uint64 // per bucket, not cumulative
	count  uint64
	sum    float64
}

// Histogram makes and registers a histogram family with the given bucket
// upper bounds, in increasing order.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	h := &HistogramVec{desc: desc{name, help, "histogram", labels}, buckets: slices.Clone(buckets), values: map[string]*histogram{}}
	r.add(h)
	return h
}

// Observe records v in the histogram of the label values.
func (h *HistogramVec) Observe(v float64, values ...string) {
	h.check(values)
	h.mu.Lock()
	defer h.mu.Unlock()
	k := key(values)
	s := h.values[k]
	if s == nil {
		s = &histogram{labels: slices.Clone(values), counts: make([]uint64, len(h.buckets))}
		h.values[k] = s
	}
	if i, _ := slices.BinarySearch(h.buckets, v); i < len(h.buckets) {
		s.counts[i]++
	}
	s.count++
	s.sum += v
}

// Count returns how many values the histogram of the label values holds.
func (h *HistogramVec) Count(values ...string) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s := h.values[key(values)]; s != nil {
		return s.count
	}
	return 0
}

func (h *HistogramVec) write(w *bufio.Writer) {
	h.header(w)
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, k := range sortedKeys(h.values) {
		s := h.values[k]
		var cum uint64
		for i, le := range h.buckets {
			cum += s.counts[i]
			fmt.Fprintf(w, "%s %d\n", h.series("_bucket", s.labels, "le", formatFloat(le)), cum)
		}
		fmt.Fprintf(w, "%s %d\n", h.series("_bucket", s.labels, "le", "+Inf"), s.count)
		fmt.Fprintf(w, "%s %s\n", h.series("_sum", s.labels), formatFloat(s.sum))
		fmt.Fprintf(w, "%s %d\n", h.series("_count", s.labels), s.count)
	}
}
