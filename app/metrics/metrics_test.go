package metrics

import (
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	var r Registry
	c := r.Counter("sb_records_total", "Records.\nSecond line.", "flow")
	c.Add(2, `a"b`)
	c.Add(1, `a"b`)
	c.Add(-5, `a"b`) // a counter never goes down
	c.Add(1, "z")
	h := r.Histogram("sb_seconds", "Durations.", []float64{0.1, 1}, "flow")
	h.Observe(0.05, "f")
	h.Observe(0.5, "f")
	h.Observe(7, "f")
	r.GaugeFunc("sb_depth", "Depth.", func(emit Emit) {
		emit(3, "f")
		emit(9, "too", "many") // dropped: wrong label count
	}, "flow")
	var out strings.Builder
	if err := r.Write(&out); err != nil {
		t.Fatal(err)
	}
	want := `# HELP sb_records_total Records.\nSecond line.
# TYPE sb_records_total counter
sb_records_total{flow="a\"b"} 3
sb_records_total{flow="z"} 1
# HELP sb_seconds Durations.
# TYPE sb_seconds histogram
sb_seconds_bucket{flow="f",le="0.1"} 1
sb_seconds_bucket{flow="f",le="1"} 2
sb_seconds_bucket{flow="f",le="+Inf"} 3
sb_seconds_sum{flow="f"} 7.55
sb_seconds_count{flow="f"} 3
# HELP sb_depth Depth.
# TYPE sb_depth gauge
sb_depth{flow="f"} 3
`
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
	if c.Value(`a"b`) != 3 || h.Count("f") != 3 {
		t.Fatalf("Value = %v, Count = %v", c.Value(`a"b`), h.Count("f"))
	}
}
