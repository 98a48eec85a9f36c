package shopify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/since"
)

// list is how one entity is read: its query, the connection in the
// answer, its page size, and how a node becomes records.
type list struct {
	op          operation
	field       string // the root field of the answer: orders, products...
	size        int
	incremental bool // asks updated_at since the cursor
	records     func(ctx context.Context, c *Conn, node map[string]any, opts connectors.Config) ([]connectors.Record, error)
}

func (c *Conn) list(e connectors.Entity) (list, error) {
	switch e {
	case connectors.Order:
		return list{op: ordersOp, field: "orders", size: ordersPage, incremental: true, records: orderRecords}, nil
	case connectors.Customer:
		return list{op: customersOp, field: "customers", size: customersPage, incremental: true, records: customerRecords}, nil
	case connectors.Product:
		return list{op: productsOp, field: "products", size: productsPage, incremental: true, records: productRecords}, nil
	case connectors.Stock:
		return list{op: inventoryOp, field: "inventoryItems", size: itemsPage, records: stockRecords}, nil
	}
	return list{}, connectors.Permanent(fmt.Errorf("the shopify connector does not read %s records", e))
}

// Read streams the entity's records changed since the cursor, page by
// page; each page's cursor holds the position within the run, so that a
// run stopped after a committed page (a first sync of tens of thousands of
// products) goes on from the next one.
func (c *Conn) Read(_ context.Context, req connectors.ReadRequest) (connectors.PageStream, error) {
	l, err := c.list(req.Entity)
	if err != nil {
		return nil, err
	}
	st, err := since.Parse(req.Cursor, Name)
	if err != nil {
		return nil, err
	}
	if req.PageSize > 0 && req.PageSize < l.size {
		l.size = req.PageSize
	}
	return &stream{conn: c, list: l, st: st, opts: req.Options, query: searchQuery(req.Entity, st, req.Options)}, nil
}

// searchQuery is the list's search: changed since the cursor, and for
// orders the flow's status, payment status and date.
func searchQuery(e connectors.Entity, st since.State, opts connectors.Config) string {
	var terms []string
	if from, ok := st.From(); ok && e != connectors.Stock {
		terms = append(terms, "updated_at:>='"+from.UTC().Format(time.RFC3339)+"'")
	}
	if e == connectors.Order {
		if s := opts.String("order_status"); s != "" && s != "any" {
			terms = append(terms, "status:"+s)
		}
		if s := opts.String("financial_status"); s != "" && s != "any" {
			terms = append(terms, "financial_status:"+s)
		}
		if d := opts.String("orders_from"); d != "" {
			terms = append(terms, "created_at:>='"+d+"'")
		}
	}
	return strings.Join(terms, " AND ")
}

type stream struct {
	conn  *Conn
	list  list
	st    since.State
	opts  connectors.Config
	query string
	done  bool
}

// connection is a page of a GraphQL connection.
type connection struct {
	Nodes    []map[string]any `json:"nodes"`
	PageInfo struct {
		HasNextPage bool   `json:"hasNextPage"`
		EndCursor   string `json:"endCursor"`
	} `json:"pageInfo"`
}

// Next reads the next page. After an error (Shopify throttled the query)
// the position has not moved: the same page is read again.
func (s *stream) Next(ctx context.Context) (connectors.Page, error) {
	if s.done {
		return connectors.Page{}, connectors.ErrEndOfInput
	}
	vars := map[string]any{"first": s.list.size}
	if s.st.Pos != "" {
		vars["after"] = s.st.Pos
	}
	if s.query != "" {
		vars["query"] = s.query
	}
	var data map[string]connection
	if err := s.conn.gql.do(ctx, s.list.op, vars, &data); err != nil {
		return connectors.Page{}, fmt.Errorf("reading %s: %w", s.list.field, err)
	}
	conn := data[s.list.field]
	next := s.st
	var out []connectors.Record
	for _, node := range conn.Nodes {
		recs, err := s.list.records(ctx, s.conn, node, s.opts)
		if err != nil {
			return connectors.Page{}, err
		}
		for _, r := range recs {
			if r.Err == nil && s.list.incremental && !next.Take(r.ID, r.Updated) {
				continue // read by the last run, unchanged since
			}
			out = append(out, r)
		}
	}
	if conn.PageInfo.HasNextPage && conn.PageInfo.EndCursor != "" && conn.PageInfo.EndCursor == s.st.Pos {
		return connectors.Page{}, connectors.Permanent(fmt.Errorf("reading %s: Shopify answered the page after %q with the same cursor again; the read stops here instead of reading that page for ever",
			s.list.field, s.st.Pos))
	}
	if conn.PageInfo.HasNextPage && conn.PageInfo.EndCursor != "" {
		next.Pos = conn.PageInfo.EndCursor
	} else {
		s.done = true
		next = next.Finished()
	}
	s.st = next
	return connectors.Page{Records: out, Cursor: next.String()}, nil
}

// Close does nothing: the stream holds nothing open.
func (s *stream) Close() error { return nil }

