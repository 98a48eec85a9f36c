package shopwaretest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// lookup finds a dotted path in a record, through the associations it
// holds.
func lookup(rec map[string]any, path string) (any, bool) {
	var cur any = rec
	for _, seg := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// compare compares times as times, numbers as numbers and the rest as
// text.
func compare(a, b any) int {
	x, y := fmt.Sprint(a), fmt.Sprint(b)
	if tx, err := time.Parse(time.RFC3339Nano, x); err == nil {
		if ty, err := time.Parse(time.RFC3339Nano, y); err == nil {
			return tx.Compare(ty)
		}
	}
	fx, errX := strconv.ParseFloat(x, 64)
	fy, errY := strconv.ParseFloat(y, 64)
	if errX == nil && errY == nil {
		switch {
		case fx < fy:
			return -1
		case fx > fy:
			return 1
		}
		return 0
	}
	return strings.Compare(x, y)
}

// matches reports whether a record passes a filter.
func matches(rec map[string]any, f map[string]any) bool {
	typ, _ := f["type"].(string)
	field, _ := f["field"].(string)
	v, present := lookup(rec, field)
	switch typ {
	case "equals":
		if f["value"] == nil {
			return !present || v == nil
		}
		return present && v != nil && compare(v, f["value"]) == 0
	case "equalsAny":
		return present && v != nil && anyOf(v, f["value"])
	case "contains", "prefix", "suffix":
		s, want := fmt.Sprint(v), fmt.Sprint(f["value"])
		return present && v != nil && map[string]bool{"contains": strings.Contains(s, want),
			"prefix": strings.HasPrefix(s, want), "suffix": strings.HasSuffix(s, want)}[typ]
	case "range":
		return present && v != nil && inRange(v, f["parameters"].(map[string]any))
	case "multi", "not":
		return multi(rec, f, typ == "not")
	}
	return false
}

func anyOf(v, values any) bool {
	list, ok := values.([]any)
	if !ok {
		for _, s := range strings.Split(fmt.Sprint(values), "|") {
			list = append(list, s)
		}
	}
	for _, x := range list {
		if compare(v, x) == 0 {
			return true
		}
	}
	return false
}

func inRange(v any, params map[string]any) bool {
	for op, bound := range params {
		c := compare(v, bound)
		if (op == "gte" && c < 0) || (op == "gt" && c <= 0) || (op == "lte" && c > 0) || (op == "lt" && c >= 0) {
			return false
		}
	}
	return true
}

// multi joins its queries with its operator; not negates the result.
func multi(rec map[string]any, f map[string]any, negate bool) bool {
	op, _ := f["operator"].(string)
	queries, _ := f["queries"].([]any)
	result := op != "or" && op != "nor"
	for _, q := range queries {
		m := matches(rec, q.(map[string]any))
		if op == "or" || op == "nor" {
			result = result || m
		} else {
			result = result && m
		}
	}
	if op == "nor" || op == "nand" {
		result = !result
	}
	return result != negate
}

// search answers POST /search/<entity>: the records passing every filter,
// sorted, one page, with the associations that the store keeps apart.
func (s *Shop) search(entity string) spectest.Handler {
	return func(c *spectest.Call) spectest.Reply {
		crit, _ := c.Body.(map[string]any)
		filters, _ := crit["filter"].([]any)
		var match []map[string]any
		for _, rec := range c.Store.All(entity) {
			ok := true
			for _, f := range filters {
				ok = ok && matches(rec, f.(map[string]any))
			}
			if ok {
				match = append(match, rec)
			}
		}
		sortBy(match, crit["sort"])
		page := pageOf(match, intOf(crit["page"]), intOf(crit["limit"]))
		data := make([]any, len(page))
		for i, rec := range page {
			data[i] = s.expand(entity, rec, crit["associations"])
		}
		total := len(page)
		if crit["total-count-mode"] == "exact" {
			total = len(match)
		}
		return spectest.JSON(200, map[string]any{"total": total, "data": data})
	}
}

func intOf(v any) int {
	n, _ := strconv.Atoi(fmt.Sprint(v))
	return n
}

func sortBy(list []map[string]any, spec any) {
	sorts, _ := spec.([]any)
	sort.SliceStable(list, func(i, j int) bool {
		for _, s := range sorts {
			m := s.(map[string]any)
			a, _ := lookup(list[i], fmt.Sprint(m["field"]))
			b, _ := lookup(list[j], fmt.Sprint(m["field"]))
			if c := compare(a, b); c != 0 {
				return (c < 0) != strings.EqualFold(fmt.Sprint(m["order"]), "DESC")
			}
		}
		return false
	})
}

// pageOf is one page of a list (Shopware's pages start at 1; a page past
// the end is empty).
func pageOf(list []map[string]any, page, limit int) []map[string]any {
	if limit <= 0 {
		return list
	}
	from := min(len(list), (max(page, 1)-1)*limit)
	return list[from:min(len(list), from+limit)]
}

// expand adds the associations a search asks for that the store keeps
// apart: a product's tax, a warehouse entry's product and warehouse.
func (s *Shop) expand(entity string, rec map[string]any, associations any) map[string]any {
	asked, _ := associations.(map[string]any)
	join := func(name, collection, idField string) {
		if _, ok := asked[name]; ok {
			if other, found := s.Store.Get(collection, fmt.Sprint(rec[idField])); found {
				rec[name] = other
			}
		}
	}
	switch entity {
	case Products:
		join("tax", Taxes, "taxId")
	case ProductWarehouses:
		join("product", Products, "productId")
		join("warehouse", Warehouses, "warehouseId")
	}
	return rec
}

func jsonNum(s string) json.Number { return json.Number(s) }
