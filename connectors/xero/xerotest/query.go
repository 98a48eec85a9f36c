package xerotest

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// condition is one comparison of a where filter: Field=="value" or !=.
type condition struct {
	field, value string
	not          bool
}

// where is a parsed filter: alternatives joined by OR, each a list of
// conditions joined by AND.
type where [][]condition

// parseWhere reads the filters the fake takes: comparisons of a field
// (Contact.ContactID for a nested one) with a quoted text, a number or
// true and false, joined by AND (&&) and OR (||), without parentheses.
func parseWhere(s string) (where, error) {
	var out where
	if strings.TrimSpace(s) == "" {
		return out, nil // no filter: every record
	}
	for _, alt := range splitOutsideQuotes(s, []string{" OR ", "||"}) {
		var conds []condition
		for _, part := range splitOutsideQuotes(alt, []string{" AND ", "&&"}) {
			c, err := parseCondition(strings.TrimSpace(part))
			if err != nil {
				return nil, err
			}
			conds = append(conds, c)
		}
		out = append(out, conds)
	}
	return out, nil
}

func parseCondition(s string) (condition, error) {
	op, not := "==", false
	i := strings.Index(s, "==")
	if j := strings.Index(s, "!="); j >= 0 && (i < 0 || j < i) {
		i, op, not = j, "!=", true
	}
	if i <= 0 {
		return condition{}, fmt.Errorf("the where filter %q is not understood", s)
	}
	field, raw := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+len(op):])
	if strings.HasPrefix(raw, `"`) {
		v, err := strconv.Unquote(raw)
		if err != nil {
			return condition{}, fmt.Errorf("the where filter %q is not understood: %v", s, err)
		}
		raw = v
	}
	return condition{field: field, value: raw, not: not}, nil
}

// splitOutsideQuotes splits s at each separator that is not inside a
// quoted text.
func splitOutsideQuotes(s string, seps []string) []string {
	var parts []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		case !quoted:
			for _, sep := range seps {
				if strings.HasPrefix(s[i:], sep) {
					parts = append(parts, s[start:i])
					start, i = i+len(sep), i+len(sep)-1
					break
				}
			}
		}
	}
	return append(parts, s[start:])
}

// matches reports whether a record passes the filter.
func (w where) matches(rec map[string]any) bool {
	if len(w) == 0 {
		return true
	}
	for _, alt := range w {
		ok := true
		for _, c := range alt {
			v := text(lookup(rec, c.field))
			if (v == c.value) == c.not {
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

func lookup(rec map[string]any, path string) any {
	var v any = rec
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func text(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// list answers GET on a collection: archived contacts only with
// includeArchived=true, filtered by where and If-Modified-Since, in the order asked for, a page of it when a page is
// asked for (with the pagination object of the lists that have one).
func (x *Xero) list(collection string, paged bool) spectest.Handler {
	return func(c *spectest.Call) spectest.Reply {
		w, err := parseWhere(c.Query.Get("where"))
		if err != nil {
			return validation(err.Error())
		}
		since, err := modifiedSince(c.Request)
		if err != nil {
			return validation(err.Error())
		}
		archived := c.Query.Get("includeArchived") == "true"
		var match []map[string]any
		for _, rec := range c.Store.All(collection) {
			if rec["ContactStatus"] == "ARCHIVED" && !archived {
				continue // archived records only when asked for, as Xero answers
			}
			if w.matches(rec) && !updated(rec).Before(since) {
				match = append(match, rec)
			}
		}
		sortBy(match, c.Query.Get("order"))
		items, pagination := pageOf(match, c.Query.Get("page"), c.Query.Get("pageSize"))
		for i, it := range items {
			items[i] = withUnitPlaces(collection, it.(map[string]any), unitPlaces(c))
		}
		body := map[string]any{collection: items}
		if paged && pagination != nil {
			body["pagination"] = pagination
		}
		return spectest.JSON(http.StatusOK, body)
	}
}

// modifiedSince reads If-Modified-Since: RFC 3339, or without a zone in
// UTC as Xero also takes it.
func modifiedSince(r *http.Request) (time.Time, error) {
	v := r.Header.Get("If-Modified-Since")
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("If-Modified-Since %q is not a date and time", v)
}

// updated is when a record last changed.
func updated(rec map[string]any) time.Time {
	var ms int64
	_, _ = fmt.Sscanf(text(rec["UpdatedDateUTC"]), "/Date(%d", &ms)
	return time.UnixMilli(ms).UTC()
}

// sortBy orders records by "Field ASC" or "Field DESC"; by their update
// time for UpdatedDateUTC.
func sortBy(recs []map[string]any, order string) {
	field, dir, _ := strings.Cut(strings.TrimSpace(order), " ")
	if field == "" {
		return
	}
	desc := strings.EqualFold(strings.TrimSpace(dir), "DESC")
	sort.SliceStable(recs, func(i, j int) bool {
		var less, greater bool
		if field == "UpdatedDateUTC" {
			less, greater = updated(recs[i]).Before(updated(recs[j])), updated(recs[j]).Before(updated(recs[i]))
		} else {
			a, b := text(lookup(recs[i], field)), text(lookup(recs[j], field))
			less, greater = a < b, b < a
		}
		if desc {
			return greater
		}
		return less
	})
}

// pageOf is the page asked for (all records when none is), and its
// pagination object.
func pageOf(recs []map[string]any, page, size string) ([]any, map[string]any) {
	out := []any{}
	n, err := strconv.Atoi(page)
	if err != nil || n < 1 {
		for _, r := range recs {
			out = append(out, r)
		}
		return out, nil
	}
	per, err := strconv.Atoi(size)
	if err != nil || per < 1 {
		per = 100
	}
	for i := (n - 1) * per; i < len(recs) && i < n*per; i++ {
		out = append(out, recs[i])
	}
	pages := (len(recs) + per - 1) / per
	return out, map[string]any{"page": n, "pageSize": per, "pageCount": pages, "itemCount": len(recs)}
}

// validation is Xero's answer to a request it cannot take: a
// ValidationException with each error.
func validation(messages ...string) spectest.Reply {
	errs := []any{}
	for _, m := range messages {
		errs = append(errs, map[string]any{"Message": m})
	}
	return spectest.JSON(http.StatusBadRequest, map[string]any{"ErrorNumber": 10, "Type": "ValidationException",
		"Message": "A validation exception occurred", "Elements": []any{map[string]any{"ValidationErrors": errs}}})
}