// record makes a record of a node: its id, business key and time.
func record(node map[string]any, key string) connectors.Record {
	r := connectors.Record{ID: rest.LookupString(node, "id"), Key: key, Data: node}
	if r.ID == "" {
		r.Err = fmt.Errorf("a record without an id")
	}
	r.Updated, _ = time.Parse(time.RFC3339, rest.LookupString(node, "updatedAt"))
	return r
}

func orderRecords(ctx context.Context, c *Conn, node map[string]any, _ connectors.Config) ([]connectors.Record, error) {
	if err := c.moreLines(ctx, node); err != nil {
		return nil, err
	}
	return []connectors.Record{record(node, strings.TrimPrefix(rest.LookupString(node, "name"), "#"))}, nil
}

func customerRecords(_ context.Context, _ *Conn, node map[string]any, _ connectors.Config) ([]connectors.Record, error) {
	return []connectors.Record{record(node, rest.LookupString(node, "email"))}, nil
}

func productRecords(ctx context.Context, c *Conn, node map[string]any, _ connectors.Config) ([]connectors.Record, error) {
	if err := c.moreVariants(ctx, node); err != nil {
		return nil, err
	}
	c.learnSKUs(node)
	withOptionsByName(node)
	return []connectors.Record{record(node, productKey(node))}, nil
}

// productKey is a product's business key: its first variant's SKU, or its
// handle when that has none.
func productKey(node map[string]any) string {
	if key := rest.LookupString(node, "variants.nodes.0.sku"); key != "" {
		return key
	}
	return rest.LookupString(node, "handle")
}

// withOptionsByName gives each variant its option values by option
// name, {"Color": "Pink"}, besides Shopify's list of selectedOptions: the
// canonical model keeps them so.
func withOptionsByName(product map[string]any) {
	nodes, _ := rest.Lookup(product, "variants.nodes")
	list, _ := nodes.([]any)
	for _, v := range list {
		variant, ok := v.(map[string]any)
		if !ok {
			continue
		}
		byName := map[string]any{}
		selected, _ := variant["selectedOptions"].([]any)
		for _, o := range selected {
			byName[rest.LookupString(o, "name")] = rest.LookupString(o, "value")
		}
		variant["optionsByName"] = byName
	}
}

// stockRecords makes a record of each inventory level of an item (at the
// flow's location, when it names one by its id or its name in any case,
// as a write finds it): its SKU, location and quantities.
// Items without an SKU are left out: nothing could match them. The levels
// of an item stocked at more than ten locations are read whole.
func stockRecords(ctx context.Context, c *Conn, node map[string]any, opts connectors.Config) ([]connectors.Record, error) {
	sku := rest.LookupString(node, "sku")
	if sku == "" {
		return nil, nil
	}
	c.learnSKU(rest.LookupString(node, "id"), sku)
	if err := c.more(ctx, node, "inventoryLevels", inventoryLevelsOp, "inventoryItem"); err != nil {
		return nil, err
	}
	levels, _ := rest.Lookup(node, "inventoryLevels.nodes")
	list, _ := levels.([]any)
	var out []connectors.Record
	want := opts.String("location")
	for _, l := range list {
		level, ok := l.(map[string]any)
		if !ok {
			continue
		}
		if want != "" && !strings.EqualFold(want, rest.LookupString(level, "location.name")) && want != rest.LookupString(level, "location.id") {
			continue
		}
		level["item"] = map[string]any{"id": node["id"], "sku": sku}
		out = append(out, record(level, sku))
	}
	return out, nil
}

// moreLines reads the lines of an order beyond its first page.
func (c *Conn) moreLines(ctx context.Context, order map[string]any) error {
	return c.more(ctx, order, "lineItems", orderLinesOp, "order")
}

// moreVariants reads the variants of a product beyond its first page.
func (c *Conn) moreVariants(ctx context.Context, product map[string]any) error {
	return c.more(ctx, product, "variants", productVariantsOp, "product")
}

// more reads the rest of a node's nested connection and appends it to
// the nodes read with the node.
func (c *Conn) more(ctx context.Context, node map[string]any, field string, op operation, root string) error {
	nested, _ := node[field].(map[string]any)
	for nested != nil && rest.LookupString(nested, "pageInfo.hasNextPage") == "true" {
		var data map[string]map[string]connection
		after := rest.LookupString(nested, "pageInfo.endCursor")
		vars := map[string]any{"id": node["id"], "after": after}
		if err := c.gql.do(ctx, op, vars, &data); err != nil {
			return fmt.Errorf("reading the %s of %v: %w", field, node["id"], err)
		}
		page := data[root][field]
		if page.PageInfo.HasNextPage && page.PageInfo.EndCursor == after {
			return connectors.Permanent(fmt.Errorf("reading the %s of %v: Shopify answered the page after %q with the same cursor again; the rest cannot be read",
				field, node["id"], after))
		}
		nodes, _ := nested["nodes"].([]any)
		for _, n := range page.Nodes {
			nodes = append(nodes, n)
		}
		nested["nodes"] = nodes
		nested["pageInfo"] = map[string]any{"hasNextPage": page.PageInfo.HasNextPage, "endCursor": page.PageInfo.EndCursor}
	}
	return nil
}
