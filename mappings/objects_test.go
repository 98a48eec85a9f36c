package mappings

import (
	"encoding/json"
	"testing"
)

// TestReleaseReusesMapsWithoutLeaks: records run one after another with each
// result released come out exactly as when every run has fresh maps, also
// when a record lacks fields the one before had (no key may survive a reuse).
func TestReleaseReusesMapsWithoutLeaks(t *testing.T) {
	cfg, full := benchConfig(&testing.B{})
	p, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sparse := deepCopy(full).(map[string]any)
	delete(sparse, "billingAddress")
	delete(sparse, "shippingLine")
	sparse["lineItems"] = map[string]any{"nodes": []any{}}
	want := map[string]string{}
	for name, in := range map[string]map[string]any{"full": full, "sparse": sparse} {
		res, err := p.Run(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want[name] = resultJSON(t, res) // never released: fresh maps
	}
	for i := range 50 {
		name := []string{"full", "sparse"}[i%3%2]
		in := map[string]map[string]any{"full": full, "sparse": sparse}[name]
		res, err := p.Run(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := resultJSON(t, res); got != want[name] {
			t.Fatalf("run %d (%s) after releases:\n got %s\nwant %s", i, name, got, want[name])
		}
		res.Release()
	}
}

// TestReleaseEmptiesOnlyItsOwnMaps: after Release the result's maps are
// empty, values taken out before stay as they were, and releasing a stale
// copy again does not touch the maps of the run that reuses them.
func TestReleaseEmptiesOnlyItsOwnMaps(t *testing.T) {
	cfg, in := benchConfig(&testing.B{})
	p, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	first, err := p.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	number, total := first.Canonical["number"], first.Output["grand_total"]
	lines := first.Canonical["lines"].([]any)
	first.Release()
	if len(first.Canonical) != 0 || len(first.Output) != 0 {
		t.Fatalf("released maps still hold %d and %d keys", len(first.Canonical), len(first.Output))
	}
	if number != "1001" || total == nil || len(lines) != 5 {
		t.Fatalf("values taken out before Release changed: number %v, total %v, %d lines", number, total, len(lines))
	}
	second, err := p.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	want := resultJSON(t, second)
	first.Release() // stale: must not empty the maps second now uses
	if got := resultJSON(t, second); got != want {
		t.Fatalf("a second Release of a stale result emptied a live one:\n got %s\nwant %s", got, want)
	}
	second.Release()
	second.Release()
}

func resultJSON(t *testing.T, res Result) string {
	t.Helper()
	data, err := json.Marshal([]any{res.Key, res.Canonical, res.Output})
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
