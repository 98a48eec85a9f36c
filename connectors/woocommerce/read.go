package woocommerce

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/since"
)

// pageSize is WooCommerce's largest page.
const pageSize = 100

// wooTime is how WooCommerce writes times: without a zone, in GMT in the
// *_gmt fields.
const wooTime = "2006-01-02T15:04:05"

// Read streams orders, customers or products (with their variations)
// page by page. Orders and products are read incrementally
// (modified_after, a minute before the last change the last run saw);
// customers, which WooCommerce cannot filter so, whole every run (the
// engine's delta hash skips what did not change).
func (c *Conn) Read(_ context.Context, req connectors.ReadRequest) (connectors.PageStream, error) {
	path, incr := "", true
	switch req.Entity {
	case connectors.Order:
		path = "orders"
	case connectors.Product:
		path = "products"
	case connectors.Customer:
		path, incr = "customers", false
	default:
		return nil, connectors.Permanent(fmt.Errorf("the woocommerce connector does not read %s records", req.Entity))
	}
	st, err := since.Parse(req.Cursor, Name)
	if err != nil {
		return nil, err
	}
	size := pageSize
	if req.PageSize > 0 && req.PageSize < size {
		size = req.PageSize
	}
	return &stream{conn: c, entity: req.Entity, path: path, incremental: incr, size: size, st: st, opts: req.Options}, nil
}

type stream struct {
	conn        *Conn
	entity      connectors.Entity
	path        string
	incremental bool
	size        int
	st          since.State
	opts        connectors.Config
	done        bool
}

// query is the list's query for the cursor's page.
func (s *stream) query() url.Values {
	pos := since.ParsePosition(s.st.Pos)
	q := url.Values{"per_page": {strconv.Itoa(s.size)}, "page": {strconv.Itoa(pos.Page)}}
	if s.incremental {
		q.Set("orderby", "modified")
		q.Set("order", "asc")
		after := pos.After
		if from, ok := s.st.From(); ok && after == "" {
			after = from.UTC().Format(wooTime)
		}
		if after != "" {
			q.Set("modified_after", after)
			q.Set("dates_are_gmt", "true")
		}
	} else {
		q.Set("orderby", "id")
		q.Set("order", "asc")
	}
	if s.entity == connectors.Order {
		if st := s.opts.String("order_status"); st != "" && st != "any" {
			q.Set("status", st)
		}
		if d := s.opts.String("orders_from"); d != "" {
			q.Set("after", d+"T00:00:00")
			q.Set("dates_are_gmt", "true")
		}
	}
	if s.entity == connectors.Customer {
		q.Set("role", "all")
	}
	return q
}

// advance is the position after a page of items that is not the last.
func (s *stream) advance(pos since.Position, items []map[string]any) since.Position {
	if !s.incremental {
		return since.Position{Page: pos.Page + 1}
	}
	first, okFirst := modifiedAt(items[0])
	last, okLast := modifiedAt(items[len(items)-1])
	after := last.Add(-time.Second)
	if from, asked := s.askedFrom(pos); !okFirst || !okLast || !last.After(first) || (asked && !after.After(from)) {
		return pos.NextPage() // the same query would answer the same page
	}
	return since.Position{After: after.Format(wooTime), Page: 1}
}

// askedFrom is the modified_after the position's query asks with; false
// when it asks for every record.
func (s *stream) askedFrom(pos since.Position) (time.Time, bool) {
	if pos.After != "" {
		t, err := time.Parse(wooTime, pos.After)
		return t, err == nil
	}
	return s.st.From()
}

// passed reports whether the run passed the item on already, unchanged
// since (the first records of a page asked from the page before's latest
// change), before its variations are read again.
func passed(st since.State, item map[string]any) bool {
	at, ok := modifiedAt(item)
	return ok && st.Passed(rest.LookupString(item, "id"), at)
}

// modifiedAt is when a record last changed, in GMT.
func modifiedAt(item map[string]any) (time.Time, bool) {
	t, err := time.Parse(wooTime, rest.LookupString(item, "date_modified_gmt"))
	return t, err == nil
}

