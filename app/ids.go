package app

import (
	"crypto/rand"
	"encoding/binary"
	"strconv"
	"strings"
	"sync"
	"time"
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
