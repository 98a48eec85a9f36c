package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// odataError answers in OData's error shape, as Exact Online does.
func odataError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": "", "message": map[string]any{"lang": "", "value": msg}}})
}

// msDate writes a time as Exact Online does: /Date(milliseconds)/.
func msDate(t time.Time) string { return "/Date(" + strconv.FormatInt(t.UnixMilli(), 10) + ")/" }

// parseMSDate reads /Date(ms)/.
func parseMSDate(s string) (time.Time, bool) {
	inner, ok := strings.CutPrefix(s, "/Date(")
	inner, ok2 := strings.CutSuffix(inner, ")/")
	ms, err := strconv.ParseInt(inner, 10, 64)
	if !ok || !ok2 || err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms), true
}

// decodeBody reads a JSON object with numbers kept exact.
func decodeBody(r *http.Request) (map[string]any, error) {
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	var body map[string]any
	if err := dec.Decode(&body); err != nil || body == nil {
		return nil, fmt.Errorf("the body is not a JSON object: %v", err)
	}
	return body, nil
}

// condition is one comparison of a $filter: Prop op value.
type condition struct {
	prop, op string
	value    any // string, time.Time, float64, bool or nil
	trim     bool
}

// filter is a $filter: conditions joined by "and" within a group, groups
// joined by "or".
type filter [][]condition

// parseFilter reads the $filter expressions Exact's clients send:
// Prop eq 'text', Prop eq guid'…', Modified ge datetime'2024-05-01T10:00:00',
// Prop eq 12.5, Prop eq true, trim(Code) eq 'x', joined by and and or.
func parseFilter(text string) (filter, error) {
	tokens, err := tokenize(text)
	if err != nil {
		return nil, err
	}
	var f filter
	group := []condition{}
	for i := 0; i < len(tokens); {
		if i+3 > len(tokens) {
			return nil, fmt.Errorf("the $filter %q ends too soon", text)
		}
		c, err := newCondition(tokens[i], tokens[i+1], tokens[i+2])
		if err != nil {
			return nil, err
		}
		group = append(group, c)
		i += 3
		if i == len(tokens) {
			break
		}
		switch strings.ToLower(tokens[i]) {
		case "and":
		case "or":
			f = append(f, group)
			group = []condition{}
		default:
			return nil, fmt.Errorf("the $filter %q has %q where and or or should be", text, tokens[i])
		}
		i++
	}
	return append(f, group), nil
}

// tokenize splits a filter at spaces outside quotes.
func tokenize(text string) ([]string, error) {
	var tokens []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(text); i++ {
		ch := text[i]
		switch {
		case ch == '\'' && quoted && i+1 < len(text) && text[i+1] == '\'':
			cur.WriteString("''")
			i++
		case ch == '\'':
			quoted = !quoted
			cur.WriteByte(ch)
		case ch == ' ' && !quoted:
			if cur.Len() > 0 {
				tokens = append(tokens, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(ch)
		}
	}
	if quoted {
		return nil, fmt.Errorf("the $filter %q has an unclosed quote", text)
	}
	if cur.Len() > 0 {
		tokens = append(tokens, cur.String())
	}
	return tokens, nil
}

func newCondition(prop, op, literal string) (condition, error) {
	c := condition{prop: prop, op: strings.ToLower(op)}
	if inner, ok := strings.CutPrefix(prop, "trim("); ok && strings.HasSuffix(inner, ")") {
		c.prop, c.trim = strings.TrimSuffix(inner, ")"), true
	}
	switch c.op {
	case "eq", "ne", "gt", "ge", "lt", "le":
	default:
		return c, fmt.Errorf("operator %q is not supported", op)
	}
	v, err := parseLiteral(literal)
	c.value = v
	return c, err
}

func parseLiteral(s string) (any, error) {
	unquote := func(q string) string { return strings.ReplaceAll(q[1:len(q)-1], "''", "'") }
	switch {
	case len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'':
		return unquote(s), nil
	case strings.HasPrefix(s, "guid'") && strings.HasSuffix(s, "'"):
		return unquote(strings.TrimPrefix(s, "guid")), nil
	case strings.HasPrefix(s, "datetime'") && strings.HasSuffix(s, "'"):
		t, err := time.Parse("2006-01-02T15:04:05", strings.TrimSuffix(unquote(strings.TrimPrefix(s, "datetime")), "Z"))
		if err != nil {
			t, err = time.Parse("2006-01-02T15:04:05.999", unquote(strings.TrimPrefix(s, "datetime")))
		}
		if err != nil {
			return nil, fmt.Errorf("%s is not a datetime such as datetime'2024-05-01T10:00:00'", s)
		}
		return t, nil
	case s == "true" || s == "false":
		return s == "true", nil
	case s == "null":
		return nil, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("%s is not a literal: quote text ('text'), and write guid'…' or datetime'…'", s)
	}
	return f, nil
}

// matches reports whether a record passes the filter.
func (f filter) matches(rec map[string]any) bool {
	if len(f) == 0 {
		return true
	}
	for _, group := range f {
		all := true
		for _, c := range group {
			if !c.holds(rec[c.prop]) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// holds compares a record's value with the condition's; text compares
// without regard to case, as Exact's database does.
func (c condition) holds(v any) bool {
	cmp, ok := compare(v, c.value, c.trim)
	if !ok {
		return c.op == "ne"
	}
	switch c.op {
	case "eq":
		return cmp == 0
	case "ne":
		return cmp != 0
	case "gt":
		return cmp > 0
	case "ge":
		return cmp >= 0
	case "lt":
		return cmp < 0
	}
	return cmp <= 0
}

func compare(v, want any, trim bool) (int, bool) {
	switch w := want.(type) {
	case nil:
		if v == nil || v == "" {
			return 0, true
		}
		return 1, true
	case string:
		s, ok := v.(string)
		if trim {
			s = strings.TrimSpace(s)
		}
		return strings.Compare(strings.ToLower(s), strings.ToLower(w)), ok
	case time.Time:
		t, ok := parseMSDate(fmt.Sprint(v))
		return t.Compare(w), ok
	case bool:
		b, ok := v.(bool)
		if !ok || b == w {
			return 0, ok
		}
		return 1, true
	case float64:
		f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
		if err != nil {
			return 0, false
		}
		return cmpFloat(f, w), true
	}
	return 0, false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// selectFields keeps the $select fields of a record (all when empty).
func selectFields(rec map[string]any, sel []string) map[string]any {
	if len(sel) == 0 {
		return rec
	}
	out := map[string]any{}
	for _, f := range sel {
		if v, ok := rec[f]; ok {
			out[f] = v
		}
	}
	return out
}

// round2 rounds an amount to cents, as Exact stores them.
func round2(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 2, 64), 64)
	return v
}

// number reads a JSON number (or numeric text) as a float.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case nil:
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(fmt.Sprint(v)), 64)
	return f, err == nil
}

// clone copies a record, its lines too.
func clone(rec map[string]any) map[string]any {
	data, _ := json.Marshal(rec)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out map[string]any
	_ = dec.Decode(&out)
	return out
}
