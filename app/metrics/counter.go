package metrics

import (
	"bufio"
	"fmt"
	"slices"
	"sync"
)

// CounterVec is a family of counters, one per set of label values.
type CounterVec struct {
	desc
	mu     sync.Mutex
	values map[string]*counter
}

type counter struct {
	labels []string
	value  float64
}

// Counter makes and registers a counter family; its name should end in
// _total.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	c := &CounterVec{desc: desc{name, help, "counter", labels}, values: map[string]*counter{}}
	r.add(c)
	return c
}

// Add adds v (not below zero) to the counter of the label values.
func (c *CounterVec) Add(v float64, values ...string) {
	c.check(values)
	if v < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := key(values)
	s := c.values[k]
	if s == nil {
		s = &counter{labels: slices.Clone(values)}
		c.values[k] = s
	}
	s.value += v
}

// Value returns the counter of the label values.
func (c *CounterVec) Value(values ...string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.values[key(values)]; s != nil {
		return s.value
	}
	return 0
}

func (c *CounterVec) write(w *bufio.Writer) {
	c.header(w)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range sortedKeys(c.values) {
		s := c.values[k]
		fmt.Fprintf(w, "%s %s\n", c.series("", s.labels), formatFloat(s.value))
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
