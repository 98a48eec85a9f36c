package app

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTruncateCutsBetweenCharacters: a message shortened for a note, an
// error or a status ends in "..." after a whole character, however the
// limit falls; a key is cut at the byte, as keys were always stored.
func TestTruncateCutsBetweenCharacters(t *testing.T) {
	long := strings.Repeat("é", 20) // 40 bytes, 2 a character
	cases := []struct {
		name string
		s    string
		n    int
		want string
	}{
		{"short enough", "Müller", 10, "Müller"},
		{"the limit inside a character", long, 10, "ééé..."},
		{"the limit after a character", long, 11, "éééé..."},
		{"a three-byte character", strings.Repeat("€", 10), 8, "€..."},
		{"nothing whole fits", "€€€€", 5, "..."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := truncate(tc.s, tc.n)
			if got != tc.want || !utf8.ValidString(got) || len(got) > tc.n {
				t.Fatalf("truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
			}
		})
	}
	if got := truncateKey(long, 10); got != long[:7]+"..." {
		t.Fatalf("truncateKey = %q: a key's cut moved", got)
	}
}
