package metrics

import (
	"bufio"
	"fmt"
)

// Emit records one sample of a gauge: its value and label values.
type Emit func(value float64, values ...string)

// GaugeFunc is a gauge family whose samples are gathered when it is
// written, such as the depth of a queue read from the database.
type GaugeFunc struct {
	desc
	collect func(Emit)
}

// GaugeFunc makes and registers a gauge family whose samples collect
// emits at every scrape.
func (r *Registry) GaugeFunc(name, help string, collect func(Emit), labels ...string) *GaugeFunc {
	g := &GaugeFunc{desc: desc{name, help, "gauge", labels}, collect: collect}
	r.add(g)
	return g
}

func (g *GaugeFunc) write(w *bufio.Writer) {
	g.header(w)
	g.collect(func(value float64, values ...string) {
		if len(values) != len(g.labels) {
			return
		}
		fmt.Fprintf(w, "%s %s\n", g.series("", values), formatFloat(value))
	})
}
