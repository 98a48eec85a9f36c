package mappings

import (
	"encoding/json"
	"time"
	"unsafe"

	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// boxes holds the values a run computes (decimals, times, texts, lists)
// without a heap allocation for each one. Putting a decimal into an any makes
// Go copy it to a new heap object and point the interface at the copy; boxes
// copies it into a chunk of many instead and points the interface there. The
// chunks are only ever appended to: a slot, once handed out, is never written
// again, so a value stays exactly as safe to keep as one Go boxed itself. A
// chunk lives as long as any value in it; a full one is left to the garbage
// collector and a new one started.
//
// A machine owns one boxes; like the machine it is used by one run at a time.
type boxes struct {
	decs  chunk[decimal.Decimal]
	times chunk[time.Time]
	texts chunk[string]
	nums  chunk[json.Number]
	lists chunk[any]
	heads chunk[[]any] // the slice headers of boxed lists
	bytes chunk[byte]  // the bytes of computed texts
}

// chunkBytes is the size of a chunk: 256 decimals, 4,096 bytes of text.
const chunkBytes = 4096

// chunk is an append-only run of values of one type.
type chunk[T any] struct {
	buf []T
	typ unsafe.Pointer // T's type word, for interfaces made by box
}

// eface is the layout of an any: a type word and a pointer to the value
// (for types that are not pointer-shaped, as all boxed here are).
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// take reserves n consecutive slots, starting a new chunk when they do not fit.
func (c *chunk[T]) take(n int) []T {
	if cap(c.buf)-len(c.buf) < n {
		c.buf = make([]T, 0, max(chunkBytes/int(unsafe.Sizeof(*new(T))), n))
	}
	start := len(c.buf)
	c.buf = c.buf[:start+n]
	return c.buf[start : start+n : start+n]
}

// box copies v into the chunk and returns an any holding it, as any(v) would.
func (c *chunk[T]) box(v T) any {
	if c.typ == nil {
		var zero any = *new(T)
		c.typ = (*eface)(unsafe.Pointer(&zero)).typ
	}
	slot := &c.take(1)[0]
	*slot = v
	var out any
	e := (*eface)(unsafe.Pointer(&out))
	e.typ, e.data = c.typ, unsafe.Pointer(slot)
	return out
}

// Decimal boxes a decimal.
func (b *boxes) Decimal(d decimal.Decimal) any { return b.decs.box(d) }

// Time boxes a time.
func (b *boxes) Time(t time.Time) any { return b.times.box(t) }

// String boxes a text.
func (b *boxes) String(s string) any { return b.texts.box(s) }

// number boxes a decimal as the json.Number of its digits.
func (b *boxes) number(d decimal.Decimal) any {
	var tmp [32]byte
	return b.nums.box(json.Number(b.text(d.Append(tmp[:0]))))
}

// text copies bytes into a string that shares a chunk with others.
func (b *boxes) text(p []byte) string {
	if len(p) == 0 {
		return ""
	}
	s := b.bytes.take(len(p))
	copy(s, p)
	return unsafe.String(&s[0], len(s))
}

// boxList boxes a list.
func (b *boxes) boxList(l []any) any { return b.heads.box(l) }

// list returns a list of n elements, all nil, sharing a chunk with others;
// its capacity is n, so an append to it cannot reach a neighbour.
func (b *boxes) list(n int) []any {
	if n == 0 {
		return []any{}
	}
	return b.lists.take(n)
}
