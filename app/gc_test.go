package app

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	tests := []struct {
		name string
		gogc string
		want int
	}{
		{"unset: the engine's target", "", gcPercent},
		{"set by the operator: left as the runtime applied it", "50", 100},
		{"turned off by the operator: left off", "off", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := debug.SetGCPercent(100)
			defer debug.SetGCPercent(prev)
			TuneGC(func(key string) string {
				if key == "GOGC" {
					return tt.gogc
				}
				return ""
			})
			if got := debug.SetGCPercent(100); got != tt.want {
				t.Errorf("GC percent = %d, want %d", got, tt.want)
			}
		})
	}
}
