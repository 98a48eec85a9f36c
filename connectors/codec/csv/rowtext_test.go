package csv

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors/codec"
)

// TestBadRowKeepsItsText: a row with the wrong number of fields fails with
// its text, written back in the file's dialect, for a person to see.
func TestBadRowKeepsItsText(t *testing.T) {
	tests := []struct {
		name, in, raw string
	}{
		{"one field too many", "a,b\n1,2,3\n", "1,2,3"},
		{"one field too few", "a;b;c\n1;2\n", "1;2"},
		{"a field holding the delimiter is quoted", "a;b\n1;\"x;y\";3\n", `1;"x;y";3`},
		{"quotes in a field are doubled", "a,b\n1,\"say \"\"hi\"\"\",3\n", `1,"say ""hi""",3`},
		{"single quotes", "a,b\n'1','x, y','z'\n", "1,'x, y',z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewDecoder(strings.NewReader(tt.in), Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = d.Next()
			var re *codec.RecordError
			if !errors.As(err, &re) {
				t.Fatalf("Next = %v, want a record error", err)
			}
			if re.Raw != tt.raw {
				t.Fatalf("raw %q, want %q", re.Raw, tt.raw)
			}
		})
	}
}
