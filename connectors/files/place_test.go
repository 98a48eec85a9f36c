package files

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestAWritingFlowsPlaceIsWhereItWrites: two writing flows have the same
// place exactly when they write the same files into the same folder,
// however the folder is spelt.
func TestAWritingFlowsPlaceIsWhereItWrites(t *testing.T) {
	placeOf := func(opts map[string]any) string {
		s := SFTPSpec()
		cfg, err := s.ResolveFlow(connectors.UseWrite, opts)
		if err != nil {
			t.Fatal(err)
		}
		return s.PlaceOf(cfg)
	}
	base := placeOf(map[string]any{"sub_folder": "a"})
	tests := []struct {
		name string
		opts map[string]any
		same bool
	}{
		{"the same folder spelt otherwise", map[string]any{"sub_folder": "./a/"}, true},
		{"the folder through the output folder", map[string]any{"output_folder": "a"}, true},
		{"the same files in another encoding", map[string]any{"sub_folder": "a", "encoding": "utf-16le"}, true},
		{"another sub-folder", map[string]any{"sub_folder": "b"}, false},
		{"another output folder", map[string]any{"sub_folder": "a", "output_folder": "out"}, false},
		{"another format", map[string]any{"sub_folder": "a", "format": "xml"}, false},
		{"another file name", map[string]any{"sub_folder": "a", "file_name": "p-{number}.csv"}, false},
		{"another write mode", map[string]any{"sub_folder": "a", "write_mode": "per_record"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := placeOf(tt.opts) == base; got != tt.same {
				t.Errorf("place %s, base %s: same %v, want %v", placeOf(tt.opts), base, got, tt.same)
			}
		})
	}
	if p := (connectors.Spec{}).PlaceOf(connectors.Config{}); p != "" {
		t.Errorf("a connector without Place has place %q, want \"\"", p)
	}
}
