package app

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-app/switchboard/connectors"
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

// TestFitKeyKeepsLongKeysApart: a key of up to n bytes is stored as it is,
// as it always was; longer keys that begin alike stay apart, in n bytes,
// cut between characters; a delivery id likewise.
func TestFitKeyKeepsLongKeysApart(t *testing.T) {
	exact := strings.Repeat("k", maxKey)
	if got := fitKey(exact, maxKey); got != exact {
		t.Fatalf("a key of %d bytes was changed to %q", maxKey, got)
	}
	a, b := strings.Repeat("é", 300)+"1", strings.Repeat("é", 300)+"2"
	fa, fb := fitKey(a, maxKey), fitKey(b, maxKey)
	if fa == fb || len(fa) > maxKey || len(fb) > maxKey || !utf8.ValidString(fa) {
		t.Fatalf("fitKey of two 601-byte keys that differ at the end: %q and %q", fa, fb)
	}
	if fitKey(a, maxKey) != fa || !strings.HasPrefix(fa, strings.Repeat("é", 200)) {
		t.Fatalf("fitKey(%q) = %q, not the key's beginning or not stable", a, fa)
	}
	da, _ := deliveryKeys(connectors.Webhook{DeliveryID: a}, nil)
	db, _ := deliveryKeys(connectors.Webhook{DeliveryID: b}, nil)
	if da == db {
		t.Fatalf("two long delivery ids that differ at the end give one delivery key %q: the second delivery would be dropped as a replay", da)
	}
}
