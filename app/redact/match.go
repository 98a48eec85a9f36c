package redact

import (
	"sort"
	"strings"
)

// matcher finds any of a fixed set of forms in a text, in one pass. A
// bitset of the forms' first two bytes rules out almost every position of
// a text at the cost of one lookup; at the few other positions, the forms
// that begin with those two bytes are compared, longest first.
type matcher struct {
	pairs    [1 << 16 / 64]uint64 // bit k is set when a form begins with the two bytes k
	forms    map[uint16][]string  // the forms by their first two bytes, longest first
	shortest int                  // the length of the shortest form; 0 when there are none
	longest  int                  // the length of the longest form
}

// newMatcher builds the matcher of the given forms; duplicates and forms
// shorter than MinLength are left out.
func newMatcher(all []string) *matcher {
	m := &matcher{forms: map[uint16][]string{}}
	seen := make(map[string]bool, len(all))
	for _, f := range all {
		if len(f) < MinLength || seen[f] {
			continue
		}
		seen[f] = true
		k := pairAt(f, 0)
		m.pairs[k>>6] |= 1 << (k & 63)
		m.forms[k] = append(m.forms[k], f)
		if m.shortest == 0 || len(f) < m.shortest {
			m.shortest = len(f)
		}
		m.longest = max(m.longest, len(f))
	}
	for _, list := range m.forms {
		sort.SliceStable(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	}
	return m
}

// pairAt is the two bytes of s at i, as one number.
func pairAt(s string, i int) uint16 { return uint16(s[i])<<8 | uint16(s[i+1]) }

// at returns the length of the longest form that s[i:] begins with, or 0.
func (m *matcher) at(s string, i int) int {
	for _, f := range m.forms[pairAt(s, i)] {
		if strings.HasPrefix(s[i:], f) {
			return len(f)
		}
	}
	return 0
}

// replace returns s with every form in it replaced by mask, from left to
// right, taking the longest form where several begin; s itself when it
// holds none, without allocating.
func (m *matcher) replace(s, mask string) string {
	if m.shortest == 0 || len(s) < m.shortest {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i <= len(s)-m.shortest; i++ {
		k := pairAt(s, i)
		if m.pairs[k>>6]&(1<<(k&63)) == 0 { // the common case, kept in the loop
			continue
		}
		n := m.at(s, i)
		if n == 0 {
			continue
		}
		if last == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:i])
		b.WriteString(mask)
		last = i + n
		i = last - 1
	}
	if cut, end := m.cutOff(s, last); cut >= 0 {
		if last == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:cut])
		b.WriteString(mask)
		last = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// cutMarks are what a text that was cut short ends with.
var cutMarks = []string{"…", "..."}

// cutOff finds a form cut short in a text that says it was cut (a
// connector keeps only the start of a long error body, and marks the cut):
// the beginning of a form, at least MinLength long, that runs up to the
// mark. It returns where that beginning starts and ends, or -1; only
// s[from:] is searched. Texts without a mark are not searched: a word at
// their end that begins like a secret is not a secret.
func (m *matcher) cutOff(s string, from int) (start, end int) {
	end = -1
	for _, mark := range cutMarks {
		if strings.HasSuffix(s, mark) {
			end = len(s) - len(mark)
			break
		}
	}
	if end < 0 {
		return -1, 0
	}
	for i := max(from, end-m.longest+1); i <= end-MinLength; i++ {
		k := pairAt(s, i)
		if m.pairs[k>>6]&(1<<(k&63)) == 0 {
			continue
		}
		for _, f := range m.forms[k] {
			if len(f) > end-i && strings.HasPrefix(f, s[i:end]) {
				return i, end
			}
		}
	}
	return -1, 0
}
