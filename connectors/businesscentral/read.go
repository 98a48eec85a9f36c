package businesscentral

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/since"
)

// list is how one entity is read.
type list struct {
	// path is the list's path under the company.
	path string
	// keys are where a record holds its business key (the first it has).
	keys []string
	// expand names the document's lines, read with it.
	expand string
	// incremental lists are read by lastModifiedDateTime; the others
	// whole every run.
	incremental bool
	// documents leave the company's own currency blank, which a record
	// read gets filled in.
	documents bool
}

// listOf is the list an entity is read from. Stock is the items'
// inventory, which changes without changing an item's
// lastModifiedDateTime: it is read whole each run (the engine skips what
// did not change).
func listOf(entity connectors.Entity) (list, error) {
	switch entity {
	case connectors.Customer:
		return list{path: "customers", keys: []string{"email", "number"}, incremental: true}, nil
	case connectors.Product:
		return list{path: "items", keys: []string{"number"}, incremental: true}, nil
	case connectors.Stock:
		return list{path: "items", keys: []string{"number"}}, nil
	case connectors.Order:
		return list{path: "salesOrders", keys: []string{"number"}, expand: "salesOrderLines", incremental: true, documents: true}, nil
	case connectors.Invoice:
		return list{path: "salesInvoices", keys: []string{"number"}, expand: "salesInvoiceLines", incremental: true, documents: true}, nil
	}
	return list{}, connectors.Permanent(fmt.Errorf("Business Central: %s records are not read", entity))
}

// The page sizes asked for.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// Read streams the entity's records changed since the cursor (less a
// minute), page by page as Business Central's @odata.nextLink leads.
func (c *Conn) Read(_ context.Context, req connectors.ReadRequest) (connectors.PageStream, error) {
	l, err := listOf(req.Entity)
	if err != nil {
		return nil, err
	}
	from, err := fromDate(req.Options)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("%s: %w", optFrom, err))
	}
	cur, err := since.Parse(req.Cursor, Name)
	if err != nil {
		return nil, err
	}
	size := req.PageSize
	if size <= 0 {
		size = defaultPageSize
	}
	return &stream{conn: c, list: l, cur: cur, from: from, size: min(size, maxPageSize), asked: map[string]bool{}}, nil
}

type stream struct {
	conn  *Conn
	list  list
	cur   since.State
	from  time.Time
	size  int
	done  bool
	asked map[string]bool // the next links read in this run
}

// Next reads the next page; after an error it reads the same page again.
func (s *stream) Next(ctx context.Context) (connectors.Page, error) {
	if s.done {
		return connectors.Page{}, connectors.ErrEndOfInput
	}
	var body map[string]any
	if err := s.fetch(ctx, &body); err != nil {
		return connectors.Page{}, fmt.Errorf("reading %s: %w", s.list.path, err)
	}
	items, _ := body["value"].([]any)
	if s.list.documents {
		if err := s.conn.withCurrency(ctx, items); err != nil {
			return connectors.Page{}, err
		}
	}
	next := s.cur
	out := make([]connectors.Record, 0, len(items))
	for i, item := range items {
		r := s.list.record(item, i)
		if r.Err == nil && s.list.incremental && !next.Take(r.ID, r.Updated) {
			continue // read by the last run, unchanged
		}
		out = append(out, r)
	}
	s.asked[s.cur.Pos] = true
	if link, _ := body["@odata.nextLink"].(string); link != "" && !s.asked[link] { // a link back to a page read would never end
		next.Pos = link
	} else {
		s.done, next = true, next.Finished()
	}
	s.cur = next
	return connectors.Page{Records: out, Cursor: next.String()}, nil
}

// fetch asks for the stream's page: the first with the list's filter, the
// next at the address the last answer gave.
func (s *stream) fetch(ctx context.Context, body *map[string]any) error {
	header := http.Header{"Prefer": {"odata.maxpagesize=" + strconv.Itoa(s.size)}}
	if s.cur.Pos != "" {
		_, err := s.conn.client.DoJSON(ctx, rest.Request{Path: s.cur.Pos, Header: header}, body)
		return err
	}
	q := url.Values{}
	if from := s.changedFrom(); s.list.incremental && !from.IsZero() {
		q.Set("$filter", "lastModifiedDateTime gt "+from.UTC().Format(time.RFC3339))
	}
	if s.list.expand != "" {
		q.Set("$expand", s.list.expand)
	}
	return s.conn.call(ctx, rest.Request{Path: s.list.path, Query: q, Header: header}, body)
}

// changedFrom is when the records asked for changed at the earliest: a minute
// before the last change the last run saw, or the flow's date.
func (s *stream) changedFrom() time.Time {
	if from, ok := s.cur.From(); ok {
		return from
	}
	return s.from
}

// Close does nothing: the stream holds nothing open.
func (s *stream) Close() error { return nil }

// record makes a native record of a list's item; one that is not an
// object or lacks its id fails alone.
func (l list) record(item any, i int) connectors.Record {
	data, ok := item.(map[string]any)
	if !ok {
		return connectors.Record{ID: fmt.Sprintf("#%d", i+1), Err: fmt.Errorf("item %d of %s is not an object", i+1, l.path)}
	}
	r := connectors.Record{ID: rest.LookupString(data, "id"), Data: data}
	for _, k := range l.keys {
		if r.Key = rest.LookupString(data, k); r.Key != "" {
			break
		}
	}
	if r.ID == "" {
		r.ID, r.Err = fmt.Sprintf("#%d", i+1), fmt.Errorf("item %d of %s has no id", i+1, l.path)
	}
	if r.Key == "" {
		r.Key = r.ID
	}
	r.Updated, _ = time.Parse(time.RFC3339Nano, rest.LookupString(data, "lastModifiedDateTime"))
	return r
}

// withCurrency fills in the company's own currency where documents leave
// it blank.
func (c *Conn) withCurrency(ctx context.Context, items []any) error {
	co, err := c.companies.get(ctx)
	if err != nil {
		return err
	}
	for _, it := range items {
		if m, ok := it.(map[string]any); ok && rest.LookupString(m, "currencyCode") == "" && co.currency != "" {
			m["currencyCode"] = co.currency
		}
	}
	return nil
}
