package fake

import (
	"fmt"
	"strings"
	"time"
)

// term is one condition of Shopify's search syntax: field:value,
// field:>value, field:>=value, field:<value, field:<=value.
type term struct {
	field, op, value string
}

// parseSearch reads a query such as `updated_at:>'2025-01-01T00:00:00Z'
// AND status:open`. Terms are separated by spaces or AND; values may be
// quoted.
func parseSearch(q string) ([]term, error) {
	var terms []term
	for rest := strings.TrimSpace(q); rest != ""; rest = strings.TrimSpace(rest) {
		word, tail := nextWord(rest)
		rest = tail
		if word == "AND" {
			continue
		}
		field, value, ok := strings.Cut(word, ":")
		if !ok || field == "" {
			return nil, fmt.Errorf("the fake reads only field:value terms, not %q", word)
		}
		t := term{field: field, op: "="}
		for _, op := range []string{">=", "<=", ">", "<"} {
			if v, ok := strings.CutPrefix(value, op); ok {
				t.op, value = op, v
				break
			}
		}
		t.value = strings.Trim(value, `'"`)
		terms = append(terms, t)
	}
	return terms, nil
}

// nextWord cuts the first word, keeping a quoted value whole.
func nextWord(s string) (string, string) {
	quote := rune(0)
	for i, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote == 0 && (r == '\'' || r == '"'):
			quote = r
		case quote == 0 && r == ' ':
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// fieldFunc reads a searchable field of an item.
type fieldFunc func(item map[string]any) string

// matcher checks items against a query's terms with the fields a
// resource can be searched by.
type matcher struct {
	terms  []term
	fields map[string]fieldFunc
}

func newMatcher(query string, fields map[string]fieldFunc) (*matcher, error) {
	terms, err := parseSearch(query)
	if err != nil {
		return nil, err
	}
	for _, t := range terms {
		if fields[t.field] == nil {
			return nil, fmt.Errorf("the fake cannot search by %q", t.field)
		}
	}
	return &matcher{terms: terms, fields: fields}, nil
}

func (m *matcher) match(item map[string]any) bool {
	for _, t := range m.terms {
		want := t.value
		if t.field == "name" {
			want = strings.TrimPrefix(want, "#")
		}
		if !compare(m.fields[t.field](item), t.op, want) {
			return false
		}
	}
	return true
}

// compare compares times as times and anything else as text, without
// regard to case.
func compare(have, op, want string) bool {
	if ht, err := time.Parse(time.RFC3339, have); err == nil {
		wt, err := parseSearchTime(want)
		if err != nil {
			return false
		}
		switch op {
		case ">":
			return ht.After(wt)
		case ">=":
			return !ht.Before(wt)
		case "<":
			return ht.Before(wt)
		case "<=":
			return !ht.After(wt)
		}
		return ht.Equal(wt)
	}
	return op == "=" && strings.EqualFold(have, want)
}

func parseSearchTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}

func text(key string) fieldFunc {
	return func(item map[string]any) string { s, _ := item[key].(string); return s }
}
