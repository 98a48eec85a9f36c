package adobetest

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// filter is one searchCriteria filter.
type filter struct{ field, value, condition string }

// criteria is a parsed searchCriteria: groups joined with AND, a group's
// filters with OR.
type criteria struct {
	groups        [][]filter
	sortField     string
	descending    bool
	size, current int
}

var criterion = regexp.MustCompile(`^searchCriteria\[filterGroups\]\[(\d+)\]\[filters\]\[(\d+)\]\[(field|value|conditionType)\]$`)

// parseCriteria reads searchCriteria from a query.
func parseCriteria(q url.Values) (criteria, error) {
	byGroup := map[int]map[int]*filter{}
	for key, vs := range q {
		m := criterion.FindStringSubmatch(key)
		if m == nil {
			continue
		}
		g, _ := strconv.Atoi(m[1])
		f, _ := strconv.Atoi(m[2])
		if byGroup[g] == nil {
			byGroup[g] = map[int]*filter{}
		}
		if byGroup[g][f] == nil {
			byGroup[g][f] = &filter{}
		}
		switch m[3] {
		case "field":
			byGroup[g][f].field = vs[0]
		case "value":
			byGroup[g][f].value = vs[0]
		case "conditionType":
			byGroup[g][f].condition = vs[0]
		}
	}
	c := criteria{sortField: q.Get("searchCriteria[sortOrders][0][field]"),
		descending: strings.EqualFold(q.Get("searchCriteria[sortOrders][0][direction]"), "DESC")}
	c.size, _ = strconv.Atoi(q.Get("searchCriteria[pageSize]"))
	c.current, _ = strconv.Atoi(q.Get("searchCriteria[currentPage]"))
	for _, g := range sortedKeys(byGroup) {
		var group []filter
		for _, f := range sortedKeys(byGroup[g]) {
			flt := *byGroup[g][f]
			if flt.field == "" {
				return c, fmt.Errorf(`"%s" is required. Enter and try again.`, "field")
			}
			if !knownCondition[flt.condition] {
				return c, fmt.Errorf("invalid condition type %q", flt.condition)
			}
			group = append(group, flt)
		}
		c.groups = append(c.groups, group)
	}
	return c, nil
}

func sortedKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

var knownCondition = map[string]bool{"": true, "eq": true, "neq": true, "like": true, "nlike": true, "in": true, "nin": true,
	"gt": true, "gteq": true, "lt": true, "lteq": true, "moreq": true, "null": true, "notnull": true, "from": true, "to": true, "finset": true}

// matches reports whether a record passes every group.
func (c criteria) matches(rec map[string]any) bool {
	for _, group := range c.groups {
		ok := false
		for _, f := range group {
			if f.matches(rec) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (f filter) matches(rec map[string]any) bool {
	raw, present := rec[f.field]
	v := ""
	if raw != nil {
		v = fmt.Sprint(raw)
	}
	switch f.condition {
	case "", "eq":
		return present && raw != nil && compare(v, f.value) == 0
	case "neq":
		return raw == nil || compare(v, f.value) != 0
	case "like", "nlike":
		re := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(f.value), "%", ".*") + "$")
		return (raw != nil && re.MatchString(v)) == (f.condition == "like")
	case "in", "nin", "finset":
		in := false
		for _, x := range strings.Split(f.value, ",") {
			in = in || (raw != nil && compare(v, strings.TrimSpace(x)) == 0)
		}
		return in == (f.condition != "nin")
	case "null":
		return raw == nil
	case "notnull":
		return raw != nil
	}
	if raw == nil {
		return false
	}
	cmp := compare(v, f.value)
	switch f.condition {
	case "gt":
		return cmp > 0
	case "gteq", "moreq", "from":
		return cmp >= 0
	case "lt":
		return cmp < 0
	}
	return cmp <= 0 // lteq, to
}

// compare compares numbers as numbers, other values as text (Adobe
// Commerce's times sort as text).
func compare(a, b string) int {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}

// search answers a search of a collection: the matching records, sorted,
// the page asked for (the last page again past the end), the total.
// Without a sort order the database's order is not stable between
// queries: a search of more than one page turns the matches by one more
// place with every such search, so that paging without a sort order
// skips records and reads others twice, as it can on a real shop.
func (s *Shop) search(c *spectest.Call, collection string) spectest.Reply {
	crit, err := parseCriteria(c.Query)
	if err != nil {
		return spectest.JSON(400, map[string]any{"message": err.Error()})
	}
	var match []map[string]any
	for _, rec := range c.Store.All(collection) {
		if crit.matches(rec) {
			match = append(match, rec)
		}
	}
	switch {
	case crit.sortField != "":
		sort.SliceStable(match, func(i, j int) bool {
			cmp := compare(sortValue(match[i], crit.sortField), sortValue(match[j], crit.sortField))
			return (cmp < 0) != crit.descending && cmp != 0
		})
	case crit.size > 0 && len(match) > crit.size:
		match = s.unstable(match)
	}
	page := pageOf(match, crit.size, crit.current)
	items := make([]any, len(page))
	for i, rec := range page {
		items[i] = rec
	}
	return spectest.JSON(200, map[string]any{"items": items, "search_criteria": crit.echo(), "total_count": len(match)})
}

// sortValue is a record's value of a sort field: entity_id is the table's
// key, which customers and products answer as their id.
func sortValue(rec map[string]any, field string) string {
	v, ok := rec[field]
	if !ok && field == "entity_id" {
		v = rec["id"]
	}
	return fmt.Sprint(v)
}

// unstable turns the matches by one more place with each call.
func (s *Shop) unstable(match []map[string]any) []map[string]any {
	s.mu.Lock()
	s.turns++
	n := s.turns % len(match)
	s.mu.Unlock()
	return append(match[n:len(match):len(match)], match[:n]...)
}

// pageOf is the page of a list; a page past the end is the last one, as
// Adobe Commerce answers it.
func pageOf(list []map[string]any, size, current int) []map[string]any {
	if size <= 0 {
		return list
	}
	pages := (len(list) + size - 1) / size
	current = max(1, min(current, pages))
	from, to := min(len(list), (current-1)*size), min(len(list), current*size)
	return list[from:to]
}

// echo is the search criteria as the answer repeats them.
func (c criteria) echo() map[string]any {
	groups := []any{}
	for _, g := range c.groups {
		filters := []any{}
		for _, f := range g {
			cond := f.condition
			if cond == "" {
				cond = "eq"
			}
			filters = append(filters, map[string]any{"field": f.field, "value": f.value, "condition_type": cond})
		}
		groups = append(groups, map[string]any{"filters": filters})
	}
	out := map[string]any{"filter_groups": groups}
	if c.sortField != "" {
		dir := "ASC"
		if c.descending {
			dir = "DESC"
		}
		out["sort_orders"] = []any{map[string]any{"field": c.sortField, "direction": dir}}
	}
	if c.size > 0 {
		out["page_size"], out["current_page"] = c.size, max(1, c.current)
	}
	return out
}