// Next reads the next page; the last is the one X-WP-TotalPages names.
// After an error the same page is read again.
func (s *stream) Next(ctx context.Context) (connectors.Page, error) {
	if s.done {
		return connectors.Page{}, connectors.ErrEndOfInput
	}
	var items []map[string]any
	res, err := s.conn.client.DoJSON(ctx, rest.Request{Path: s.path, Query: s.query()}, &items)
	if err != nil {
		return connectors.Page{}, fmt.Errorf("reading %s: %w", s.path, err)
	}
	next := s.st
	next.Near = maps.Clone(s.st.Near) // a page read again after an error takes its records again
	var out []connectors.Record
	for _, item := range items {
		if s.incremental && passed(next, item) {
			continue // read by this run already, unchanged since
		}
		r, err := s.record(ctx, item)
		if err != nil {
			return connectors.Page{}, err
		}
		if r.Err == nil && s.incremental && !next.Take(r.ID, r.Updated) {
			continue // read by the last run, unchanged since
		}
		out = append(out, r)
	}
	pos := since.ParsePosition(s.st.Pos)
	if morePages(res.Header, pos.Page, len(items), s.size) {
		next.Pos = s.advance(pos, items).String()
	} else {
		s.done = true
		next = next.Finished()
	}
	s.st = next
	return connectors.Page{Records: out, Cursor: next.String()}, nil
}

// Close does nothing.
func (s *stream) Close() error { return nil }

// morePages reports whether a list has pages after the one read, of n
// items asked size at a time: by X-WP-TotalPages, or, when a proxy or a
// cache in front of the shop dropped that header, while a page comes full.
func morePages(h http.Header, page, n, size int) bool {
	if n == 0 {
		return false
	}
	if text := h.Get("X-WP-TotalPages"); text != "" {
		total, err := strconv.Atoi(text)
		if err == nil {
			return page < total
		}
	}
	return n >= size
}

// record makes a record of a list's item; a variable product gets its
// variations.
func (s *stream) record(ctx context.Context, item map[string]any) (connectors.Record, error) {
	r := connectors.Record{ID: rest.LookupString(item, "id"), Data: item}
	if r.ID == "" {
		r.Err = fmt.Errorf("a record without an id")
	}
	r.Updated, _ = time.Parse(wooTime, rest.LookupString(item, "date_modified_gmt"))
	switch s.entity {
	case connectors.Order:
		r.Key = rest.LookupString(item, "number")
	case connectors.Customer:
		r.Key = rest.LookupString(item, "email")
	case connectors.Product:
		r.Key = rest.LookupString(item, "sku")
		if rest.LookupString(item, "type") == "variable" {
			vars, err := s.conn.variations(ctx, r.ID)
			if err != nil {
				return r, err
			}
			withOptionsByName(vars)
			item["variations"] = vars
		}
	}
	if r.Key == "" {
		r.Key = r.ID
	}
	return r, nil
}

// variations reads every variation of a variable product.
func (c *Conn) variations(ctx context.Context, productID string) ([]any, error) {
	var all []any
	for page := 1; ; page++ {
		var items []any
		q := url.Values{"per_page": {strconv.Itoa(pageSize)}, "page": {strconv.Itoa(page)}}
		res, err := c.client.DoJSON(ctx, rest.Request{Path: "products/" + productID + "/variations", Query: q}, &items)
		if err != nil {
			return nil, fmt.Errorf("reading the variations of product %s: %w", productID, err)
		}
		all = append(all, items...)
		if !morePages(res.Header, page, len(items), pageSize) {
			return all, nil
		}
	}
}

// withOptionsByName gives each variation its attribute values by name,
// {"Size": "M"}, besides WooCommerce's list of attributes: the canonical
// model keeps them so.
func withOptionsByName(variations []any) {
	for _, v := range variations {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		byName := map[string]any{}
		attrs, _ := m["attributes"].([]any)
		for _, a := range attrs {
			byName[rest.LookupString(a, "name")] = rest.LookupString(a, "option")
		}
		m["optionsByName"] = byName
	}
}
