package exactonline

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// overlap is how far before the latest change a run saw the next run
// asks: a record changed during a read (or committed late) is read next
// time, never missed. The records the last run read within the overlap
// are remembered in the cursor (up to maxSeen of them) and not passed on
// again unless they changed since.
const (
	overlap = time.Minute
	maxSeen = 1000
)

// list says how an entity is read.
type list struct {
	resource string
	filter   string // always applied
	expand   string // the lines to expand
	id       string // where a record holds its id
	keys     []string
}

var lists = map[connectors.Entity]list{
	connectors.Customer: {resource: "crm/Accounts", filter: "Status eq 'C'", id: "ID", keys: []string{"Email", "Code"}},
	connectors.Product:  {resource: "logistics/Items", id: "ID", keys: []string{"Code"}},
	connectors.Stock:    {resource: "inventory/ItemWarehouses", id: "ID", keys: []string{"ItemCode"}},
	connectors.Order:    {resource: "salesorder/SalesOrders", expand: "SalesOrderLines", id: "OrderID", keys: []string{"OrderNumber"}},
	connectors.Invoice:  {resource: "salesinvoice/SalesInvoices", expand: "SalesInvoiceLines", id: "InvoiceID", keys: []string{"InvoiceNumber"}},
}

// Read streams the entity's records changed since the cursor (less the
// overlap), following Exact Online's __next links.
func (c *Conn) Read(_ context.Context, req connectors.ReadRequest) (connectors.PageStream, error) {
	l, ok := lists[req.Entity]
	if !ok {
		return nil, connectors.Permanent(fmt.Errorf("Exact Online does not read %s records", req.Entity))
	}
	if req.Entity == connectors.Stock {
		if wh := strings.TrimSpace(req.Options.String(erp.OptWarehouse)); wh != "" {
			l.filter = "WarehouseCode eq " + quote(wh)
		}
	}
	st, err := parseState(req.Cursor)
	if err != nil {
		return nil, err
	}
	return &stream{c: c, list: l, st: st, started: req.Cursor}, nil
}

// state is a read's position, kept in the flow's cursor: the latest
// change the last run saw and the records it read within the overlap
// before it (id -> change in Unix milliseconds), the latest change this
// run saw and the records near it, and within a run the address of the
// next page.
type state struct {
	Since string           `json:"since,omitempty"`
	Seen  map[string]int64 `json:"seen,omitempty"`
	Max   string           `json:"max,omitempty"`
	Near  map[string]int64 `json:"near,omitempty"`
	Next  string           `json:"next,omitempty"`
}

func parseState(cursor string) (state, error) {
	var st state
	if cursor == "" {
		return st, nil
	}
	if err := json.Unmarshal([]byte(cursor), &st); err != nil {
		return st, connectors.Permanent(fmt.Errorf("the flow's cursor %q was not written by the Exact Online connector", cursor))
	}
	return st, nil
}

func (st state) String() string {
	b, _ := json.Marshal(st)
	return string(b)
}

type stream struct {
	c       *Conn
	list    list
	st      state
	started string
	done    bool
}

// Next reads one page; after a failed Next it reads the same page again.
func (s *stream) Next(ctx context.Context) (connectors.Page, error) {
	if s.done {
		return connectors.Page{}, connectors.ErrEndOfInput
	}
	var env envelope
	if _, err := s.c.client.DoJSON(ctx, s.request(), &env); err != nil {
		return connectors.Page{}, fmt.Errorf("reading %s: %w", s.list.resource, err)
	}
	page := connectors.Page{Records: make([]connectors.Record, 0, len(env.D.Results))}
	for i, item := range env.D.Results {
		r := s.list.record(item, i)
		s.note(r)
		if r.Err == nil && s.st.Seen[r.ID] == r.Updated.UnixMilli() && !r.Updated.IsZero() {
			continue // read in the last run's overlap, unchanged since
		}
		page.Records = append(page.Records, r)
	}
	if env.D.Next != "" {
		s.st.Next = env.D.Next
		page.Cursor = s.st.String()
		return page, nil
	}
	s.done = true
	s.st = s.st.finished()
	page.Cursor = s.st.String()
	if len(page.Records) == 0 && page.Cursor == s.started {
		return connectors.Page{}, connectors.ErrEndOfInput
	}
	return page, nil
}

// note keeps the latest change seen, and the records within the overlap
// before it.
func (s *stream) note(r connectors.Record) {
	if r.Err != nil || r.Updated.IsZero() {
		return
	}
	if r.Updated.After(s.max()) {
		s.st.Max = r.Updated.Format(time.RFC3339Nano)
	}
	if s.st.Near == nil {
		s.st.Near = map[string]int64{}
	}
	s.st.Near[r.ID] = r.Updated.UnixMilli()
	limit := s.max().Add(-overlap).UnixMilli()
	for id, at := range s.st.Near {
		if at < limit {
			delete(s.st.Near, id)
		}
	}
	if len(s.st.Near) > maxSeen {
		s.st.Near = map[string]int64{} // too many to remember: they are read again
	}
}

// finished is the state a run that read to the end leaves for the next.
func (st state) finished() state {
	if st.Max == "" {
		return state{Since: st.Since, Seen: st.Seen}
	}
	return state{Since: st.Max, Seen: st.Near}
}

func (s *stream) max() time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s.st.Max)
	return t
}

// request is the next page's: the address Exact Online gave, or the
// list's first page with the filter of changes since the cursor.
func (s *stream) request() rest.Request {
	if s.st.Next != "" {
		return rest.Request{Path: s.st.Next}
	}
	filters := []string{}
	if s.list.filter != "" {
		filters = append(filters, s.list.filter)
	}
	if since, err := time.Parse(time.RFC3339Nano, s.st.Since); err == nil {
		filters = append(filters, "Modified ge "+datetime(since.Add(-overlap)))
	}
	q := url.Values{}
	if len(filters) > 0 {
		q.Set("$filter", strings.Join(filters, " and "))
	}
	if s.list.expand != "" {
		q.Set("$expand", s.list.expand)
	}
	return rest.Request{Path: s.c.path(s.list.resource), Query: q}
}

// Close does nothing: the stream holds nothing open.
func (s *stream) Close() error { return nil }

// record makes a native record of a list's item; one that is not an
// object or has no id fails alone.
func (l list) record(item any, i int) connectors.Record {
	data, ok := item.(map[string]any)
	if !ok {
		return connectors.Record{ID: fmt.Sprintf("#%d", i+1), Err: fmt.Errorf("record %d of %s is not an object", i+1, l.resource)}
	}
	r := connectors.Record{ID: rest.LookupString(data, l.id), Data: data}
	if r.ID == "" {
		r.ID, r.Err = fmt.Sprintf("#%d", i+1), fmt.Errorf("record %d of %s has no %s", i+1, l.resource, l.id)
	}
	for _, k := range l.keys {
		if v := strings.TrimSpace(rest.LookupString(data, k)); v != "" {
			r.Key = v
			break
		}
	}
	r.Updated, _ = parseDate(rest.LookupString(data, "Modified"))
	return r
}
