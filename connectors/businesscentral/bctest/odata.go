package bctest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// comparison is one comparison of a $filter: field op value.
type comparison struct {
	field, op, value string
	text             bool
}

// filter is a parsed $filter: alternatives joined by or, each a list of
// comparisons joined by and.
type filter [][]comparison

// parseFilter reads the $filter expressions the fake takes: a field
// compared (eq, ne, gt, ge, lt, le) with a quoted text, a number, true
// or false, or a date and time, joined by and and or, without parentheses.
func parseFilter(s string) (filter, error) {
	var out filter
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	for _, alt := range splitWords(s, " or ") {
		var all []comparison
		for _, part := range splitWords(alt, " and ") {
			c, err := parseComparison(strings.TrimSpace(part))
			if err != nil {
				return nil, err
			}
			all = append(all, c)
		}
		out = append(out, all)
	}
	return out, nil
}

func parseComparison(s string) (comparison, error) {
	fields := strings.SplitN(s, " ", 3)
	if len(fields) != 3 {
		return comparison{}, fmt.Errorf("the $filter %q is not a comparison", s)
	}
	c := comparison{field: fields[0], op: fields[1], value: fields[2]}
	switch c.op {
	case "eq", "ne", "gt", "ge", "lt", "le":
	default:
		return comparison{}, fmt.Errorf("the $filter operator %q is not supported", c.op)
	}
	if strings.HasPrefix(c.value, "'") {
		if len(c.value) < 2 || !strings.HasSuffix(c.value, "'") {
			return comparison{}, fmt.Errorf("the text %s is not closed", c.value)
		}
		c.value, c.text = strings.ReplaceAll(c.value[1:len(c.value)-1], "''", "'"), true
	}
	return c, nil
}

// splitWords splits s at sep where it is not inside a quoted text.
func splitWords(s, sep string) []string {
	var parts []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			quoted = !quoted
		case !quoted && strings.HasPrefix(s[i:], sep):
			parts = append(parts, s[start:i])
			start = i + len(sep)
			i += len(sep) - 1
		}
	}
	return append(parts, s[start:])
}

// matches reports whether a record passes the filter.
func (f filter) matches(rec map[string]any) bool {
	if len(f) == 0 {
		return true
	}
	for _, alt := range f {
		ok := true
		for _, c := range alt {
			if !c.holds(rec[c.field]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (c comparison) holds(v any) bool {
	got := ""
	if v != nil {
		got = fmt.Sprint(v)
	}
	cmp := compare(got, c.value, c.text)
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

// compare compares times as times, numbers as numbers, texts as texts
// without regard to case.
func compare(a, b string, text bool) int {
	if !text {
		if x, err := time.Parse(time.RFC3339Nano, a); err == nil {
			if y, err := time.Parse(time.RFC3339Nano, b); err == nil {
				return x.Compare(y)
			}
		}
		if x, err := strconv.ParseFloat(a, 64); err == nil {
			if y, err := strconv.ParseFloat(b, 64); err == nil {
				return cmpFloat(x, y)
			}
		}
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// defaultPageSize is how many records a page holds without a Prefer
// header (Business Central's own is 20,000).
const defaultPageSize = 20000

// list answers GET on a collection: the records $filter lets through, in
// the order they were made, $top of them, a page at a time (Prefer:
// odata.maxpagesize) with @odata.nextLink to the next ($skiptoken), each
// with its lines when $expand asks for them.
func (b *BC) list(collection string, keep func(c *spectest.Call, rec map[string]any) bool) spectest.Handler {
	return func(c *spectest.Call) spectest.Reply {
		f, err := parseFilter(c.Query.Get("$filter"))
		if err != nil {
			return fail(http.StatusBadRequest, "BadRequest", err.Error())
		}
		var match []any
		for _, rec := range c.Store.All(collection) {
			if f.matches(rec) && (keep == nil || keep(c, rec)) {
				match = append(match, b.expand(c, collection, rec))
			}
		}
		if top, err := strconv.Atoi(c.Query.Get("$top")); err == nil && top < len(match) {
			match = match[:top]
		}
		skip, _ := strconv.Atoi(c.Query.Get("$skiptoken"))
		size := pageSize(c.Request.Header.Get("Prefer"))
		body := map[string]any{"@odata.context": "https://" + c.Request.Host + "/$metadata#" + collection, "value": window(match, skip, size)}
		if skip+size < len(match) {
			body["@odata.nextLink"] = nextLink(c.Request, skip+size)
		}
		return spectest.JSON(http.StatusOK, body)
	}
}

func window(all []any, skip, size int) []any {
	out := []any{}
	for i := skip; i < len(all) && i < skip+size; i++ {
		out = append(out, all[i])
	}
	return out
}

// pageSize reads Prefer: odata.maxpagesize=N.
func pageSize(prefer string) int {
	for _, p := range strings.Split(prefer, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(p), "odata.maxpagesize="); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return n
			}
		}
	}
	return defaultPageSize
}

// nextLink is the address of the next page: the request's own, as the
// caller sent it, with the position in $skiptoken.
func nextLink(r *http.Request, skip int) string {
	u, _ := url.ParseRequestURI(r.RequestURI)
	q := u.Query()
	q.Set("$skiptoken", strconv.Itoa(skip))
	u.RawQuery = q.Encode()
	return "http://" + r.Host + u.String()
}
