package seenkeys

import (
	"bytes"
	"testing"
)

func TestKeysDifferByFlowAndDeliveryKey(t *testing.T) {
	base := For("flow1", "s:abc")
	tests := []struct {
		name        string
		flow, key   string
		wantSameKey bool
	}{
		{"the same flow and key", "flow1", "s:abc", true},
		{"another flow", "flow2", "s:abc", false},
		{"another key", "flow1", "s:abd", false},
		{"the boundary moved between flow and key", "flow1s", ":abc", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := For(tt.flow, tt.key)
			if len(got) != Size {
				t.Fatalf("key of %d bytes, want %d", len(got), Size)
			}
			if same := bytes.Equal(got, base); same != tt.wantSameKey {
				t.Fatalf("For(%q, %q) equal to For(\"flow1\", \"s:abc\"): %v, want %v", tt.flow, tt.key, same, tt.wantSameKey)
			}
		})
	}
}
