package fake

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// serve answers a call on one of the division's resources.
func (d *division) serve(s *Server, w http.ResponseWriter, r *http.Request, resource string) {
	name, key, hasKey := splitKey(resource)
	c, ok := d.coll[name]
	if !ok {
		odataError(w, http.StatusNotFound, "Resource not found for the segment '"+resource+"'.")
		return
	}
	switch {
	case r.Method == http.MethodGet && !hasKey:
		d.list(s, w, r, c)
	case r.Method == http.MethodGet:
		d.get(w, r, c, key)
	case r.Method == http.MethodPost && !hasKey && !c.noPost:
		d.create(s, w, r, c)
	case r.Method == http.MethodPut && hasKey && !c.noPost:
		d.update(s, w, r, c, key)
	default:
		odataError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed on "+name+".")
	}
}

// splitKey splits "crm/Accounts(guid'…')" into the collection and key.
func splitKey(resource string) (name, key string, hasKey bool) {
	open := strings.Index(resource, "(")
	if open < 0 || !strings.HasSuffix(resource, ")") {
		return resource, "", false
	}
	inner := strings.TrimSuffix(resource[open+1:], ")")
	inner = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(inner, "guid"), "'"), "'")
	return resource[:open], inner, true
}

// list answers a collection: filtered, selected, expanded, paged with
// __next and $skiptoken.
func (d *division) list(s *Server, w http.ResponseWriter, r *http.Request, c *collection) {
	q := r.URL.Query()
	f, err := parseFilter(q.Get("$filter"))
	if err == nil {
		err = c.checkFilter(f)
	}
	if err != nil {
		odataError(w, http.StatusBadRequest, err.Error())
		return
	}
	top, _ := strconv.Atoi(q.Get("$top"))
	after := strings.Trim(strings.TrimPrefix(q.Get("$skiptoken"), "guid"), "'")
	size := s.opts.PageSize
	if top > 0 && top < size {
		size = top
	}
	var page []any
	last, more := "", false
	passed := after == ""
	for _, rec := range c.records {
		if !passed {
			passed = fmt.Sprint(rec[c.key]) == after
			continue
		}
		if !f.matches(rec) {
			continue
		}
		if len(page) == size {
			more = true
			break
		}
		page = append(page, c.present(rec, selectList(q.Get("$select")), q.Get("$expand")))
		last = fmt.Sprint(rec[c.key])
	}
	body := map[string]any{"results": nonNil(page)}
	if more && top == 0 {
		next := url.Values{}
		for k, v := range q {
			if k != "$skiptoken" {
				next[k] = v
			}
		}
		next.Set("$skiptoken", "guid'"+last+"'")
		body["__next"] = s.url + r.URL.Path + "?" + next.Encode()
	}
	writeJSON(w, http.StatusOK, map[string]any{"d": body})
}

func nonNil(list []any) []any {
	if list == nil {
		return []any{}
	}
	return list
}

func selectList(text string) []string {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	return strings.Split(strings.ReplaceAll(text, " ", ""), ",")
}

// checkFilter refuses a property the collection does not have.
func (c *collection) checkFilter(f filter) error {
	for _, group := range f {
		for _, cond := range group {
			if !c.has(cond.prop) {
				return fmt.Errorf("No property '%s' exists in type 'Exact.Web.Api.Models.%s'.", cond.prop, c.name)
			}
		}
	}
	return nil
}

func (c *collection) has(prop string) bool {
	if c.props[prop] || c.readOnly[prop] || prop == c.key || prop == c.number {
		return true
	}
	for _, rec := range c.records {
		if _, ok := rec[prop]; ok {
			return true
		}
	}
	return false
}

// present is a record as an answer holds it: its lines deferred unless
// expanded.
func (c *collection) present(rec map[string]any, sel []string, expand string) map[string]any {
	out := clone(rec)
	if c.linesKey != "" {
		if strings.Contains(expand, c.linesKey) {
			out[c.linesKey] = map[string]any{"results": rec[c.linesKey]}
		} else {
			out[c.linesKey] = map[string]any{"__deferred": map[string]any{"uri": c.linesKey}}
		}
	}
	return selectFields(out, sel)
}

// get answers one record by its key.
func (d *division) get(w http.ResponseWriter, r *http.Request, c *collection, key string) {
	rec := c.find(c.key, key)
	if rec == nil {
		odataError(w, http.StatusNotFound, c.name+" not found: "+key)
		return
	}
	q := r.URL.Query()
	writeJSON(w, http.StatusOK, map[string]any{"d": c.present(rec, selectList(q.Get("$select")), q.Get("$expand"))})
}
