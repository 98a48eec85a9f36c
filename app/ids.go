package app

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID returns a record id in PocketBase's form (15 characters of a-z and
// 0-9) that sorts by creation time: 9 characters of milliseconds since the
// epoch in base 36, then 6 that keep ids of the same millisecond apart. The
// engine inserts many rows per second, and time-ordered keys go to the end
// of the primary key's B-tree instead of touching a random page each.
func newID() string { return idAt(time.Now()) }

// idAt returns a new id for a row created at t. The ids made one after
// another for the same millisecond count up from a random start (idSuffix):
// a batch stores thousands of rows made at one instant, and 6 random
// characters each would meet twice in a batch of 33,000 about one time in
// four.
func idAt(t time.Time) string {
	return idTime(t) + idSuffix(t.UnixMilli())
}

// idSuffixes is the number of suffixes of 6 characters.
const idSuffixes = 36 * 36 * 36 * 36 * 36 * 36

// idCounter counts the ids made for the last millisecond asked for.
var idCounter struct {
	sync.Mutex
	ms   int64
	next int64
}

// idSuffix returns the 6 characters of the next id of millisecond ms: one
// more than the last id's when it was of the same millisecond, else a
// random start in the lower half of the suffixes, which leaves room for
// more ids in a millisecond than any machine makes.
func idSuffix(ms int64) string {
	idCounter.Lock()
	if ms != idCounter.ms || idCounter.next >= idSuffixes {
		var r [8]byte
		_, _ = rand.Read(r[:])
		idCounter.ms, idCounter.next = ms, int64(binary.BigEndian.Uint64(r[:])%(idSuffixes/2))
	}
	n := idCounter.next
	idCounter.next++
	idCounter.Unlock()
	digits := strconv.FormatInt(n, 36) // 0-9 then a-z: they sort as n does
	return strings.Repeat("0", 6-len(digits)) + digits
}

// idTime is the part of an id made at t that tells its time: every id
// made before t sorts before it, every id made at t or later after it.
func idTime(t time.Time) string {
	ms := strconv.FormatInt(t.UnixMilli(), 36)
	return strings.Repeat("0", max(0, 9-len(ms))) + ms
}

// maxKey is the longest key or id, in bytes, that transactions and xrefs
// store as it is.
const maxKey = 500

// keyHashLen is the length of the mark that ends a key fitKey shortens:
// "~" and 32 hex digits.
const keyHashLen = 1 + 32

// fitKey returns a record's key or id as transactions and xrefs store it,
// in at most n bytes: as it is when it fits, so that what was stored
// before is found again; a longer one cut between characters and ended by
// "~" and the first 128 bits of the whole key's SHA-256 in hex, so that
// two long keys that begin alike stay two records.
func fitKey(s string, n int) string {
	if len(s) <= n {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	cut := max(n-keyHashLen, 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "~" + hex.EncodeToString(sum[:16])
}
