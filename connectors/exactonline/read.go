package exactonline

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/erp"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/since"
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
	st, err := since.Parse(req.Cursor, Name)
	if err != nil {
		return nil, err
	}
	return &stream{c: c, list: l, st: st, started: req.Cursor, asked: map[string]bool{}}, nil
}

// stream reads a list incrementally (package since), following the
// __next address of each answer within a run (the state's Pos).
type stream struct {
	c       *Conn
	list    list
	st      since.State
	started string
	done    bool
	asked   map[string]bool // the __next addresses read in this run
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
		if r.Err != nil || s.st.Take(r.ID, r.Updated) {
			page.Records = append(page.Records, r)
		}
	}
	s.asked[s.st.Pos] = true
	if env.D.Next != "" && !s.asked[env.D.Next] { // a __next back to a page read would never end
		s.st.Pos = env.D.Next
		page.Cursor = s.st.String()
		return page, nil
	}
	s.done = true
	s.st = s.st.Finished()
	page.Cursor = s.st.String()
	if len(page.Records) == 0 && page.Cursor == s.started {
		return connectors.Page{}, connectors.ErrEndOfInput
	}
	return page, nil
}

// request is the next page's: the address Exact Online gave, or the
// list's first page with the filter of changes since the cursor.
func (s *stream) request() rest.Request {
	if s.st.Pos != "" {
		return rest.Request{Path: s.st.Pos}
	}
	filters := []string{}
	if s.list.filter != "" {
		filters = append(filters, s.list.filter)
	}
	if from, ok := s.st.From(); ok {
		filters = append(filters, "Modified ge "+datetime(from))
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
	r.Updated, _ = rest.MicrosoftDate(rest.LookupString(data, "Modified"))
	return r
}
