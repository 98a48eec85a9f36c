package app

import (
	"crypto/rand"
	"strconv"
	"strings"
	"time"
)

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID returns a record id in PocketBase's form (15 characters of a-z and
// 0-9) that sorts by creation time: 9 characters of milliseconds since the
// epoch in base 36, then 6 random ones. The engine inserts many rows per
// second, and time-ordered keys go to the end of the primary key's B-tree
// instead of touching a random page each.
func newID() string { return idAt(time.Now()) }

// idAt returns a new id for a row created at t.
func idAt(t time.Time) string {
	var b strings.Builder
	b.Grow(15)
	b.WriteString(idTime(t))
	var r [6]byte
	_, _ = rand.Read(r[:])
	for _, c := range r {
		b.WriteByte(idAlphabet[int(c)%len(idAlphabet)])
	}
	return b.String()
}

// idTime is the part of an id made at t that tells its time: every id
// made before t sorts before it, every id made at t or later after it.
func idTime(t time.Time) string {
	ms := strconv.FormatInt(t.UnixMilli(), 36)
	return strings.Repeat("0", max(0, 9-len(ms))) + ms
}
